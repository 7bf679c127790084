"""Registering supported people and providers."""

from __future__ import annotations

from isf_ledger.application import commands as c
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.person import Person
from isf_ledger.domain.provider import Provider


def register_person(uow: UnitOfWork, cmd: c.RegisterPerson) -> None:
    uow.check_new(Person, cmd.person_id)
    sealed = uow.seal(cmd.person_id, cmd.name) if cmd.name else None
    uow.add(
        Person(
            person_id=cmd.person_id,
            authority=cmd.authority,
            sealed_name=sealed,
            command_id=cmd.command_id,
        )
    )


def register_provider(uow: UnitOfWork, cmd: c.RegisterProvider) -> None:
    uow.check_new(Provider, cmd.provider_id)
    uow.add(
        Provider.register(
            provider_id=cmd.provider_id,
            name=cmd.name,
            framework=cmd.framework,
            checks=cmd.checks,
            command_id=cmd.command_id,
        )
    )


def forget_person(uow: UnitOfWork, cmd: c.ForgetPerson) -> None:
    uow.get(Person, cmd.person_id).forget(command_id=cmd.command_id)


HANDLERS = (register_person, forget_person, register_provider)
