"""Hours above the flex cap wait for the council: approved late, or declined and never charged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.unit.refusals import refused
from tests.unit.test_agreement_hours import WEEK, signed

D = Decimal


def test_a_late_approval_charges_the_hours_awaiting_to_the_weeks_own_date():
    a = signed()  # 33.5 planned, cap 3.5, £20.00 an hour
    a.record_hours(WEEK, D("40"), command_id="h1")  # 37 charged, 3 awaiting
    a.approve_flex(WEEK, "team leader", command_id="f1")
    event = a.pending_events[-1]
    assert type(event).__qualname__ == "Agreement.FlexApprovedAfterHours"
    assert (event.effective, event.hours, event.charge) == (WEEK, D("3"), D("60.00"))
    assert event.legs == {"isf:A1": D("-60.00"), "support:PR1": D("60.00")}
    assert a.weeks[WEEK].charge == D("800.00")  # 40 x 20.00, the whole week now
    assert a.hours_awaiting_approval(WEEK, D("40")) == 0


def test_a_late_approval_charges_the_rounded_week_less_what_was_charged():
    a = signed(hourly_rate=D("20.02"))
    a.record_hours(WEEK, D("37.25"), command_id="h1")  # 37 x 20.02 = 740.74 charged
    a.approve_flex(WEEK, "team leader", command_id="f1")
    assert a.pending_events[-1].charge == D("5.01")  # 745.745 -> 745.75, less 740.74


def test_declined_hours_are_never_charged():
    a = signed()
    a.record_hours(WEEK, D("40"), command_id="h1")
    a.decline_flex(WEEK, "team leader", "crisis covered by family", command_id="d1")
    event = a.pending_events[-1]
    assert type(event).__qualname__ == "Agreement.FlexDeclined"
    assert (event.hours, event.reason) == (D("3"), "crisis covered by family")
    assert not hasattr(event, "legs")
    assert a.hours_declined(WEEK, D("40")) == D("3")
    assert a.hours_awaiting_approval(WEEK, D("40")) == 0
    with refused(a, "flex for week 2026-06-01 was already declined by team leader"):
        a.approve_flex(WEEK, "manager", command_id="f1")


def test_a_decline_before_the_hours_leaves_the_excess_uncharged_when_they_come():
    a = signed()
    a.decline_flex(WEEK, "team leader", "no crisis plan", command_id="d1")
    a.record_hours(WEEK, D("40"), command_id="h1")
    assert a.pending_events[-1].charge == D("740.00")
    assert a.pending_events[-1].flags == ["above flex cap, declined"]


def test_an_approved_week_cannot_be_declined():
    a = signed()
    a.approve_flex(WEEK, "team leader", command_id="f1")
    with refused(a, "flex for week 2026-06-01 was already approved by team leader"):
        a.decline_flex(WEEK, "manager", "changed mind", command_id="d1")


def test_there_is_nothing_to_decline_in_a_week_within_the_cap():
    a = signed()
    a.record_hours(WEEK, D("36"), command_id="h1")
    with refused(a, "no hours of week 2026-06-01 await approval, so there is nothing to decline"):
        a.decline_flex(WEEK, "manager", "why", command_id="d1")


def test_a_week_before_termination_may_still_be_approved_after_it():
    a = signed()
    a.record_hours(WEEK, D("40"), command_id="h1")
    a.terminate(date(2026, 6, 5), command_id="t1")
    a.approve_flex(WEEK, "team leader", command_id="f1")
    assert a.pending_events[-1].charge == D("60.00")
