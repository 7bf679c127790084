"""Budget rules, stated as a finance officer would."""

from datetime import date
from decimal import Decimal

import pytest

from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import RuleBroken


def budget(amount="13000.00", start=date(2026, 4, 6)) -> Budget:
    return Budget.propose("B1", "P1", start, Decimal(amount), "RAS", command_id="c1")


def test_a_budget_runs_twelve_months_from_its_own_start():
    b = budget()
    assert (b.start, b.end) == (date(2026, 4, 6), date(2027, 4, 5))


def test_a_revision_applies_from_its_effective_date_only():
    b = budget()
    b.revise(Decimal("14000.00"), date(2026, 10, 1), "more support", command_id="c2")
    assert b.amount_on(date(2026, 9, 30)) == Decimal("13000.00")
    assert b.amount_on(date(2026, 10, 1)) == Decimal("14000.00")
    assert b.amount == Decimal("14000.00")


def test_a_budget_cannot_be_agreed_twice():
    b = budget()
    b.agree(date(2026, 4, 1), command_id="c2")
    with pytest.raises(RuleBroken, match="already agreed on 2026-04-01"):
        b.agree(date(2026, 4, 2), command_id="c3")


def test_no_change_is_made_to_a_budget_after_its_end():
    b = budget()
    b.end_on(date(2026, 12, 31), command_id="c2")
    with pytest.raises(RuleBroken, match="ended on 2026-12-31"):
        b.revise(Decimal("1.00"), date(2026, 11, 1), "late", command_id="c3")
    assert b.amount == Decimal("13000.00")


def test_a_revision_outside_the_budget_period_is_refused():
    with pytest.raises(RuleBroken, match="outside budget B1's period"):
        budget().revise(Decimal("1.00"), date(2027, 4, 6), "late", command_id="c2")


def test_an_unknown_method_is_refused():
    with pytest.raises(RuleBroken, match="method must be one of"):
        Budget.propose("B1", "P1", date(2026, 4, 6), Decimal("1.00"), "guess", command_id="c1")


def test_a_budget_cannot_be_revised_below_what_its_option_choice_allocates():
    b = budget()
    with pytest.raises(RuleBroken, match=r"its option choice allocates 13000\.00"):
        b.revise(Decimal("12000.00"), date(2026, 10, 1), "cut", "c2", allocated=Decimal("13000.00"))
    assert b.amount == Decimal("13000.00")


@pytest.mark.parametrize("day", [date(2026, 3, 6), date(2026, 4, 6), date(2028, 4, 5)])
def test_dates_from_31_days_before_the_start_to_366_after_the_end_are_allowed(day):
    budget().check_dates_in_limits([day])


@pytest.mark.parametrize("day", [date(1999, 4, 6), date(2026, 3, 5), date(2028, 4, 6)])
def test_a_date_further_from_the_budget_is_refused(day):
    with pytest.raises(
        RuleBroken,
        match=rf"{day} is outside the dates allowed for budget B1 \(2026-03-06 to 2028-04-05\): "
        "a date may be at most 31 days before its budget's start and 366 days after its end",
    ):
        budget().check_dates_in_limits([day])
