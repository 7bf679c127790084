"""Registering bank accounts: sealed before any event holds them."""

from __future__ import annotations

import json

from isf_ledger.application import commands as c
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.bank_account import BankAccount, check_details, details_key
from isf_ledger.domain.errors import NotFound, RuleBroken
from isf_ledger.domain.person import Person
from isf_ledger.domain.provider import Provider


def register_bank_account(uow: UnitOfWork, cmd: c.RegisterBankAccount) -> None:
    uow.check_new(BankAccount, cmd.account_id)
    check_details(cmd.account_id, cmd.sort_code, cmd.account_number, cmd.account_name)
    provider = uow.find(Provider, cmd.owner)
    person = uow.find(Person, cmd.owner)
    if provider is not None and person is not None:
        raise RuleBroken(f"{cmd.owner} is both a provider and a person: the owner is ambiguous")
    if provider is None and person is None:
        raise NotFound(f"unknown provider or person {cmd.owner}")
    if person is not None and person.forgotten:
        raise RuleBroken(f"person {cmd.owner} was forgotten: no new personal data is kept")
    owner_kind = "provider" if provider is not None else "person"
    details = json.dumps(
        {
            "sort_code": cmd.sort_code,
            "account_number": cmd.account_number,
            "account_name": cmd.account_name,
        }
    )
    account = BankAccount.register(
        account_id=cmd.account_id,
        owner_kind=owner_kind,
        owner_id=cmd.owner,
        last4=cmd.account_number[-4:],
        sealed_details=uow.seal(details_key(owner_kind, cmd.owner, cmd.account_id), details),
        command_id=cmd.command_id,
    )
    uow.add(account)
    if provider is not None:
        provider.pay_into(cmd.account_id, command_id=cmd.command_id)


HANDLERS = (register_bank_account,)
