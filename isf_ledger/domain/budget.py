"""An individual budget: proposed, agreed, revised, ended.

A budget runs for twelve months from its own start, not the financial year.
Revisions take effect from a date and never rewrite what was true before it,
so `amount_on(day)` answers what the budget was on any day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from eventsourcing.domain import event

from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.periods import budget_period_end

METHODS = ("RAS", "equivalency", "negotiated")
# How far from its budget's period a command's date may be (contract: Limits):
# far enough for late paperwork and early set-up, never a year typed wrong.
DAYS_BEFORE_START = timedelta(days=31)
DAYS_AFTER_END = timedelta(days=366)


class Budget(LedgerAggregate):
    KIND = "budget"

    @staticmethod
    def create_id(budget_id: str, **_: object) -> object:  # type: ignore[override]
        return Budget.id_for(budget_id)

    @classmethod
    def propose(
        cls,
        budget_id: str,
        person_id: str,
        start: date,
        amount: Decimal,
        method: str,
        command_id: str,
    ) -> Budget:
        if method not in METHODS:
            raise RuleBroken(f"budget {budget_id}: method must be one of {', '.join(METHODS)}")
        if amount <= 0:
            raise RuleBroken(f"budget {budget_id}: the amount must be more than zero")
        return cls(
            budget_id=budget_id,
            person_id=person_id,
            end=budget_period_end(start),
            amount=amount,
            method=method,
            effective=start,
            command_id=command_id,
        )

    @event("Proposed")
    def __init__(
        self,
        budget_id: str,
        person_id: str,
        end: date,
        amount: Decimal,
        method: str,
        effective: date,
        command_id: str,
    ) -> None:
        self.ref = budget_id
        self.person_id = person_id
        self.start = effective
        self.end = end
        self.method = method
        self.amounts: list[tuple[date, Decimal]] = [(effective, amount)]
        self.agreed_on: date | None = None
        self.ended_on: date | None = None

    # Queries

    @property
    def amount(self) -> Decimal:
        """The budget as it stands after every revision."""
        return max(self.amounts, key=lambda pair: pair[0])[1]

    def amount_on(self, day: date) -> Decimal:
        """The budget in force on `day` (the first amount before the start)."""
        in_force = [pair for pair in self.amounts if pair[0] <= day]
        return max(in_force, key=lambda pair: pair[0])[1] if in_force else self.amounts[0][1]

    @property
    def is_agreed(self) -> bool:
        return self.agreed_on is not None

    def is_in_force_on(self, day: date) -> bool:
        last = min(self.end, self.ended_on) if self.ended_on else self.end
        return self.start <= day <= last

    # Rules

    def check_not_ended(self, day: date | None = None) -> None:
        if self.ended_on is not None and (day is None or day > self.ended_on):
            raise RuleBroken(
                f"budget {self.ref} ended on {self.ended_on}; no change can be made after its end"
            )

    def check_period_within(self, start: date, what: str) -> None:
        """Nothing is paid for a period that starts after the budget ended."""
        if self.ended_on is not None and start > self.ended_on:
            raise RuleBroken(
                f"{what} cannot be paid: budget {self.ref} ended on {self.ended_on}, before it"
            )

    def check_within_period(self, day: date, what: str) -> None:
        if not self.start <= day <= self.end:
            raise RuleBroken(
                f"{what} on {day} is outside budget {self.ref}'s period {self.start} to {self.end}"
            )

    def check_dates_in_limits(self, days: Iterable[date]) -> None:
        """Refuse a date more than 31 days before the budget's start or 366 after its end.

        A date that far out is a mistake (1999 for 2026), and it would change
        balances and statements of months it has nothing to do with.
        """
        earliest, latest = self.start - DAYS_BEFORE_START, self.end + DAYS_AFTER_END
        for day in days:
            if not earliest <= day <= latest:
                raise RuleBroken(
                    f"{day} is outside the dates allowed for budget {self.ref} "
                    f"({earliest} to {latest}): a date may be at most 31 days before its "
                    "budget's start and 366 days after its end"
                )

    # Commands

    def agree(self, agreed_on: date, command_id: str) -> None:
        self.check_not_ended()
        if self.agreed_on is not None:
            raise RuleBroken(f"budget {self.ref} was already agreed on {self.agreed_on}")
        self._agreed(effective=agreed_on, command_id=command_id)

    @event("Agreed")
    def _agreed(self, effective: date, command_id: str) -> None:
        self.agreed_on = effective

    def revise(
        self,
        amount: Decimal,
        effective: date,
        reason: str,
        command_id: str,
        allocated: Decimal = Decimal("0.00"),
    ) -> None:
        """Change the budget from `effective`; `allocated` is what the option
        choice in force then splits, which the new amount must still cover."""
        self.check_not_ended()
        self.check_within_period(effective, "a revision")
        if amount <= 0:
            raise RuleBroken(f"budget {self.ref}: a revised amount must be more than zero")
        if amount < allocated:
            raise RuleBroken(
                f"budget {self.ref} cannot be revised to {amount} from {effective}: "
                f"its option choice allocates {allocated}; change the choice first"
            )
        self._revised(amount=amount, reason=reason, effective=effective, command_id=command_id)

    @event("Revised")
    def _revised(self, amount: Decimal, reason: str, effective: date, command_id: str) -> None:
        self.amounts.append((effective, amount))

    def end_on(self, ended_on: date, command_id: str) -> None:
        self.check_not_ended()
        if ended_on < self.start:
            raise RuleBroken(f"budget {self.ref} cannot end on {ended_on}, before it starts")
        self._ended(effective=ended_on, command_id=command_id)

    @event("Ended")
    def _ended(self, effective: date, command_id: str) -> None:
        self.ended_on = effective

    def commitments_checked(
        self,
        change: str,
        scheduled: Decimal,
        contributions: Decimal,
        effective: date,
        command_id: str,
    ) -> None:
        """Record that after `change` the budget's schedules (`scheduled` a year in
        all) and assessed contributions were found within its allocations.

        Every change that could take them above is recorded on the budget, so
        two batches changing one budget at once both write its next version:
        the store keeps one, and the other is read again and checked against it.
        """
        self._commitments_checked(
            change=change,
            scheduled=scheduled,
            contributions=contributions,
            effective=effective,
            command_id=command_id,
        )

    @event("CommitmentsChecked")
    def _commitments_checked(
        self,
        change: str,
        scheduled: Decimal,
        contributions: Decimal,
        effective: date,
        command_id: str,
    ) -> None:
        pass
