"""Exceptions with a life, on both databases: raised from the reports' own flags,
listed with stable ids, resolved each way, paid down, and closed when their cause
goes away."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.bootstrap import open_ledger
from isf_ledger.domain.exceptions import KINDS, exception_id
from isf_ledger.reports.exception_refresh import month_of, months_from
from isf_ledger.reports.exception_store import exceptions
from isf_ledger.reports.exceptions import open_debt
from isf_ledger.settings import Settings
from tests.integration.in_process import applied
from tests.integration.test_money_rules import SETUP, errors, now, schedule
from tests.integration.test_reconcile_cards import B2, build, export

D = Decimal
TODAY = date(2026, 12, 1)
PAY_APRIL = {"type": "RecordPayment", "schedule_id": "S1", "period": 1, "paid_on": "2026-04-06"}
OVER_CAP = {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-06",
            "delivered_hours": "16"}  # fmt: skip
ASSESS = {"type": "AssessContribution", "contribution_id": "K1", "budget_id": "B1",
          "payee": "A1", "frequency": "monthly", "first_due": "2026-04-06",
          "amount": "1200.00"}  # fmt: skip


GIFT = [
    {"type": "AgreeTopUp", "topup_id": "T1", "agreement_id": "A1", "payer": "family",
     "amount_per_period": "2000.00", "reason": "a holiday"},
    {"type": "RecordTopUp", "topup_id": "T1", "received_on": "2026-04-10", "amount": "2000.00"},
]  # fmt: skip


def stored(led) -> dict[str, str | None]:
    """The table as it stands, never refreshed by reading it: id -> why it went."""
    with led.engine.connect() as conn:
        rows = conn.execute(select(exceptions.c.exception_id, exceptions.c.gone_why))
        return {xid: why for xid, why in rows}


def listed(ledger, **options):
    return {(x.kind, x.month): x for x in ledger.exceptions(today=TODAY, **options).exceptions}


def test_provider_statement_flags_are_exceptions_with_stable_ids(ledger):
    applied(ledger, [*SETUP, schedule("10000.00"), ASSESS, OVER_CAP], "s")
    found = listed(ledger, month="2026-04")
    assert set(found) == {
        ("negative-balance", "2026-04"),
        ("flex-awaiting-approval", "2026-04"),
        ("contribution-arrears", "2026-04"),
    }
    negative = found["negative-balance", "2026-04"]
    assert negative.exception_id == exception_id("negative-balance", "agreement:A1", "2026-04")
    assert (negative.amount, negative.raised_on, negative.age_days) == (
        D("-270.00"), date(2026, 4, 30), 215)  # fmt: skip
    assert (negative.status, negative.subject) == ("open", "agreement A1")
    counts = ledger.exceptions(today=TODAY, month="2026-04").counts
    assert counts == {"contribution-arrears": 1, "flex-awaiting-approval": 1, "negative-balance": 1}
    ledger.rebuild()
    assert listed(ledger, month="2026-04") == found


def test_months_with_nothing_recorded_are_examined_up_to_today_while_anything_is_scheduled(
    ledger,
):
    """Nothing moves after April, yet the ISF stays below zero and the contribution
    falls further behind each month: up to today's month, and no further than the
    month after the schedule's last period starts (March 2027)."""
    applied(ledger, [*SETUP, schedule("10000.00"), ASSESS, OVER_CAP], "s")
    expected = months_from("2026-04", min(month_of(date.today()), "2027-04"))
    every = ledger.exceptions(today=TODAY).exceptions
    for kind in ("negative-balance", "contribution-arrears"):
        assert sorted(x.month for x in every if x.kind == kind) == expected
    arrears = {x.month: x.amount for x in every if x.kind == "contribution-arrears"}
    assert (arrears["2026-04"], arrears["2026-05"]) == (D("98.63"), D("200.55"))


def test_a_cause_that_goes_away_closes_its_exception_recording_why(ledger):
    applied(ledger, [*SETUP, schedule("10000.00"), OVER_CAP], "s")
    awaiting = listed(ledger)["flex-awaiting-approval", "2026-04"]
    applied(ledger, [{"type": "ApproveFlex", "agreement_id": "A1", "week_start": "2026-04-06",
                      "approved_by": "team leader"}], "f")  # fmt: skip
    assert ("flex-awaiting-approval", "2026-04") not in listed(ledger)
    closed = listed(ledger, status="resolved")["flex-awaiting-approval", "2026-04"]
    assert closed.exception_id == awaiting.exception_id
    assert (closed.outcome, closed.reason) == (
        "gone", "the flexed hours were approved, declined or corrected")  # fmt: skip


def test_top_up_arrears_are_raised_each_month_short_and_close_when_paid(ledger):
    """A top-up is due each payment period of its agreement from its first receipt:
    £100 a month received in April only leaves May £100 short (and June £200);
    a late receipt for May closes May's exception with why."""
    applied(ledger, [*SETUP, {"type": "AgreeTopUp", "topup_id": "T2", "agreement_id": "A1",
                              "payer": "family", "amount_per_period": "100.00", "reason": "rate"},
                     {"type": "RecordTopUp", "topup_id": "T2", "received_on": "2026-04-08",
                      "amount": "100.00"},
                     {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-06-01",
                      "delivered_hours": "1"}], "s")  # fmt: skip
    found = {m: x for (k, m), x in listed(ledger).items() if k == "top-up-arrears"}
    assert {m: x.amount for m, x in found.items() if m <= "2026-06"} == {
        "2026-05": D("100.00"), "2026-06": D("200.00")}  # fmt: skip
    may = found["2026-05"]
    assert may.exception_id == exception_id("top-up-arrears", "agreement:A1", "2026-05")
    statement = ledger.provider_statement("PR1", "2026-05")
    assert statement.agreements[0].top_up_arrears == D("100.00")
    assert ("top-up-arrears", "open") in {
        (x.kind, x.status) for x in statement.agreements[0].exceptions
    }
    applied(ledger, [{"type": "RecordTopUp", "topup_id": "T2", "received_on": "2026-05-08",
                      "amount": "100.00"}], "p")  # fmt: skip
    closed = listed(ledger, status="resolved")["top-up-arrears", "2026-05"]
    assert (closed.exception_id, closed.outcome, closed.reason) == (
        may.exception_id, "gone", "the top-up was paid")  # fmt: skip
    assert listed(ledger)["top-up-arrears", "2026-06"].amount == D("100.00")


def test_resolved_each_way_and_a_recover_debt_stays_open_until_paid(ledger):
    applied(ledger, [*SETUP, schedule("10000.00"), PAY_APRIL, ASSESS, OVER_CAP, *GIFT], "s")
    found = listed(ledger)
    before = now()
    kinds = ("surplus", "contribution-arrears", "flex-awaiting-approval")
    surplus, arrears, flex = (found[k, "2026-04"] for k in kinds)
    applied(ledger, [
        {"type": "ResolveException", "exception_id": flex.exception_id, "outcome": "explained",
         "reason": "approval on its way"},
        {"type": "ResolveException", "exception_id": arrears.exception_id,
         "outcome": "write-off", "reason": "hardship"},
        {"type": "ResolveException", "exception_id": surplus.exception_id, "outcome": "recover",
         "reason": "unspent", "amount": "100.00"},
    ], "r")  # fmt: skip
    after = listed(ledger, status="all")
    assert [(after[k, "2026-04"].status, after[k, "2026-04"].outcome) for k in
            ("flex-awaiting-approval", "contribution-arrears", "surplus")] == [
        ("resolved", "explained"), ("resolved", "write-off"), ("open", "recover")]  # fmt: skip
    assert after["surplus", "2026-04"].owed == D("100.00")
    applied(ledger, [{"type": "RecoverSurplus", "agreement_id": "A1", "on": "2026-05-01",
                      "amount": "60.00", "reason": "first part"}], "p1")  # fmt: skip
    assert listed(ledger)["surplus", "2026-04"].owed == D("40.00")
    applied(ledger, [{"type": "RecordPayment", "schedule_id": "S1", "period": 2,
                      "paid_on": "2026-05-06", "offset": "40.00"}], "p2")  # fmt: skip
    then = listed(ledger, status="all", as_at=before)
    assert {x.status for x in then.values()} == {"open"}
    assert {k: x.exception_id for k, x in then.items()} == {
        k: x.exception_id for k, x in found.items()
    }
    paid = listed(ledger, status="resolved")["surplus", "2026-04"]
    assert (paid.status, paid.owed) == ("resolved", D("0.00"))
    assert errors(ledger, [{"type": "ResolveException", "exception_id": flex.exception_id,
                            "outcome": "write-off", "reason": "again"}], "x") == [
        f"exception {flex.exception_id} was already resolved (explained) by command r1"
    ]  # fmt: skip
    assert errors(ledger, [{"type": "ResolveException", "exception_id": "X-0000",
                            "outcome": "explained", "reason": "?"}], "y") == [
        "unknown exception X-0000"]  # fmt: skip
    trail = [c for c in ledger.audit_trail(agreement="A1") if c.type == "ExceptionCase.Resolved"]
    assert [c.data["exception_id"] for c in trail] == [flex.exception_id, arrears.exception_id,
                                                       surplus.exception_id]  # fmt: skip


def test_one_recovery_pays_one_debt_the_oldest_first(ledger):
    """Two recover decisions on one fund (£100 on April's surplus, then £50 on
    May's) and one £100 recovery: it pays April's debt, May's is still owed."""
    applied(ledger, [*SETUP, schedule("10000.00"), PAY_APRIL, *GIFT], "s")
    found = listed(ledger)
    april, may = found["surplus", "2026-04"], found["surplus", "2026-05"]
    for n, (x, amount) in enumerate(((april, "100.00"), (may, "50.00"))):
        applied(ledger, [{"type": "ResolveException", "exception_id": x.exception_id,
                          "outcome": "recover", "reason": "unspent", "amount": amount}],
                f"r{n}")  # fmt: skip
    applied(ledger, [{"type": "RecoverSurplus", "agreement_id": "A1", "on": "2026-06-01",
                      "amount": "100.00", "reason": "April's"}], "p")  # fmt: skip
    after = listed(ledger, status="all")
    assert (after["surplus", "2026-04"].status, after["surplus", "2026-04"].owed) == (
        "resolved", D("0.00"))  # fmt: skip
    assert (after["surplus", "2026-05"].status, after["surplus", "2026-05"].owed) == (
        "open", D("50.00"))  # fmt: skip
    with ledger.engine.connect() as conn:
        assert open_debt(conn, ledger.app, "agreement", "A1") == D("50.00")


def test_card_flags_are_exceptions_beside_the_flags_and_a_missing_load_closes_itself(
    db_url, tmp_path
):
    url = build(db_url, tmp_path)["url"]
    led = open_ledger(Settings(db_url=url))
    try:
        march = {
            (x.kind, x.subject) for x in led.exceptions(month="2026-03", today=TODAY).exceptions
        }
        assert march >= {
            ("blocked-merchant", "card CARD-A"), ("possible-duplicate", "card CARD-A"),
            ("unexpected-load", "card CARD-A"), ("balance-difference", "card CARD-A"),
            ("missing-load", "card CARD-B"), ("cash-over-limit", "card CARD-B"),
        }  # fmt: skip
        rec = {c.card_id: c for c in led.reconcile_cards("2026-03").cards}
        assert {x.kind for x in rec["CARD-B"].exceptions} >= {"missing-load", "cash-over-limit"}
        missing = next(x for x in rec["CARD-B"].exceptions if x.kind == "missing-load")
        late = tmp_path / "late.csv"
        late.write_text(export([("CARD-B", "2026-03-04", "LOAD", "Direct payment", "", "", B2)],
                               off_by=D(0)))  # fmt: skip
        led.import_cards([late], load_profile("generic"))
        assert stored(led)[missing.exception_id] == "the load arrived"  # current on return
        listed_now = {
            x.exception_id: x for x in led.exceptions(status="all", today=TODAY).exceptions
        }
        gone = listed_now[missing.exception_id]
        assert (gone.status, gone.outcome, gone.reason) == ("resolved", "gone", "the load arrived")
        assert led.exceptions(today=TODAY).exceptions == led.exceptions(today=TODAY).exceptions
    finally:
        led.close()


def isf_of_every_kind() -> list[dict]:
    """Agreements that raise every ISF kind: A9 (no payments: negative; a flexed
    week awaiting approval; four weeks 30% above plan; contribution arrears), A8
    (terminated with money left: due back), A7 (a large top-up: surplus; received
    for April only, so May is in top-up arrears)."""
    sign = [{"type": "SignAgreement", "agreement_id": a, "party": p, "signed_on": "2026-04-03"}
            for a in ("A9", "A8", "A7") for p in ("authority", "person", "provider")]  # fmt: skip
    draft = [{"type": "DraftAgreement", "agreement_id": a, "budget_id": "B9",
              "provider_id": "PR9", "start": "2026-04-06", "hourly_rate": "20.00",
              "planned_weekly_hours": "10", "payment_frequency": "monthly"}
             for a in ("A9", "A8", "A7")]  # fmt: skip
    weeks = (("2026-04-06", "13"), ("2026-04-13", "13"), ("2026-04-20", "13"),
             ("2026-04-27", "16"))  # fmt: skip
    hours = [{"type": "RecordHours", "agreement_id": "A9", "week_start": w,
              "delivered_hours": h} for w, h in weeks]  # fmt: skip
    hours.append({"type": "RecordHours", "agreement_id": "A7", "week_start": "2026-05-04",
                  "delivered_hours": "10"})  # fmt: skip
    gifts = [
        {"type": "AgreeTopUp", "topup_id": t, "agreement_id": a, "payer": "family",
         "amount_per_period": "3000.00", "reason": "gift"} for t, a in (("T8", "A8"), ("T7", "A7"))
    ] + [{"type": "RecordTopUp", "topup_id": t, "received_on": "2026-04-10", "amount": "3000.00"}
         for t in ("T8", "T7")]  # fmt: skip
    return [
        {"type": "RegisterPerson", "person_id": "P9", "authority": "FIFE"},
        {"type": "RegisterProvider", "provider_id": "PR9", "name": "Care", "framework": "on"},
        {"type": "ProposeBudget", "budget_id": "B9", "person_id": "P9", "start": "2026-04-06",
         "amount": "20000.00", "method": "RAS"},
        {"type": "AgreeBudget", "budget_id": "B9", "agreed_on": "2026-04-01"},
        *draft, *sign,
        {"type": "ChooseOptions", "budget_id": "B9", "effective": "2026-04-06",
         "allocations": [{"option": 2, "amount": "5000.00", "agreement_id": "A9"}]},
        {"type": "AssessContribution", "contribution_id": "K9", "budget_id": "B9",
         "payee": "A9", "frequency": "monthly", "first_due": "2026-04-06", "amount": "1200.00"},
        *hours, *gifts,
        {"type": "TerminateAgreement", "agreement_id": "A8", "on": "2026-04-20"},
    ]  # fmt: skip


def test_every_kind_is_raised_listed_resolved_and_audited(db_url, tmp_path):
    url = build(db_url, tmp_path)["url"]
    led = open_ledger(Settings(db_url=url))
    try:
        applied(led, isf_of_every_kind(), "k")
        found = led.exceptions(today=TODAY).exceptions
        assert {x.kind for x in found} == set(KINDS)
        outcomes = ("explained", "write-off", "recover")
        decisions = [
            {"type": "ResolveException", "exception_id": x.exception_id,
             "outcome": outcomes[n % 3], "reason": f"looked at {x.kind}",
             **({"amount": "1.00"} if n % 3 == 2 else {})}
            for n, x in enumerate(found)
        ]  # fmt: skip
        applied(led, decisions, "r")
        after = {x.exception_id: x for x in led.exceptions(status="all", today=TODAY).exceptions}
        for n, x in enumerate(found):
            expected = ("open", "recover") if n % 3 == 2 else ("resolved", outcomes[n % 3])
            assert (after[x.exception_id].status, after[x.exception_id].outcome) == expected
        audited = [c.data["exception_id"] for c in led.audit_trail()
                   if c.type == "ExceptionCase.Resolved"]  # fmt: skip
        assert sorted(audited) == sorted(x.exception_id for x in found)
    finally:
        led.close()


def test_an_exception_gone_stays_gone_with_its_id_and_reason_after_a_rebuild(ledger):
    applied(ledger, [*SETUP, schedule("10000.00"), OVER_CAP], "s")
    awaiting = listed(ledger)["flex-awaiting-approval", "2026-04"]
    applied(ledger, [{"type": "ApproveFlex", "agreement_id": "A1", "week_start": "2026-04-06",
                      "approved_by": "team leader"}], "f")  # fmt: skip
    before = ledger.exceptions(status="all", today=TODAY)
    ledger.rebuild()
    after = ledger.exceptions(status="all", today=TODAY)
    assert after == before
    gone = {x.exception_id: x for x in after.exceptions}[awaiting.exception_id]
    assert (gone.status, gone.outcome, gone.reason) == (
        "resolved", "gone", "the flexed hours were approved, declined or corrected")  # fmt: skip
