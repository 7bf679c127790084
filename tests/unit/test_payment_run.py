"""What a run may pay (`why_not_payable`) and what it records (`PaymentRun`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.payment_run import PaymentRun, RunPayment, why_not_payable
from tests.unit.test_schedule import START, account, agreement, budget, card, schedule

D = Decimal


def test_an_isf_needs_its_providers_account_and_a_direct_payment_a_remembered_person():
    b = budget()
    a = agreement(b)
    isf = schedule(b, a, option=2)
    assert why_not_payable(isf, 1, START, a, b, "PACC", False) is None
    assert why_not_payable(isf, 1, START, a, b, None, False) == (
        "the provider of agreement A1 has no bank account: register one"
    )
    acc = account("P1")
    direct = schedule(b, acc)
    assert why_not_payable(direct, 1, START, acc, b, "ACC", False) is None
    assert why_not_payable(direct, 1, START, acc, b, "ACC", True) == (
        "person P1 was forgotten: their bank details are gone"
    )


def test_a_period_is_checked_on_its_first_day_and_on_the_day_paid():
    b = budget()
    a = agreement(b)
    isf = schedule(b, a, option=2)
    a.suspend(date(2026, 4, 20), command_id="susp")
    # Period 2 starts on 2026-05-04, while suspended: not paid, not even in advance.
    assert "suspended since 2026-04-20" in str(why_not_payable(isf, 2, None, a, b, "P", False))
    assert "suspended" in str(why_not_payable(isf, 2, date(2026, 4, 10), a, b, "P", False))
    assert why_not_payable(isf, 1, date(2026, 4, 10), a, b, "P", False) is None


def test_a_run_records_only_periods_paid_on_its_day_each_once():
    b = budget()
    c = card(b)
    s = schedule(b, c)
    s.record_payment(1, START, c, b, command_id="pay")
    run = PaymentRun.record("R", START, START, START, [RunPayment(s, 1, None)], "run")
    assert run.summary == {"card": {"count": 1, "total": s.periods[0].amount}}
    with pytest.raises(RuleBroken, match="period 2 of schedule S1 was not paid on 2026-04-06"):
        PaymentRun.record("R", START, START, START, [RunPayment(s, 2, None)], "run")
    twice = [RunPayment(s, 1, None)] * 2
    with pytest.raises(RuleBroken, match="lists period 1 of S1 twice"):
        PaymentRun.record("R", START, START, START, twice, "run")
