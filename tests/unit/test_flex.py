"""Flexed hours: quarter hours, the flex cap, week charges and flex reviews."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isf_ledger.domain.flex import (
    QUARTER,
    FlexReview,
    is_monday,
    is_quarter_hours,
    review_flex,
    week_charge,
    weekly_flags,
    within_flex_cap,
)

D = Decimal
MONDAY = date(2026, 4, 6)
CAP = D("3.5")


def week(n: int) -> date:
    return MONDAY + timedelta(weeks=n)


def recorded(planned: str, *delivered: str, start: int = 0) -> list[tuple[date, D, D]]:
    return [(week(start + n), D(planned), D(hours)) for n, hours in enumerate(delivered)]


# Quarter hours and Mondays


@pytest.mark.parametrize("hours", ["0", "0.25", "7.5", "37.75", "40", "40.00"])
def test_hours_in_quarter_hours_are_accepted(hours):
    assert is_quarter_hours(D(hours))


@pytest.mark.parametrize("hours", ["7.1", "0.125", "-0.25", "NaN", "Infinity"])
def test_hours_not_in_quarter_hours_or_below_zero_are_not(hours):
    assert not is_quarter_hours(D(hours))


@given(st.integers(0, 10_000))
def test_any_whole_number_of_quarter_hours_is_quarter_hours(quarters):
    assert is_quarter_hours(quarters * QUARTER)
    assert not is_quarter_hours(quarters * QUARTER + D("0.05"))


def test_weeks_start_on_a_monday():
    assert is_monday(MONDAY)
    assert not any(is_monday(MONDAY + timedelta(days=n)) for n in range(1, 7))


# The flex cap


@pytest.mark.parametrize(
    ("delivered", "allowed"),
    [("0", True), ("30", True), ("33.5", True), ("37.0", True), ("37.25", False)],
)
def test_a_week_may_rise_up_to_the_cap_above_plan_and_fall_freely(delivered, allowed):
    assert within_flex_cap(D(delivered), D("33.5"), CAP) is allowed


def test_the_cap_is_a_parameter_not_a_fixed_three_and_a_half_hours():
    assert within_flex_cap(D("34.5"), D("33.5"), D("1"))
    assert not within_flex_cap(D("34.75"), D("33.5"), D("1"))


# Week charges


def test_a_weeks_charge_is_hours_times_rate_to_the_penny():
    assert week_charge(D("30.25"), D("21.37")) == D("646.44")  # 646.4425


def test_a_weeks_charge_rounds_a_half_penny_up_not_to_even():
    assert week_charge(D("10.25"), D("20.02")) == D("205.21")  # 205.205
    assert week_charge(D("0.25"), D("0.02")) == D("0.01")  # 0.005


@given(st.integers(0, 4 * 168), st.integers(0, 100_000))
def test_a_charge_is_exact_to_the_penny_for_any_quarter_hours_and_rate(quarters, rate_pence):
    charge = week_charge(quarters * QUARTER, D(rate_pence).scaleb(-2))
    # quarters/4 hours x rate_pence pence = quarters x rate_pence / 4 pence, half up.
    assert charge == D((quarters * rate_pence + 2) // 4).scaleb(-2)
    assert charge.as_tuple().exponent == -2


# Weekly flags


@pytest.mark.parametrize(
    ("delivered", "approved", "flags"),
    [
        ("30", "awaiting approval", []),
        ("33.5", "awaiting approval", []),
        ("35", "awaiting approval", ["above plan within flex cap"]),
        ("37", "awaiting approval", ["above plan within flex cap"]),
        ("40", "approved", ["above flex cap, approved"]),
        ("40", "awaiting approval", ["above flex cap, awaiting approval"]),
        ("40", "declined", ["above flex cap, declined"]),
    ],
)
def test_each_week_has_a_plain_words_flag_only_when_above_plan(delivered, approved, flags):
    assert weekly_flags(D(delivered), D("33.5"), CAP, approved) == flags


# Flex reviews


def test_four_weeks_all_well_above_plan_are_flagged_as_a_sustained_variance():
    (review,) = review_flex(recorded("40", "45.75", "46", "45.75", "45.75"))
    assert review == FlexReview(
        weeks=(week(0), week(1), week(2), week(3)),
        planned=D("160"),
        delivered=D("183.25"),
        variance=D("23.25"),
        flag="delivered 14.5% above plan for 4 weeks (weeks from 2026-04-06)",
    )


def test_four_weeks_all_well_below_plan_are_flagged_below():
    (review,) = review_flex(recorded("20", "17", "16.5", "17.75", "15"))
    assert review.variance == D("-13.75")
    assert review.flag == "delivered 17.2% below plan for 4 weeks (weeks from 2026-04-06)"


def test_one_week_near_plan_breaks_a_sustained_variance():
    (review,) = review_flex(recorded("40", "46", "46", "44", "46"))
    assert review.flag is None


def test_a_variance_exactly_at_the_threshold_is_not_flagged():
    assert review_flex(recorded("40", "44", "44", "44", "44"))[0].flag is None


def test_weeks_above_and_below_plan_in_one_block_are_not_sustained():
    assert review_flex(recorded("40", "46", "30", "46", "30"))[0].flag is None


def test_the_threshold_and_the_review_length_are_parameters():
    weeks = recorded("40", "46", "46", "46", "46")
    assert review_flex(weeks, threshold=D("0.20"))[0].flag is None
    two = review_flex(weeks, review_weeks=2, threshold=D("0.10"))
    assert [r.flag for r in two] == [
        "delivered 15.0% above plan for 2 weeks (weeks from 2026-04-06)",
        "delivered 15.0% above plan for 2 weeks (weeks from 2026-04-20)",
    ]


def test_blocks_are_aligned_to_the_first_recorded_week_and_the_last_may_be_part_full():
    reviews = review_flex(recorded("40", *["46"] * 6))
    assert [r.weeks for r in reviews] == [(week(0), week(1), week(2), week(3)), (week(4), week(5))]
    assert reviews[0].flag is not None
    assert reviews[1].flag is None


def test_a_week_with_nothing_recorded_keeps_its_place_in_the_calendar():
    weeks = recorded("40", "46", "46") + recorded("40", "46", "46", "46", start=3)
    reviews = review_flex(weeks)
    assert [r.weeks for r in reviews] == [(week(0), week(1), week(3)), (week(4), week(5))]
    # Week 2 was not recorded, so neither block shows four weeks off plan.
    assert [r.flag for r in reviews] == [None, None]


def test_weeks_may_be_given_in_any_order():
    weeks = recorded("40", "45.75", "46", "45.75", "45.75")
    assert review_flex(list(reversed(weeks))) == review_flex(weeks)


def test_no_recorded_weeks_means_no_reviews():
    assert review_flex([]) == []


@pytest.mark.parametrize(
    ("weeks", "review_weeks", "reason"),
    [
        (recorded("40", "40"), 0, "at least one week, not 0"),
        (recorded("40", "40") * 2, 4, "each week may be recorded only once"),
        (
            [(MONDAY, D("40"), D("40")), (MONDAY + timedelta(days=3), D("40"), D("40"))],
            4,
            "2026-04-09 is not a whole number of weeks after 2026-04-06",
        ),
    ],
)
def test_a_review_of_weeks_that_do_not_fit_together_is_refused(weeks, review_weeks, reason):
    with pytest.raises(ValueError, match=reason):
        review_flex(weeks, review_weeks)


quarter_hours = st.integers(0, 4 * 60).map(lambda q: q * QUARTER)


@given(
    st.lists(st.tuples(st.integers(0, 60), quarter_hours, quarter_hours), max_size=30),
    st.integers(1, 6),
)
def test_reviews_account_for_every_recorded_hour_in_blocks_of_whole_weeks(weeks, review_weeks):
    by_week = {week(n): (planned, delivered) for n, planned, delivered in weeks}
    reviews = review_flex([(w, p, d) for w, (p, d) in by_week.items()], review_weeks)
    assert sorted(w for r in reviews for w in r.weeks) == sorted(by_week)
    assert sum(r.planned for r in reviews) == sum(p for p, _ in by_week.values())
    assert sum(r.delivered for r in reviews) == sum(d for _, d in by_week.values())
    for r in reviews:
        assert r.variance == r.delivered - r.planned
        assert (r.weeks[-1] - r.weeks[0]).days < 7 * review_weeks
        assert len({(w - min(by_week)).days // (7 * review_weeks) for w in r.weeks}) == 1
        assert r.flag is None or len(r.weeks) == review_weeks


def test_a_review_from_a_date_leaves_out_the_blocks_that_end_before_it():
    weeks = recorded("40", *["46"] * 9)  # two full blocks of four, then one week
    every = review_flex(weeks)
    later = review_flex(weeks, ending_from=every[1].weeks[-1])
    assert later == every[1:]
    assert review_flex(weeks, ending_from=every[2].weeks[0]) == every[2:]
