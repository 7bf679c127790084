"""A yearly amount paid by periods into a payee's fund: what a schedule (the
council's payments in advance) and an assessed contribution (the person's own
part) share.

Both spread their amount by the same days rule (`periods.schedule_periods`)
from a first due day to the budget's end, keep the periods in their first
event, and pay into an agreement's ISF, onto a card, or (a schedule only)
into a direct payment account of the budget's person.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from isf_ledger.domain import ledger
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.periods import Period, period_rows, schedule_periods


class Payee(Protocol):
    """An agreement (its ISF), a card or a bank account: something paid into."""

    KIND: ClassVar[str]
    ref: str
    budget_id: str

    def check_can_receive_money(self, day: date) -> None: ...

    def check_period_within(self, start: date, what: str) -> None: ...


def fund_of(payee_kind: str, payee_ref: str, budget_id: str) -> str:
    """The ledger account a payee's money goes into."""
    if payee_kind == "agreement":
        return ledger.isf(payee_ref)
    if payee_kind == "card":
        return ledger.card(payee_ref)
    return ledger.direct_payment(budget_id)


def spread(
    what: str,
    first: str,
    budget: Budget,
    payee: Payee,
    frequency: str,
    first_due: date,
    amount: Decimal,
) -> dict[str, Any]:
    """What the first event of a schedule or a contribution holds about its
    spread: budget, person, payee and the periods of a yearly `amount` paid into
    (or by the person into) `payee` from `first_due`.

    Refuses an ended budget, a day outside it, a payee of another budget, or
    an amount that cannot be spread; `what` names it in the refusal. A bank
    account is the person's, not one budget's: the caller checks its owner.
    """
    budget.check_not_ended()
    budget.check_within_period(first_due, f"the {first} of {what}")
    if payee.KIND != "account" and payee.budget_id != budget.ref:
        raise RuleBroken(
            f"{what}: {payee.KIND} {payee.ref} belongs to budget "
            f"{payee.budget_id}, not budget {budget.ref}"
        )
    try:
        periods = schedule_periods(first_due, frequency, budget.end, amount)
    except ValueError as e:
        raise RuleBroken(f"{what}: {e}") from None
    return {
        "budget_id": budget.ref,
        "person_id": budget.person_id,
        "agreement_id": payee.ref if payee.KIND == "agreement" else None,
        "card_id": payee.ref if payee.KIND == "card" else None,
        "frequency": frequency,
        "amount": amount,
        "periods": period_rows(periods),
        "effective": first_due,
    }


class ByPeriods:
    """Mixed into `Schedule` and `Contribution`: their payee, fund and periods."""

    KIND: ClassVar[str]
    ref: str
    budget_id: str
    person_id: str
    payee_kind: str  # "agreement", "card" or "account"
    payee: str
    fund: str
    amount: Decimal  # a year
    periods: tuple[Period, ...]

    def hold_periods(
        self,
        ref: str,
        budget_id: str,
        person_id: str,
        payee_ids: dict[str, str | None],
        amount: Decimal,
        periods: list[dict[str, Any]],
    ) -> None:
        """Set what every event of creation holds; `payee_ids` are the event's
        `agreement_id`, `card_id` (and `account_id`), one of them named."""
        self.ref = ref
        self.budget_id = budget_id
        self.person_id = person_id
        self.payee_kind, payee = next((k, v) for k, v in payee_ids.items() if v)
        self.payee = str(payee)
        self.fund = fund_of(self.payee_kind, self.payee, budget_id)
        self.amount = amount
        self.periods = tuple(Period(**p) for p in periods)

    def period(self, number: int) -> Period:
        """Period `number` (1-based); refuses a period there is not."""
        if not 1 <= number <= len(self.periods):
            raise RuleBroken(
                f"{self.KIND} {self.ref} has {len(self.periods)} periods; "
                f"there is no period {number}"
            )
        return self.periods[number - 1]
