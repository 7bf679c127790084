"""Assessed contributions: the person's part of the budget, paid into an ISF or onto a card."""

from __future__ import annotations

from isf_ledger.application import commands as c
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.card import Card
from isf_ledger.domain.contribution import Contribution
from isf_ledger.domain.errors import NotFound
from isf_ledger.domain.schedule import Payee
from isf_ledger.handlers.bounds import hold


def _payee(uow: UnitOfWork, ref: str) -> Payee:
    """The agreement (its ISF) or the card the person pays into."""
    found: Payee | None = uow.find(Agreement, ref) or uow.find(Card, ref)
    if found is None:
        raise NotFound(f"unknown agreement or card {ref}")
    return found


def assess_contribution(uow: UnitOfWork, cmd: c.AssessContribution) -> None:
    uow.check_new(Contribution, cmd.contribution_id)
    budget = uow.get(Budget, cmd.budget_id)
    uow.add(
        Contribution.assess(
            contribution_id=cmd.contribution_id,
            budget=budget,
            payee=_payee(uow, cmd.payee),
            frequency=cmd.frequency,
            first_due=cmd.first_due,
            amount=cmd.amount,
            command_id=cmd.command_id,
        )
    )
    change = f"contribution {cmd.contribution_id}"
    hold(uow, budget, change, cmd.first_due, cmd.command_id)


def record_contribution(uow: UnitOfWork, cmd: c.RecordContribution) -> None:
    contribution = uow.get(Contribution, cmd.contribution_id)
    contribution.receive(
        cmd.period,
        cmd.received_on,
        cmd.amount,
        payee=_payee(uow, contribution.payee),
        command_id=cmd.command_id,
    )


HANDLERS = (assess_contribution, record_contribution)
