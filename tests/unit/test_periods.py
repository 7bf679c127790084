"""Budget periods and payments in advance: the contract's exact arithmetic."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isf_ledger.domain.periods import (
    Period,
    add_months,
    budget_period_end,
    period_containing,
    schedule_periods,
)

D = Decimal
APRIL_6 = date(2026, 4, 6)
YEAR_END = date(2027, 4, 5)


def amounts(periods: tuple[Period, ...]) -> list[Decimal]:
    return [p.amount for p in periods]


def spans(periods: tuple[Period, ...]) -> list[tuple[date, date]]:
    return [(p.start, p.end) for p in periods]


# Budget periods


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 4, 6), date(2027, 4, 5)),
        (date(2026, 1, 31), date(2027, 1, 30)),
        (date(2026, 1, 1), date(2026, 12, 31)),
        (date(2023, 3, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2025, 2, 28)),
    ],
)
def test_a_budget_runs_twelve_months_less_a_day_from_its_own_start(start, end):
    assert budget_period_end(start) == end


def test_a_budget_starting_on_29_february_runs_to_28_february_next_year():
    # No 29 February next year: the budget keeps 28 February rather than
    # losing it to "less a day", and the next budget starts on 1 March.
    assert budget_period_end(date(2024, 2, 29)) == date(2025, 2, 28)


@given(st.dates(date(1990, 1, 1), date(2200, 12, 31)))
def test_the_day_after_a_budget_ends_is_its_anniversary_or_1_march(start):
    after = budget_period_end(start) + timedelta(days=1)
    if (start.month, start.day) == (2, 29):
        assert after == date(start.year + 1, 3, 1)
    else:
        assert after == start.replace(year=start.year + 1)


# Months


@pytest.mark.parametrize(
    ("n", "due"),
    [
        (0, date(2026, 1, 31)),
        (1, date(2026, 2, 28)),
        (2, date(2026, 3, 31)),
        (3, date(2026, 4, 30)),
        (13, date(2027, 2, 28)),
        (25, date(2028, 2, 29)),
        (-2, date(2025, 11, 30)),
    ],
)
def test_a_month_later_is_the_same_day_clamped_to_the_months_end(n, due):
    assert add_months(date(2026, 1, 31), n) == due


@given(st.dates(date(1990, 1, 1), date(2200, 12, 31)), st.integers(-240, 240))
def test_adding_months_moves_the_month_and_keeps_the_day_where_it_exists(d, n):
    later = add_months(d, n)
    assert later.year * 12 + later.month == d.year * 12 + d.month + n
    assert later.day == d.day or (later.day < d.day and (later + timedelta(days=1)).day == 1)


# The contract's worked example and others


def test_13000_4_weekly_over_a_365_day_budget_is_twelve_of_997_26_then_1032_88():
    periods = schedule_periods(APRIL_6, "4-weekly", YEAR_END, D("13000.00"))
    assert amounts(periods) == [D("997.26")] * 12 + [D("1032.88")]
    # 13 x 28 days would start a 14th period on the budget's last day; that
    # one day belongs to the 13th period instead, which runs for 29 days.
    assert [p.days for p in periods] == [28] * 12 + [29]
    assert periods[-1] == Period(13, date(2027, 3, 8), YEAR_END, D("1032.88"))
    assert [p.number for p in periods] == list(range(1, 14))


def test_a_whole_pounds_amount_still_gives_two_place_amounts():
    periods = schedule_periods(APRIL_6, "4-weekly", YEAR_END, D("13000"))
    assert [str(p.amount) for p in periods[-2:]] == ["997.26", "1032.88"]


def test_monthly_over_a_365_day_budget_from_6_april_is_twelve_periods_by_days():
    periods = schedule_periods(APRIL_6, "monthly", YEAR_END, D("13000.00"))
    assert [p.start for p in periods] == [add_months(APRIL_6, n) for n in range(12)]
    assert [p.days for p in periods] == [30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31]
    # 13000 x 30/365 = 1068.493..., x 31/365 = 1104.109..., x 28/365 = 997.260...
    a30, a31, a28 = D("1068.49"), D("1104.11"), D("997.26")
    last = D("1104.12")
    assert amounts(periods) == [a30, a31, a30, a31, a31, a30, a31, a30, a31, a31, a28, last]


def test_a_first_payment_after_the_budget_starts_spreads_the_amount_over_the_days_left():
    periods = schedule_periods(date(2026, 6, 1), "4-weekly", YEAR_END, D("6000.00"))
    # 309 days from 1 June 2026 to 5 April 2027: 6000 x 28/309 = 543.689...
    assert amounts(periods) == [D("543.69")] * 10 + [D("563.10")]
    assert periods[-1].days == 29


def test_a_monthly_period_that_would_start_on_the_budgets_last_day_is_folded_in():
    periods = schedule_periods(date(2026, 5, 5), "monthly", YEAR_END, D("5000.00"))
    assert len(periods) == 11
    assert spans(periods)[-1] == (date(2027, 3, 5), YEAR_END)
    assert periods[-1].days == 32


def test_monthly_from_31_january_is_due_on_each_months_last_day_without_drifting():
    periods = schedule_periods(
        date(2026, 1, 31), "monthly", budget_period_end(date(2026, 1, 31)), D("12000.00")
    )
    assert [p.start for p in periods[:4]] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert periods[0].end == date(2026, 2, 27)
    assert periods[-1] == Period(12, date(2026, 12, 31), date(2027, 1, 30), D("1019.17"))


def test_a_budget_starting_on_29_february_pays_monthly_over_366_days():
    start = date(2024, 2, 29)
    periods = schedule_periods(start, "monthly", budget_period_end(start), D("12000.00"))
    assert sum(p.days for p in periods) == 366
    assert [p.start for p in periods[:2]] == [start, date(2024, 3, 29)]
    # 28 February 2025, the thirteenth due day, is the budget's last day.
    assert periods[-1] == Period(12, date(2025, 1, 29), date(2025, 2, 28), D("1016.40"))


def test_a_first_payment_on_the_budgets_last_day_is_one_period_of_the_whole_amount():
    assert schedule_periods(YEAR_END, "monthly", YEAR_END, D("50.00")) == (
        Period(1, YEAR_END, YEAR_END, D("50.00")),
    )


# Refusals


@pytest.mark.parametrize(
    ("first_due", "frequency", "amount", "reason"),
    [
        (date(2027, 4, 6), "monthly", "100.00", "first payment 2027-04-06 is after the budget"),
        (APRIL_6, "weekly", "100.00", "payment frequency must be 4-weekly or monthly"),
        (APRIL_6, "monthly", "0.00", "must be more than zero, not 0.00"),
        (APRIL_6, "monthly", "-10.00", "must be more than zero, not -10.00"),
        (APRIL_6, "monthly", "NaN", "must be more than zero"),
        (APRIL_6, "monthly", "100.005", "must be whole pence, not 100.005"),
        (APRIL_6, "4-weekly", "0.10", "0.10 is too little to spread over 13 periods"),
    ],
)
def test_a_schedule_that_cannot_be_paid_is_refused_with_a_plain_reason(
    first_due, frequency, amount, reason
):
    with pytest.raises(ValueError, match=reason):
        schedule_periods(first_due, frequency, YEAR_END, D(amount))


# Properties

pence = st.integers(min_value=1, max_value=10**11)
# From £12 no rounding up can overtake the last period (at most 13 roundings
# of half a penny against at least 2 days of a year's amount).
payable = st.integers(min_value=1200, max_value=10**11)
frequencies = st.sampled_from(["4-weekly", "monthly"])


@st.composite
def schedules(draw, amount=payable):
    """A budget year, a first due day inside it, a frequency and an amount."""
    start = draw(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
    end = budget_period_end(start)
    first_due = start + timedelta(days=draw(st.integers(0, (end - start).days)))
    return first_due, draw(frequencies), end, D(draw(amount)).scaleb(-2)


def nth_start(first_due: date, frequency: str, n: int) -> date:
    if frequency == "4-weekly":
        return first_due + timedelta(weeks=4 * n)
    return add_months(first_due, n)


def half_up_pence(exact: Fraction) -> Decimal:
    """An exact non-negative amount of pounds, rounded half up to the penny."""
    pence = exact * 100
    return D((pence.numerator * 2 + pence.denominator) // (2 * pence.denominator)).scaleb(-2)


@given(schedules())
def test_periods_always_sum_exactly_to_the_amount_in_pence(schedule):
    periods = schedule_periods(*schedule)
    assert sum(p.amount for p in periods) == schedule[3]
    assert all(p.amount.as_tuple().exponent == -2 and p.amount >= 0 for p in periods)


@given(schedules())
def test_periods_are_contiguous_from_first_due_to_the_budgets_end(schedule):
    first_due, _, end, _ = schedule
    periods = schedule_periods(*schedule)
    assert periods[0].start == first_due
    assert periods[-1].end == end
    assert [p.number for p in periods] == list(range(1, len(periods) + 1))
    assert all(p.start <= p.end for p in periods)
    assert all(b.start == a.end + timedelta(days=1) for a, b in pairwise(periods))


@given(schedules())
def test_every_period_but_the_last_is_the_rounded_pro_rata_share(schedule):
    first_due, _, end, amount = schedule
    total_days = (end - first_due).days + 1
    periods = schedule_periods(*schedule)
    for p in periods[:-1]:
        assert p.amount == half_up_pence(Fraction(amount) * p.days / total_days)


@given(schedules())
def test_the_number_of_periods_follows_the_rule(schedule):
    first_due, frequency, end, _ = schedule
    periods = schedule_periods(*schedule)
    assert [p.start for p in periods] == [
        nth_start(first_due, frequency, n) for n in range(len(periods))
    ]
    # The next due day is after the budget, or its last day, folded in.
    assert nth_start(first_due, frequency, len(periods)) >= end
    assert all(p.days >= 2 for p in periods[1:])


@given(schedules(), st.integers(-40, 400))
def test_each_day_of_the_schedule_is_in_exactly_one_period(schedule, offset):
    first_due, _, end, _ = schedule
    periods = schedule_periods(*schedule)
    day = first_due + timedelta(days=offset)
    found = period_containing(periods, day)
    if first_due <= day <= end:
        assert found is not None and found.start <= day <= found.end
        assert [p for p in periods if p.start <= day <= p.end] == [found]
    else:
        assert found is None


@given(schedules(amount=pence))
def test_any_whole_pence_amount_is_scheduled_or_refused_never_paid_below_zero(schedule):
    try:
        periods = schedule_periods(*schedule)
    except ValueError as e:
        assert "too little to spread" in str(e)
    else:
        assert all(p.amount >= 0 for p in periods)
        assert sum(p.amount for p in periods) == schedule[3]
