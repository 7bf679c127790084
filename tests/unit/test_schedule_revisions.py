"""A schedule re-spread by ReviseSchedule, offsets kept back, and nothing paid after an ending."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from isf_ledger.domain.ledger import residual
from isf_ledger.domain.surplus import owed_back
from tests.unit.refusals import refused
from tests.unit.test_schedule import START, agreement, budget, card, schedule

D = Decimal


def test_a_revision_keeps_paid_withheld_and_started_periods_and_re_spreads_the_rest():
    b = budget()
    s = schedule(b, card(b))  # £13,000 4-weekly: twelve of £997.26, then £1,032.88
    s.record_payment(1, START, payee=card(b), budget=b, command_id="p1")
    s.withhold(3, date(2026, 5, 30), "returns missing", command_id="w3")
    # From 10 May: period 2 (started 4 May) is kept as well as 1 (paid) and 3 (withheld).
    s.revise(date(2026, 5, 10), D("10000.00"), b, command_id="r1")
    kept = [p.amount for p in s.periods[:3]]
    assert kept == [D("997.26")] * 3
    rest = s.periods[3:]
    # The other ten share 10,000 - 2,991.78 = 7,008.22 by their days over the 281
    # days from 29 June 2026 to 5 April 2027: 28 days each -> 698.33, the last the rest.
    assert [p.amount for p in rest[:-1]] == [D("698.33")] * 9
    assert rest[-1].amount == D("7008.22") - 9 * D("698.33")
    assert sum(p.amount for p in s.periods) == D("10000.00")
    event = s.pending_events[-1]
    assert type(event).__qualname__ == "Schedule.Revised"
    assert (event.amount, event.effective) == (D("10000.00"), date(2026, 5, 10))


def test_a_revision_below_what_is_kept_is_refused():
    b = budget()
    s = schedule(b, card(b))
    s.record_payment(1, START, payee=card(b), budget=b, command_id="p1")
    with refused(s, r"schedule S1 cannot be revised to £500.00 from 2026-04-07: 500.00 is below "
                 r"the 997.26 already paid, withheld or started"):  # fmt: skip
        s.revise(date(2026, 4, 7), D("500.00"), b, command_id="r1")


def test_revising_to_what_is_kept_leaves_nothing_more_to_pay():
    b = budget()
    s = schedule(b, card(b))
    s.revise(date(2026, 5, 4), D("997.26"), b, command_id="r1")
    assert [p.amount for p in s.periods[1:]] == [D("0.00")] * 12


def test_no_period_starting_after_termination_can_be_paid_even_on_the_day():
    b = budget()
    a = agreement(b)
    s = schedule(b, a, option=2)
    a.terminate(date(2026, 5, 20), command_id="t")
    # Period 3 starts 1 June, after the end; paying on the day of termination is still refused.
    with refused(s, "period 3 of schedule S1, starting 2026-06-01, cannot be paid: agreement A1 "
                 "was terminated on 2026-05-20, before it"):  # fmt: skip
        s.record_payment(3, date(2026, 5, 20), payee=a, budget=b, command_id="p3")
    s.record_payment(2, date(2026, 5, 20), payee=a, budget=b, command_id="p2")


def test_no_period_starting_after_the_budget_ended_can_be_paid():
    b = budget()
    c = card(b)
    s = schedule(b, c)
    b.end_on(date(2026, 5, 20), command_id="end")
    with refused(s, "period 3 of schedule S1, starting 2026-06-01, cannot be paid: budget B1 "
                 "ended on 2026-05-20, before it"):  # fmt: skip
        s.record_payment(3, date(2026, 5, 20), payee=c, budget=b, command_id="p3")


def test_an_offset_is_kept_back_from_the_money_moved_and_a_reversal_returns_what_moved():
    b = budget()
    c = card(b)
    s = schedule(b, c)
    s.record_payment(
        1, START, payee=c, budget=b, command_id="p1", offset=D("200.00"), owed_back=D("200.00")
    )
    paid = s.pending_events[-1]
    assert (paid.amount, paid.offset) == (D("997.26"), D("200.00"))
    assert paid.legs == {"council:FIFE": D("-797.26"), "card:C1": D("797.26")}
    s.reverse(1, date(2026, 4, 10), "wrong card", command_id="r1")
    back = s.pending_events[-1]
    assert back.legs == {"card:C1": D("-797.26"), "council:FIFE": D("797.26")}
    assert residual(back.legs.values()) == 0


def test_an_offset_above_the_period_is_refused():
    b = budget()
    c = card(b)
    s = schedule(b, c)
    with refused(s, "must be from £0.00 to the period's £997.26, not £1,000.00"):
        s.record_payment(1, START, payee=c, budget=b, command_id="p1", offset=D("1000.00"))


def test_an_offset_above_what_the_fund_owes_back_is_refused():
    b = budget()
    c = card(b)
    s = schedule(b, c)
    with refused(s, "an offset of £200.00 kept back from period 1 of schedule S1 is more than "
                 "card C1 owes back to the council on 2026-04-06, £199.99"):  # fmt: skip
        s.record_payment(
            1, START, payee=c, budget=b, command_id="p1", offset=D("200.00"), owed_back=D("199.99")
        )


def test_a_payment_stored_before_offsets_reads_as_no_offset():
    from isf_ledger.domain.schedule import Schedule

    state = {"period": 1, "amount": D("10.00")}
    Schedule.PaymentMade.upcast_v1_v2(state)
    assert state["offset"] == D("0.00")


@pytest.mark.parametrize(
    ("balance", "ended", "debt", "owed"),
    [
        (D("2005.48"), False, D("0.00"), D("405.48")),  # the balance above the threshold
        (D("1500.00"), False, D("0.00"), D("0.00")),  # below it: no surplus
        (D("1500.00"), True, D("0.00"), D("1500.00")),  # ended: the whole balance
        (D("-20.00"), True, D("0.00"), D("0.00")),  # nothing owed from an overdrawn fund
        (D("2005.48"), False, D("600.00"), D("600.00")),  # a larger debt: the debt
        (D("2005.48"), False, D("100.00"), D("405.48")),  # never surplus and debt added
    ],
)
def test_what_a_fund_owes_back_is_its_surplus_or_an_open_debt_if_more(balance, ended, debt, owed):
    assert owed_back(balance, D("1600.00"), ended, debt) == owed
