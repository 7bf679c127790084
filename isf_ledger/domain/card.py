"""A prepaid payment card issued to a person for a budget (mostly Option 1).

Only the last four digits of the card number are ever kept, and a refusal
never repeats what was given in their place. Transactions on the card arrive
later by import; payments onto it come from a schedule. The council can
recover unspent money from it, never more than its balance. The contract has
no cancellation, so a card can receive money from the day it is issued.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Protocol

from eventsourcing.domain import event

from isf_ledger.domain import ledger
from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.surplus import recovery_legs

LAST4 = re.compile(r"[0-9]{4}")  # ASCII digits only: str.isdigit() accepts "²" and "٣"


class Holder(Protocol):
    """The person a card is issued to, who names the council that funds it."""

    ref: str
    authority: str


class Card(LedgerAggregate):
    KIND = "card"

    @staticmethod
    def create_id(card_id: str, **_: object) -> object:  # type: ignore[override]
        return Card.id_for(card_id)

    @classmethod
    def issue(
        cls, card_id: str, person: Holder, budget: Budget, last4: str, command_id: str
    ) -> Card:
        """A card for `person`'s `budget`, known by the last four digits of its number."""
        if budget.person_id != person.ref:
            raise RuleBroken(
                f"budget {budget.ref} belongs to person {budget.person_id}, not {person.ref}"
            )
        if not LAST4.fullmatch(last4):
            raise RuleBroken(
                f"card {card_id}: last4 must be exactly the last four digits of the card "
                "number (0-9); a full card number is never kept"
            )
        budget.check_not_ended()
        return cls(
            card_id=card_id,
            person_id=person.ref,
            budget_id=budget.ref,
            authority=person.authority,
            last4=last4,
            command_id=command_id,
        )

    @event("Issued")
    def __init__(
        self,
        card_id: str,
        person_id: str,
        budget_id: str,
        authority: str,
        last4: str,
        command_id: str,
        effective: None = None,
    ) -> None:
        self.ref = card_id
        self.person_id = person_id
        self.budget_id = budget_id
        self.authority = authority
        self.last4 = last4

    # Rules

    def check_can_receive_money(self, day: date) -> None:
        """A card can be loaded once issued: the contract has no cancellation."""

    def check_period_within(self, start: date, what: str) -> None:
        """A card ends with its budget, which the schedule checks itself."""

    # Commands

    def recover_surplus(
        self, amount: Decimal, on: date, reason: str, balance: Decimal, command_id: str
    ) -> None:
        """Take unspent money back to the council; `balance` is the card's on `on`."""
        legs = recovery_legs(
            f"card {self.ref}", "card", ledger.card(self.ref), self.authority, amount, balance, on
        )
        self._surplus_recovered(
            amount=amount,
            reason=reason,
            balance_before=balance,
            legs=legs,
            effective=on,
            command_id=command_id,
        )

    @event("SurplusRecovered")
    def _surplus_recovered(
        self,
        amount: Decimal,
        reason: str,
        balance_before: Decimal,
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        pass
