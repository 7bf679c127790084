"""An assessed contribution: the person's part of the budget, due by periods, paid in parts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from isf_ledger.domain.contribution import Contribution
from isf_ledger.domain.errors import RuleBroken
from tests.unit.refusals import refused
from tests.unit.test_schedule import START, agreement, budget, card

D = Decimal


def assessed(payee_kind: str = "agreement") -> tuple[Contribution, object]:
    b = budget()
    payee = agreement(b) if payee_kind == "agreement" else card(b)
    k = Contribution.assess("K1", b, payee, "monthly", START, D("1200.00"), command_id="k1")
    return k, payee


def test_a_contribution_is_due_by_periods_like_a_schedule():
    k, _ = assessed()
    assert len(k.periods) == 12 and sum(p.amount for p in k.periods) == D("1200.00")
    assert (k.option, k.payee, k.fund) == (2, "A1", "isf:A1")
    assert k.due_by(date(2026, 4, 5)) == 0
    # April, May and June have started by 30 June: 30 + 31 + 30 days of 365.
    assert k.due_by(date(2026, 6, 30)) == sum(p.amount for p in k.periods[:3])


def test_money_received_moves_from_the_persons_own_account_into_the_fund():
    k, a = assessed()
    k.receive(1, date(2026, 4, 10), D("50.00"), a, command_id="r1")
    event = k.pending_events[-1]
    assert type(event).__qualname__ == "Contribution.ContributionReceived"
    assert event.legs == {"contribution:K1": D("-50.00"), "isf:A1": D("50.00")}
    assert k.received == {1: D("50.00")}


def test_a_period_may_be_paid_in_parts_but_never_above_what_is_still_due():
    k, a = assessed("card")
    first = k.periods[0].amount
    k.receive(1, date(2026, 4, 10), D("50.00"), a, command_id="r1")
    with refused(k, f"£{first - D('50.00') + D('0.01')} is more than the £{first - D('50.00')} "
                 "still due for period 1"):  # fmt: skip
        k.receive(1, date(2026, 4, 11), first - D("50.00") + D("0.01"), a, command_id="r2")


def test_no_contribution_arrives_in_an_isf_after_its_agreement_ended():
    k, a = assessed()
    a.terminate(date(2026, 6, 30), command_id="t")
    with refused(k, "agreement A1 was terminated on 2026-06-30; no change can be made after"):
        k.receive(1, date(2026, 7, 1), D("10.00"), a, command_id="r1")


def test_a_contribution_into_a_fund_of_another_budget_is_refused():
    b2 = budget("B2")
    with pytest.raises(RuleBroken, match="card C1 belongs to budget B2, not budget B1"):
        Contribution.assess("K1", budget(), card(b2), "monthly", START, D("1.00"), command_id="k")
