"""The rules a schedule's payments keep to, and what can be asked of its periods.

`check_payable` is the one place that says whether a period can be paid on a
day: a payment asks it, and so does `payments due` for every period it lists
(see `payment_run.why_not_payable`), so a rule added there moves periods to
the list of those that cannot be paid, with its words. `schedule.py` holds
the schedule's commands and events.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.spread import ByPeriods, Payee

# Which kinds of aggregate each option pays into.
PAYEE_KINDS = {1: ("card", "account"), 2: ("agreement",)}
PAYEE_WORDS = {1: "onto a card or into the person's bank account", 2: "into an agreement's ISF"}


class ScheduleRules(ByPeriods):
    """Mixed into `Schedule`, which sets these attributes from its events."""

    paid: dict[int, date]
    moved: dict[int, Decimal]  # money moved by each paid period (less any offset)
    withheld: dict[int, date]
    reversed: dict[int, date]  # the latest reversal of each period

    # Queries

    def period_status(self, number: int) -> str:
        """ "due", "paid on D", "withheld on D", or "reversed on D, due again"."""
        self.period(number)
        if number in self.paid:
            return f"paid on {self.paid[number]}"
        if number in self.withheld:
            return f"withheld on {self.withheld[number]}"
        if number in self.reversed:
            return f"reversed on {self.reversed[number]}, due again"
        return "due"

    def is_open(self, number: int) -> bool:
        """Neither paid nor withheld: a period `payments due` lists (reversed counts as open)."""
        return number not in self.paid and number not in self.withheld

    # Rules

    @staticmethod
    def check_payee_fits_option(schedule_id: str, option: int, payee: Payee) -> None:
        if option not in PAYEE_KINDS:
            raise RuleBroken(
                f"schedule {schedule_id}: option {option} is not paid on a schedule; "
                "option 1 pays onto a card, option 2 into an agreement's ISF"
            )
        if payee.KIND not in PAYEE_KINDS[option]:
            raise RuleBroken(
                f"schedule {schedule_id}: option {option} pays {PAYEE_WORDS[option]}, "
                f"not {payee.KIND} {payee.ref}"
            )

    @staticmethod
    def check_account_is_persons(schedule_id: str, account: Payee, budget: Budget) -> None:
        owner = getattr(account, "person_id", None)
        if owner != budget.person_id:
            raise RuleBroken(
                f"schedule {schedule_id}: account {account.ref} is not an account of "
                f"person {budget.person_id}, whose budget {budget.ref} this is"
            )

    def check_is_payee(self, payee: Payee) -> None:
        if (payee.KIND, payee.ref) != (self.payee_kind, self.payee):
            raise RuleBroken(
                f"schedule {self.ref} pays {self.payee_kind} {self.payee}, "
                f"not {payee.KIND} {payee.ref}"
            )

    def check_is_budget(self, budget: Budget) -> None:
        if budget.ref != self.budget_id:
            raise RuleBroken(
                f"schedule {self.ref} is for budget {self.budget_id}, not {budget.ref}"
            )

    def check_not_paid(self, number: int) -> None:
        if number in self.paid:
            raise RuleBroken(
                f"payment for period {number} of schedule {self.ref} was already made "
                f"on {self.paid[number]}"
            )

    def check_not_withheld(self, number: int) -> None:
        if number in self.withheld:
            raise RuleBroken(
                f"payment for period {number} of schedule {self.ref} was withheld "
                f"on {self.withheld[number]}"
            )

    def check_payable(self, number: int, on: date, payee: Payee, budget: Budget) -> None:
        """Every rule a payment of period `number` on `on` must pass, in one place.

        `payments due` asks this of every period it lists, so a rule added here
        (an allocation that no longer covers the schedule, say) moves periods
        to the list of those that cannot be paid, with its words.
        """
        self.period(number)
        self.check_not_paid(number)
        self.check_not_withheld(number)
        self.check_is_budget(budget)
        self.check_is_payee(payee)
        budget.check_not_ended(on)
        payee.check_can_receive_money(on)
        start = self.period(number).start
        what = f"period {number} of schedule {self.ref}, starting {start},"
        budget.check_period_within(start, what)
        payee.check_period_within(start, what)

    def why_not_payable(self, number: int, on: date, payee: Payee, budget: Budget) -> str | None:
        """None when period `number` can be paid on `on`; otherwise the rule, in words."""
        try:
            self.check_payable(number, on, payee, budget)
        except RuleBroken as e:
            return str(e)
        return None
