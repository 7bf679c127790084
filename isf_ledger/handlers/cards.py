"""Issuing payment cards (their transactions arrive by import)."""

from __future__ import annotations

from isf_ledger.application import commands as c
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.card import Card
from isf_ledger.domain.person import Person


def issue_card(uow: UnitOfWork, cmd: c.IssueCard) -> None:
    uow.check_new(Card, cmd.card_id)
    uow.add(
        Card.issue(
            card_id=cmd.card_id,
            person=uow.get(Person, cmd.person_id),
            budget=uow.get(Budget, cmd.budget_id),
            last4=cmd.last4,
            command_id=cmd.command_id,
        )
    )


HANDLERS = (issue_card,)
