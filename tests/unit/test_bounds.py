"""Payments bounded by the allocation, less what the person contributes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from isf_ledger.domain.bounds import Breach, Claim, check_change, check_schedule, first_breach
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.option_choice import Allocation

D = Decimal
DAY = date(2026, 4, 6)


def claim(ref: str, amount: str, option: int = 2, payee: str = "A1") -> Claim:
    return Claim(ref, option, payee, DAY, D(amount))


def budget_of(amount: str):  # type: ignore[no-untyped-def]
    return lambda _day: D(amount)


def no_choice(_day: date) -> tuple[Allocation, ...]:
    return ()


def test_before_any_option_choice_the_budget_bounds_every_schedule():
    assert first_breach([claim("S1", "13000.00")], [], no_choice, budget_of("13000.00")) is None
    found = first_breach([claim("S1", "50000.00")], [], no_choice, budget_of("13000.00"))
    assert found == Breach("S1", 0, None, DAY, D("50000.00"), D("13000.00"), D("0.00"))


def test_an_allocation_naming_a_payee_bounds_that_payees_schedules_less_its_contributions():
    allocs = (Allocation(2, D("10000.00"), agreement_id="A1"), Allocation(1, D("3000.00")))
    schedules = [claim("S1", "9000.00"), claim("S2", "3000.00", option=1, payee="C1")]
    contributions = [claim("K1", "1000.00")]
    assert first_breach(schedules, contributions, lambda _: allocs, budget_of("13000")) is None
    contributions = [claim("K1", "1000.01")]
    found = first_breach(schedules, contributions, lambda _: allocs, budget_of("13000"))
    assert found == Breach("S1", 2, "A1", DAY, D("9000.00"), D("10000.00"), D("1000.01"))


def test_an_unnamed_allocation_bounds_all_the_options_other_schedules_together():
    allocs = (Allocation(1, D("3000.00")),)
    schedules = [claim("S1", "2000.00", 1, "C1"), claim("S2", "1000.01", 1, "C2")]
    found = first_breach(schedules, [], lambda _: allocs, budget_of("13000"))
    assert found is not None and (found.option, found.scheduled) == (1, D("3000.01"))


def test_an_option_without_an_allocation_has_nothing_to_pay():
    allocs = (Allocation(1, D("3000.00")),)
    found = first_breach([claim("S1", "1.00")], [], lambda _: allocs, budget_of("13000"))
    assert found is not None and found.allocation == 0


def test_a_refusal_names_the_schedule_the_option_and_both_amounts():
    breach = Breach("S1", 2, "A1", DAY, D("9000.00"), D("10000.00"), D("1000.01"))
    with pytest.raises(RuleBroken) as e:
        check_schedule(breach)
    assert str(e.value) == (
        "schedule S1 is refused: it would bring schedules to A1 of £9,000.00 a year (schedule "
        "S1 among them) above option 2's allocation to A1 of £10,000.00 less contributions "
        "of £1,000.01 (£8,999.99) in force on 2026-04-06"
    )


def test_a_change_that_would_leave_a_schedule_above_says_to_revise_it_first():
    breach = Breach("S1", 1, None, DAY, D("3000.00"), D("2000.00"), D("0.00"))
    expected = (
        r"the option choice from 2026-05-01 would leave schedules of £3,000.00 a year "
        r"\(schedule S1 among them\) above option 1's allocation of £2,000.00 in force on "
        r"2026-04-06: revise schedule S1 first"
    )
    with pytest.raises(RuleBroken, match=expected):
        check_change("the option choice from 2026-05-01", breach)
    check_change("anything", None)


def test_a_later_choice_holds_schedules_that_began_before_it():
    before = (Allocation(2, D("12000.00"), agreement_id="A1"),)
    after = (Allocation(2, D("8000.00"), agreement_id="A1"),)
    change = date(2026, 6, 1)

    def allocations_on(day: date) -> tuple[Allocation, ...]:
        return after if day >= change else before

    schedules = [claim("S1", "12000.00")]
    assert first_breach(schedules, [], allocations_on, budget_of("13000")) is None
    found = first_breach(schedules, [], allocations_on, budget_of("13000"), [change])
    assert found is not None and (found.on, found.allocation) == (change, D("8000.00"))
