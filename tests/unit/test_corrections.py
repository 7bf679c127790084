"""Corrections in the domain: a week's hours replaced, a cost and a top-up reversed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.unit.refusals import refused
from tests.unit.test_agreement_hours import WEEK, signed

D = Decimal


def test_a_correction_charges_the_difference_on_the_weeks_own_date_naming_the_original():
    a = signed()  # 33.5 planned, cap 3.5, £20.00 an hour
    a.record_hours(WEEK, D("30"), command_id="h1")
    a.correct_hours(WEEK, D("32.25"), "timesheet", command_id="c1")
    event = a.pending_events[-1]
    assert type(event).__qualname__ == "Agreement.HoursCorrected"
    assert (event.effective, event.charge, event.corrects) == (WEEK, D("45.00"), "h1")
    assert event.legs == {"isf:A1": D("-45.00"), "support:PR1": D("45.00")}
    assert (a.weeks[WEEK].delivered_hours, a.weeks[WEEK].charge) == (D("32.25"), D("645.00"))


def test_a_correction_above_the_cap_leaves_the_hours_above_it_awaiting_approval():
    a = signed()
    a.record_hours(WEEK, D("30"), command_id="h1")
    a.correct_hours(WEEK, D("40"), "timesheet", command_id="c1")  # 37 charged, 3 awaiting
    assert a.pending_events[-1].charge == D("140.00")
    a.approve_flex(WEEK, "team leader", command_id="f1")
    assert a.weeks[WEEK].charge == D("800.00")
    a.correct_hours(WEEK, D("38"), "timesheet", command_id="c2")  # approved: all charged
    assert a.pending_events[-1].charge == D("-40.00")


def test_a_cost_is_reversed_once_on_its_own_date():
    a = signed()
    a.record_cost(date(2026, 4, 20), D("40.00"), "trip", command_id="k1", cost_id="C1")
    a.reverse_cost("C1", date(2026, 5, 2), "wrong person", command_id="r1")
    event = a.pending_events[-1]
    assert (event.effective, event.reversed_on, event.corrects) == (
        date(2026, 4, 20), date(2026, 5, 2), "k1")  # fmt: skip
    assert event.legs == {"costs:A1": D("-40.00"), "isf:A1": D("40.00")}
    with refused(a, "cost C1 was already reversed by command r1"):
        a.reverse_cost("C1", date(2026, 5, 3), "again", command_id="r2")
    with refused(a, "agreement A1 has no cost C2 to reverse"):
        a.reverse_cost("C2", date(2026, 5, 3), "never", command_id="r3")
