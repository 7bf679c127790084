"""Hours, flex, other costs and surplus recovery under a tripartite agreement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.flex import review_flex
from tests.unit.refusals import refused

D = Decimal
START = date(2026, 4, 6)  # a Monday
WEEK = date(2026, 6, 1)  # a Monday


def signed(on: date = START, **terms: Any) -> Agreement:
    a = Agreement.draft(
        agreement_id="A1",
        budget=Budget.propose("B1", "P1", START, D("13000.00"), "RAS", command_id="b1"),
        provider_id="PR1",
        authority="Fife",
        start=START,
        hourly_rate=terms.pop("hourly_rate", D("20.00")),
        planned_weekly_hours=terms.pop("planned_weekly_hours", D("33.5")),
        payment_frequency="monthly",
        command_id="a1",
        **terms,
    )
    for n, party in enumerate(("authority", "person", "provider")):
        a.sign(party, on, command_id=f"s{n}")
    return a


def vary_and_sign(a: Agreement, effective: date, signed_on: date, **terms: Any) -> None:
    a.vary(effective, command_id="v1", **terms)
    for n, party in enumerate(("authority", "person", "provider")):
        a.sign(party, signed_on, command_id=f"vs{n}")


# Hours


def test_a_week_is_charged_delivered_hours_times_the_rate_in_force_on_its_monday():
    a = signed(hourly_rate=D("21.37"))
    a.record_hours(WEEK, D("30.25"), command_id="h1")
    event = a.pending_events[-1]
    assert type(event).__qualname__ == "Agreement.HoursRecorded"
    assert (event.effective, event.command_id) == (WEEK, "h1")
    assert (event.delivered_hours, event.planned_hours, event.hourly_rate) == (
        D("30.25"),
        D("33.5"),
        D("21.37"),
    )
    # 30.25 x 21.37 = 646.4425, rounded half up to the penny
    assert event.charge == D("646.44")
    assert event.legs == {"isf:A1": D("-646.44"), "support:PR1": D("646.44")}
    assert event.flags == []
    assert a.weeks[WEEK].charge == D("646.44")


def test_a_week_charge_is_rounded_half_up():
    a = signed(hourly_rate=D("20.02"))
    a.record_hours(WEEK, D("10.25"), command_id="h1")
    assert a.pending_events[-1].charge == D("205.21")  # 205.205


def test_hours_are_recorded_for_weeks_starting_on_a_monday():
    a = signed()
    with refused(a, "week_start 2026-06-02 is a Tuesday; weeks start on a Monday"):
        a.record_hours(date(2026, 6, 2), D("30"), command_id="h1")


def test_hours_must_be_in_quarter_hours():
    a = signed()
    with refused(a, r"hours must be in quarter hours \(multiples of 0.25\): 7.1 is not"):
        a.record_hours(WEEK, D("7.1"), command_id="h1")


def test_hours_are_not_recorded_while_the_agreement_is_not_active():
    a = signed(on=date(2026, 6, 3))
    with refused(a, "agreement A1 is not active on 2026-06-01: not yet signed by the "
                 "authority, the person and the provider"):  # fmt: skip
        a.record_hours(WEEK, D("30"), command_id="h1")


def test_hours_are_not_recorded_for_a_week_starting_while_suspended():
    a = signed()
    a.suspend(date(2026, 5, 25), command_id="x1")
    with refused(a, "agreement A1 is not active on 2026-06-01: suspended since 2026-05-25"):
        a.record_hours(WEEK, D("30"), command_id="h1")


def starting_on_a_friday() -> Agreement:
    a = Agreement.draft(
        agreement_id="A1",
        budget=Budget.propose("B1", "P1", START, D("13000.00"), "RAS", command_id="b1"),
        provider_id="PR1",
        authority="Fife",
        start=date(2026, 5, 1),  # a Friday
        hourly_rate=D("20.00"),
        planned_weekly_hours=D("10"),
        payment_frequency="monthly",
        command_id="a1",
    )
    for n, party in enumerate(("authority", "person", "provider")):
        a.sign(party, date(2026, 4, 20), command_id=f"s{n}")
    return a


def test_the_first_week_may_start_on_the_monday_before_the_agreement_starts():
    a = starting_on_a_friday()
    a.record_hours(date(2026, 4, 27), D("6"), command_id="h1")
    assert a.weeks[date(2026, 4, 27)].charge == D("120.00")


def test_no_week_before_the_first_is_recorded():
    a = starting_on_a_friday()
    with refused(a, "agreement A1 is not active on 2026-04-20: before its start on 2026-05-01"):
        a.record_hours(date(2026, 4, 20), D("6"), command_id="h1")


def test_a_week_charged_above_the_limit_for_any_amount_is_refused():
    a = signed(planned_weekly_hours=D("60000000"))
    with refused(a, r"1200000000.00 moving for isf:A1 is above the limit of 999999999.99"):
        a.record_hours(WEEK, D("60000000"), command_id="h1")


def test_hours_may_rise_above_plan_up_to_the_flex_cap_without_approval():
    a = signed()
    a.record_hours(WEEK, D("37.0"), command_id="h1")  # 33.5 + 3.5
    assert a.pending_events[-1].charge == D("740.00")


def test_hours_above_the_flex_cap_are_recorded_and_await_approval_uncharged():
    a = signed()
    a.record_hours(WEEK, D("37.75"), command_id="h1")  # 4.25 above the plan of 33.5
    event = a.pending_events[-1]
    assert event.delivered_hours == D("37.75")
    assert event.charge == D("740.00")  # 37 (plan + cap) x 20.00; 0.75 awaits approval
    assert event.flags == ["above flex cap, awaiting approval"]
    assert a.hours_awaiting_approval(WEEK, D("37.75")) == D("0.75")


def test_an_approval_lets_hours_above_the_cap_through_for_that_week_only():
    a = signed()
    a.approve_flex(WEEK, "team leader", command_id="f1")
    approval = a.pending_events[-1]
    assert type(approval).__qualname__ == "Agreement.FlexApproved"
    assert (approval.effective, approval.approved_by) == (WEEK, "team leader")
    a.record_hours(WEEK, D("40"), command_id="h1")
    assert a.pending_events[-1].charge == D("800.00")
    a.record_hours(date(2026, 6, 8), D("40"), command_id="h2")
    assert a.pending_events[-1].charge == D("740.00")  # the next week waits for its own


def test_each_week_carries_its_flex_flags_in_plain_words():
    a = signed()
    a.record_hours(WEEK, D("35"), command_id="h1")
    a.approve_flex(date(2026, 6, 8), "team leader", command_id="f1")
    a.record_hours(date(2026, 6, 8), D("40"), command_id="h2")
    assert a.weeks[WEEK].flags == ("above plan within flex cap",)
    assert a.pending_events[-1].flags == ["above flex cap, approved"]


def test_flex_is_reviewed_in_blocks_of_the_agreements_review_weeks():
    a = signed(review_weeks=2)
    for n, hours in enumerate(["30", "29.75", "33.5", "36"]):
        a.record_hours(date(2026, 6, 1 + 7 * n), D(hours), command_id=f"h{n}")
    weeks = [(w.week_start, w.planned_hours, w.delivered_hours) for w in a.weeks.values()]
    reviews = review_flex(weeks, a.review_weeks, D("0.10"))
    assert [(r.weeks[0], r.planned, r.delivered) for r in reviews] == [
        (date(2026, 6, 1), D("67.0"), D("59.75")),
        (date(2026, 6, 15), D("67.0"), D("69.5")),
    ]
    assert reviews[0].flag == "delivered 10.8% below plan for 2 weeks (weeks from 2026-06-01)"
    assert reviews[1].flag is None
    assert len(review_flex(weeks[:2], a.review_weeks, D("0.10"))) == 1


def test_fewer_hours_than_planned_are_always_allowed():
    a = signed()
    a.record_hours(WEEK, D("0"), command_id="h1")
    assert a.pending_events[-1].charge == D("0.00")


def test_the_flex_cap_is_the_agreements_own():
    a = signed(flex_cap_hours=D("1"))
    a.record_hours(WEEK, D("35"), command_id="h1")
    assert a.hours_awaiting_approval(WEEK, D("35")) == D("0.5")  # 35 - (33.5 + 1)
    assert a.pending_events[-1].charge == D("690.00")  # 34.5 x 20.00


def test_a_week_is_recorded_once():
    a = signed()
    a.record_hours(WEEK, D("30"), command_id="h1")
    with refused(a, "hours for week 2026-06-01 were already recorded by command h1 "
                 r"\(30 hours\); each week is recorded once"):  # fmt: skip
        a.record_hours(WEEK, D("31"), command_id="h2")


def test_flex_is_approved_once_a_week():
    a = signed()
    a.approve_flex(WEEK, "team leader", command_id="f1")
    with refused(a, "flex for week 2026-06-01 was already approved by team leader"):
        a.approve_flex(WEEK, "manager", command_id="f2")


def test_flex_within_the_cap_needs_no_approval_so_none_is_taken_after_the_hours():
    a = signed()
    a.record_hours(WEEK, D("30"), command_id="h1")
    with refused(a, "no hours of week 2026-06-01 await approval, so there is nothing to approve"):
        a.approve_flex(WEEK, "team leader", command_id="f1")


def test_flex_is_approved_for_a_week_starting_on_a_monday():
    a = signed()
    with refused(a, "week_start 2026-06-03 is a Wednesday; weeks start on a Monday"):
        a.approve_flex(date(2026, 6, 3), "team leader", command_id="f1")


def test_a_week_after_a_variation_is_charged_at_the_new_rate_and_plan():
    a = signed()
    vary_and_sign(a, WEEK, date(2026, 5, 20), hourly_rate=D("22.00"), planned_weekly_hours=D("30"))
    a.record_hours(date(2026, 5, 25), D("33.5"), command_id="h1")
    a.record_hours(WEEK, D("33.5"), command_id="h2")
    before, after = a.pending_events[-2], a.pending_events[-1]
    assert (before.hourly_rate, before.planned_hours, before.charge) == (
        D("20.00"),
        D("33.5"),
        D("670.00"),
    )
    assert (after.hourly_rate, after.planned_hours, after.charge) == (
        D("22.00"),
        D("30"),
        D("737.00"),
    )


def test_an_unsigned_variation_leaves_weeks_charged_at_the_old_terms():
    a = signed()
    a.vary(WEEK, command_id="v1", hourly_rate=D("22.00"))
    a.record_hours(WEEK, D("30"), command_id="h1")
    assert a.pending_events[-1].hourly_rate == D("20.00")


def test_a_variation_cannot_reach_back_over_weeks_already_charged():
    a = signed()
    a.record_hours(WEEK, D("30"), command_id="h1")
    with refused(a, "hours for week 2026-06-01 are already recorded, so a variation must "
                 "take effect after 2026-06-01"):  # fmt: skip
        a.vary(WEEK, command_id="v1", hourly_rate=D("22.00"))


def test_the_last_signature_cannot_bring_a_variation_in_over_weeks_already_charged():
    a = signed()
    a.vary(date(2026, 5, 25), command_id="v1", hourly_rate=D("22.00"))
    a.sign("authority", date(2026, 5, 20), command_id="vs1")
    a.sign("person", date(2026, 5, 20), command_id="vs2")
    a.record_hours(WEEK, D("30"), command_id="h1")  # old terms: not all have signed
    with refused(a, "so the variation must take effect after 2026-06-01"):
        a.sign("provider", date(2026, 5, 22), command_id="vs3")
    a.sign("provider", date(2026, 6, 2), command_id="vs3")
    assert a.terms_on(date(2026, 6, 8)).hourly_rate == D("22.00")
    assert a.weeks[WEEK].hourly_rate == D("20.00")


def test_a_suspension_cannot_reach_back_over_weeks_already_charged():
    a = signed()
    a.record_hours(WEEK, D("30"), command_id="h1")
    with refused(a, "so a suspension must take effect after 2026-06-01"):
        a.suspend(date(2026, 5, 30), command_id="x1")


def test_a_termination_cannot_reach_back_over_weeks_already_charged():
    a = signed()
    a.record_hours(WEEK, D("30"), command_id="h1")
    with refused(a, "so a termination must take effect on or after 2026-06-01"):
        a.terminate(date(2026, 5, 31), command_id="t1")
    a.terminate(WEEK, command_id="t1")  # the week starting on the day is charged


# Other costs


def test_a_cost_moves_money_from_the_isf_to_the_agreements_costs():
    a = signed()
    a.record_cost(date(2026, 6, 10), D("45.60"), "travel to the day centre", command_id="k1")
    event = a.pending_events[-1]
    assert type(event).__qualname__ == "Agreement.CostRecorded"
    assert (event.effective, event.amount, event.description) == (
        date(2026, 6, 10),
        D("45.60"),
        "travel to the day centre",
    )
    assert event.legs == {"isf:A1": D("-45.60"), "costs:A1": D("45.60")}


def test_a_cost_may_be_recorded_while_the_agreement_is_suspended():
    a = signed()
    a.suspend(date(2026, 6, 1), command_id="x1")
    a.record_cost(date(2026, 6, 10), D("30.00"), "cancellation fee", command_id="k1")
    assert a.pending_events[-1].amount == D("30.00")


def test_a_cost_is_not_recorded_before_the_agreement_is_signed():
    a = signed(on=date(2026, 6, 15))
    with refused(a, "agreement A1 is not in force on 2026-06-10: not yet signed by"):
        a.record_cost(date(2026, 6, 10), D("30.00"), "travel", command_id="k1")


def test_a_cost_is_recorded_on_the_day_of_termination_but_not_after():
    a = signed()
    a.terminate(date(2026, 6, 10), command_id="t1")
    a.record_cost(date(2026, 6, 10), D("30.00"), "last visit", command_id="k1")
    with refused(a, "agreement A1 was terminated on 2026-06-10; no change can be made after"):
        a.record_cost(date(2026, 6, 11), D("30.00"), "travel", command_id="k2")


def test_a_cost_must_be_more_than_zero():
    a = signed()
    with refused(a, "a cost must be more than zero"):
        a.record_cost(date(2026, 6, 10), D("0.00"), "nothing", command_id="k1")


def test_a_termination_cannot_reach_back_over_costs_already_recorded():
    a = signed()
    a.record_cost(date(2026, 6, 10), D("30.00"), "travel", command_id="k1")
    with refused(a, "cannot be terminated on 2026-06-09: changes are already recorded for "
                 "2026-06-10"):  # fmt: skip
        a.terminate(date(2026, 6, 9), command_id="t1")


# Surplus recovery


def test_a_recovery_moves_money_from_the_isf_back_to_the_council():
    a = signed()
    a.recover_surplus(
        D("500.00"), date(2026, 9, 30), "surplus", balance=D("512.40"), command_id="r1"
    )
    event = a.pending_events[-1]
    assert type(event).__qualname__ == "Agreement.SurplusRecovered"
    assert (event.amount, event.reason, event.balance_before) == (
        D("500.00"),
        "surplus",
        D("512.40"),
    )
    assert event.legs == {"isf:A1": D("-500.00"), "council:Fife": D("500.00")}


def test_a_recovery_of_the_whole_balance_is_allowed():
    a = signed()
    a.recover_surplus(
        D("512.40"), date(2026, 9, 30), "surplus", balance=D("512.40"), command_id="r1"
    )
    assert a.pending_events[-1].amount == D("512.40")


def test_a_recovery_above_the_isf_balance_is_refused():
    a = signed()
    with refused(a, "recovery of £900.00 is more than the ISF balance of £512.40 on 2026-09-30"):
        a.recover_surplus(
            D("900.00"), date(2026, 9, 30), "surplus", balance=D("512.40"), command_id="r1"
        )


def test_a_recovery_from_an_overdrawn_isf_is_refused():
    a = signed()
    with refused(a, "recovery of £1,200.00 is more than the ISF balance of -£3.20"):
        a.recover_surplus(
            D("1200.00"), date(2026, 9, 30), "surplus", balance=D("-3.20"), command_id="r1"
        )


def test_a_surplus_may_be_recovered_while_suspended_and_on_the_day_of_termination():
    a = signed()
    a.suspend(date(2026, 9, 1), command_id="x1")
    a.recover_surplus(D("100.00"), date(2026, 9, 15), "surplus", balance=D("500.00"),
                      command_id="r1")  # fmt: skip
    a.terminate(date(2026, 9, 30), command_id="t1")
    a.recover_surplus(D("400.00"), date(2026, 9, 30), "closing the ISF", balance=D("400.00"),
                      command_id="r2")  # fmt: skip
    assert [e.amount for e in a.pending_events[-3::2]] == [D("100.00"), D("400.00")]


def test_planned_hours_count_the_weeks_starting_in_the_span_while_the_agreement_is_active():
    a = signed()  # 33.5 hours a week from Monday 6 April
    vary_and_sign(a, date(2026, 6, 15), date(2026, 6, 1), planned_weekly_hours=D("20"))
    a.suspend(date(2026, 6, 22), command_id="x1")
    # June's Mondays: the 1st and 8th at 33.5, the 15th at 20, the 22nd and 29th suspended.
    assert a.planned_hours(date(2026, 6, 1), date(2026, 6, 30)) == D("87.0")
    assert a.planned_hours(date(2026, 6, 2), date(2026, 6, 7)) == 0


def test_the_surplus_is_the_balance_above_the_threshold_never_below_zero():
    a = signed(surplus_weeks=4)  # 4 weeks x 33.5 hours x £20.00 = £2,680.00
    assert a.surplus(D("3000.00"), date(2026, 6, 30)) == D("320.00")
    assert a.surplus(D("2000.00"), date(2026, 6, 30)) == D("0.00")
