"""An assessed contribution: the person's own part of the budget (charging).

The budget is the whole package: the council pays the budget less the
contribution, and the person pays the contribution into the same ISF or card.
So a contribution is part of the budget, never on top of it (a top-up is on
top), and never the council's money: its legs come from the person's own
account, `contribution:<id>`. It is due by periods worked out like a
schedule's (`spread.py`); what is due by a day is the sum of
the periods started by then, and arrears are due less received. Choices:
- a period may be paid in parts, but never above what it still has due;
- money cannot arrive in an ISF after its agreement was terminated.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from isf_ledger.domain import ledger
from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.agreement_terms import pounds
from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.money import ZERO
from isf_ledger.domain.spread import ByPeriods, Payee, spread

OPTION_OF = {"agreement": 2, "card": 1}


class Contribution(ByPeriods, LedgerAggregate):
    KIND = "contribution"

    @staticmethod
    def create_id(contribution_id: str, **_: object) -> object:  # type: ignore[override]
        return Contribution.id_for(contribution_id)

    @classmethod
    def assess(
        cls,
        contribution_id: str,
        budget: Budget,
        payee: Payee,
        frequency: str,
        first_due: date,
        amount: Decimal,
        command_id: str,
    ) -> Contribution:
        """The person pays `amount` a year into `payee` (an ISF or a card)."""
        what = f"contribution {contribution_id}"
        return cls(
            contribution_id=contribution_id,
            **spread(what, "first due day", budget, payee, frequency, first_due, amount),
            command_id=command_id,
        )

    @event("Assessed")
    def __init__(
        self,
        contribution_id: str,
        budget_id: str,
        person_id: str,
        agreement_id: str | None,
        card_id: str | None,
        frequency: str,
        amount: Decimal,
        periods: list[dict[str, Any]],
        effective: date,
        command_id: str,
    ) -> None:
        payee_ids = {"agreement": agreement_id, "card": card_id}
        self.hold_periods(contribution_id, budget_id, person_id, payee_ids, amount, periods)
        self.agreement_id = agreement_id
        self.card_id = card_id
        self.option = OPTION_OF[self.payee_kind]
        self.received: dict[int, Decimal] = {}

    # Queries

    def due_by(self, day: date) -> Decimal:
        """What the person owed by `day`: every period that has started."""
        return sum((p.amount for p in self.periods if p.start <= day), ZERO)

    def received_total(self) -> Decimal:
        return sum(self.received.values(), ZERO)

    # Commands

    def receive(
        self, number: int, received_on: date, amount: Decimal, payee: Payee, command_id: str
    ) -> None:
        """The person's money for period `number` arrives in the ISF or on the card."""
        period = self.period(number)
        if amount <= 0:
            raise RuleBroken(f"contribution {self.ref}: the amount received must be more than zero")
        left = period.amount - self.received.get(number, ZERO)
        if amount > left:
            raise RuleBroken(
                f"contribution {self.ref}: {pounds(amount)} is more than the {pounds(left)} "
                f"still due for period {number}"
            )
        if isinstance(payee, Agreement):
            payee.check_not_after_end(received_on)
        self._received(
            period=number,
            amount=amount,
            legs=ledger.transfer(ledger.contribution(self.ref), self.fund, amount),
            effective=received_on,
            command_id=command_id,
        )

    @event("ContributionReceived")
    def _received(
        self,
        period: int,
        amount: Decimal,
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        self.received[period] = self.received.get(period, ZERO) + amount
