"""Decisions on exceptions raised by the reports."""

from __future__ import annotations

from isf_ledger.application import commands as c
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.errors import NotFound, RuleBroken
from isf_ledger.domain.exceptions import ExceptionCase


def resolve_exception(uow: UnitOfWork, cmd: c.ResolveException) -> None:
    raised = uow.stored_exception(cmd.exception_id)
    if raised is None:
        raise NotFound(f"unknown exception {cmd.exception_id}")
    decided = uow.find(ExceptionCase, cmd.exception_id)
    if decided is not None:
        raise RuleBroken(
            f"exception {cmd.exception_id} was already resolved ({decided.outcome}) by "
            f"command {decided.command_id}"
        )
    kind, subject_kind, subject = raised
    uow.add(
        ExceptionCase.resolve(
            cmd.exception_id,
            kind,
            (subject_kind, subject),
            cmd.outcome,
            cmd.reason,
            cmd.amount,
            command_id=cmd.command_id,
        )
    )


HANDLERS = (resolve_exception,)
