"""Payments in advance: a schedule of periods, each paid once, withheld or reversed.

Option 2 pays into an agreement's ISF, Option 1 onto a card issued for the
same budget or into a bank account of the budget's person (a direct payment
to the account: the money goes into the budget's direct-payment fund,
`ledger.direct_payment`, whose spending the ledger does not see). The
periods and their amounts are worked out once, when the schedule is made
(`spread.py`, shared with contributions), and kept in its first event (number,
start, end, amount), so replaying the schedule never depends on later
changes to the budget and the arithmetic can be read in the audit trail.

Each period is paid at most once. A payment can be reversed (money back from
the fund to the council), after which the period may be paid again; a period
that is withheld is not paid. Choices:
- a payment is refused when the payee cannot receive money on the day it is
  paid (an agreement that is not active), or when the budget ended before it;
- withholding and reversing need no payee check: they move no money into it;
- a paid period cannot be withheld: reverse it instead.
The rules a payment keeps to are in `schedule_rules.py`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from eventsourcing.domain import event

from isf_ledger.domain import ledger
from isf_ledger.domain.agreement_terms import pounds
from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.money import ZERO
from isf_ledger.domain.periods import Period, period_rows, respread
from isf_ledger.domain.schedule_rules import ScheduleRules
from isf_ledger.domain.spread import Payee, spread
from isf_ledger.domain.surplus import check_offset


class PersonOfBudget(Protocol):
    """The person a budget is for, who names the council that pays."""

    ref: str
    authority: str


class Schedule(ScheduleRules, LedgerAggregate):
    KIND = "schedule"

    @staticmethod
    def create_id(schedule_id: str, **_: object) -> object:  # type: ignore[override]
        return Schedule.id_for(schedule_id)

    @classmethod
    def make(
        cls,
        schedule_id: str,
        budget: Budget,
        person: PersonOfBudget,
        option: int,
        payee: Payee,
        frequency: str,
        first_due: date,
        amount: Decimal,
        command_id: str,
    ) -> Schedule:
        """Spread `amount` over periods from `first_due` to the budget's end."""
        cls.check_payee_fits_option(schedule_id, option, payee)
        if person.ref != budget.person_id:
            raise RuleBroken(
                f"budget {budget.ref} belongs to person {budget.person_id}, not {person.ref}"
            )
        if payee.KIND == "account":
            cls.check_account_is_persons(schedule_id, payee, budget)
        what = f"schedule {schedule_id}"
        return cls(
            schedule_id=schedule_id,
            **spread(what, "first payment", budget, payee, frequency, first_due, amount),
            account_id=payee.ref if payee.KIND == "account" else None,
            option=option,
            authority=person.authority,
            command_id=command_id,
        )

    class Scheduled(LedgerAggregate.Created):
        """Version 2 names a bank account (`account_id`) as an Option 1 payee."""

        schedule_id: str
        budget_id: str
        person_id: str
        agreement_id: str | None
        card_id: str | None
        account_id: str | None
        option: int
        authority: str
        frequency: str
        amount: Decimal
        periods: list[dict[str, Any]]
        effective: date
        command_id: str

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["account_id"] = None

    @event(Scheduled)
    def __init__(
        self,
        schedule_id: str,
        budget_id: str,
        person_id: str,
        agreement_id: str | None,
        card_id: str | None,
        account_id: str | None,
        option: int,
        authority: str,
        frequency: str,
        amount: Decimal,
        periods: list[dict[str, Any]],
        effective: date,
        command_id: str,
    ) -> None:
        payee_ids = {"agreement": agreement_id, "card": card_id, "account": account_id}
        self.hold_periods(schedule_id, budget_id, person_id, payee_ids, amount, periods)
        self.option = option
        self.authority = authority
        self.frequency = frequency
        self.paid: dict[int, date] = {}
        self.moved: dict[int, Decimal] = {}  # money moved by each paid period (less any offset)
        self.first_due = effective
        self.withheld: dict[int, date] = {}
        self.reversed: dict[int, date] = {}  # the latest reversal of each period

    # Queries

    @property
    def offsets(self) -> Decimal:
        """What paid periods kept back against a surplus (counted as recovered)."""
        return sum((self.period(n).amount - moved for n, moved in self.moved.items()), ZERO)

    # Commands

    def record_payment(
        self,
        number: int,
        paid_on: date,
        payee: Payee,
        budget: Budget,
        command_id: str,
        offset: Decimal = ZERO,
        owed_back: Decimal = ZERO,
    ) -> None:
        """Pay period `number` from the council into the payee's fund on `paid_on`.

        `offset` is kept back against a surplus or an open recover debt: the
        money moved is the period's amount less it, and it is never more than
        `owed_back`, what the fund owes back on `paid_on` (the caller need work
        it out only for an offset). Nothing is paid for a period that starts
        after the payee's or the budget's end.
        """
        period = self.period(number)
        self.check_payable(number, paid_on, payee, budget)
        if not ZERO <= offset <= period.amount:
            raise RuleBroken(
                f"an offset kept back from period {number} of schedule {self.ref} must be "
                f"from £0.00 to the period's {pounds(period.amount)}, not {pounds(offset)}"
            )
        if offset:
            what = f"period {number} of schedule {self.ref}"
            check_offset(offset, owed_back, what, f"{self.payee_kind} {self.payee}", paid_on)
        moved = period.amount - offset
        self._paid(
            period=number,
            amount=period.amount,
            offset=offset,
            legs=ledger.transfer(ledger.council(self.authority), self.fund, moved),
            effective=paid_on,
            command_id=command_id,
        )

    class PaymentMade(LedgerAggregate.Event):
        """Version 2 adds `offset`, kept back against a surplus (none before)."""

        class_version = 2
        period: int
        amount: Decimal
        offset: Decimal
        legs: dict[str, Decimal]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["offset"] = Decimal("0.00")

    @event(PaymentMade)
    def _paid(
        self,
        period: int,
        amount: Decimal,
        offset: Decimal,
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        self.paid[period] = effective
        self.moved[period] = amount - offset

    def revise(self, effective: date, amount: Decimal, budget: Budget, command_id: str) -> None:
        """Re-spread the schedule to a new yearly `amount` from `effective`.

        Periods paid, withheld or starting before `effective` keep their
        amounts; the others share the rest by the days rule of a new schedule.
        """
        self.check_is_budget(budget)
        budget.check_not_ended(effective)
        budget.check_within_period(effective, f"a revision of schedule {self.ref}")
        keep = {
            p.number
            for p in self.periods
            if p.number in self.paid or p.number in self.withheld or p.start < effective
        }
        try:
            periods = respread(self.periods, keep, amount, budget.end)
        except ValueError as e:
            raise RuleBroken(
                f"schedule {self.ref} cannot be revised to {pounds(amount)} from {effective}: {e}"
            ) from None
        self._revised(
            amount=amount,
            periods=period_rows(periods),
            effective=effective,
            command_id=command_id,
        )

    @event("Revised")
    def _revised(
        self, amount: Decimal, periods: list[dict[str, Any]], effective: date, command_id: str
    ) -> None:
        self.amount = amount
        self.periods = tuple(Period(**p) for p in periods)

    def withhold(self, number: int, on: date, reason: str, command_id: str) -> None:
        """Hold back period `number` (e.g. a surplus, missing returns): it is not paid."""
        period = self.period(number)
        if number in self.paid:
            raise RuleBroken(
                f"payment for period {number} of schedule {self.ref} was already made "
                f"on {self.paid[number]}; reverse it instead of withholding it"
            )
        if number in self.withheld:
            raise RuleBroken(
                f"period {number} of schedule {self.ref} was already withheld "
                f"on {self.withheld[number]}"
            )
        self._withheld(
            period=number, amount=period.amount, reason=reason, effective=on, command_id=command_id
        )

    @event("PaymentWithheld")
    def _withheld(
        self, period: int, amount: Decimal, reason: str, effective: date, command_id: str
    ) -> None:
        self.withheld[period] = effective

    def reverse(self, number: int, on: date, reason: str, command_id: str) -> None:
        """Take period `number`'s payment back to the council; it may be paid again."""
        self.period(number)
        if number not in self.paid:
            if number in self.reversed:
                why = f"its payment was already reversed on {self.reversed[number]}"
            elif number in self.withheld:
                why = f"it was withheld on {self.withheld[number]}"
            else:
                why = "it has not been paid"
            raise RuleBroken(
                f"there is no payment to reverse for period {number} of schedule {self.ref}: {why}"
            )
        self._reversed(
            period=number,
            amount=self.moved[number],
            paid_on=self.paid[number],
            reason=reason,
            legs=ledger.transfer(self.fund, ledger.council(self.authority), self.moved[number]),
            effective=on,
            command_id=command_id,
        )

    @event("PaymentReversed")
    def _reversed(
        self,
        period: int,
        amount: Decimal,
        paid_on: date,
        reason: str,
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        del self.paid[period]
        del self.moved[period]
        self.reversed[period] = effective
