"""Corrections and reversals as new facts, through `apply` and the statements, on both
databases: the charge moves in the original's month, a statement issued before is
reproduced unchanged with `--as-at`, the next one names the correction, and the
audit trail links each correction to the record it corrects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from isf_ledger.bootstrap import Ledger
from tests.integration.in_process import applied
from tests.integration.test_money_rules import SETUP, errors, now, schedule

D = Decimal

HOURS = {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-06",
         "delivered_hours": "10"}  # fmt: skip
COST = {"type": "RecordCost", "agreement_id": "A1", "on": "2026-04-20", "amount": "40.00",
        "description": "day trip", "cost_id": "C1"}  # fmt: skip
TOPUP = [
    {"type": "AgreeTopUp", "topup_id": "T1", "agreement_id": "A1", "payer": "family",
     "amount_per_period": "50.00", "reason": "extra outings"},
    {"type": "RecordTopUp", "topup_id": "T1", "received_on": "2026-04-10", "amount": "50.00"},
]  # fmt: skip


def correct(hours: str, week: str = "2026-04-06") -> dict[str, Any]:
    return {"type": "CorrectHours", "agreement_id": "A1", "week_start": week,
            "delivered_hours": hours, "reason": "timesheet corrected"}  # fmt: skip


REVERSE_COST = {"type": "ReverseCost", "cost_id": "C1", "on": "2026-05-12",
                "reason": "charged to the wrong person"}  # fmt: skip
REVERSE_TOPUP = {"type": "ReverseTopUp", "topup_id": "T1", "received_on": "2026-04-10",
                 "on": "2026-05-12", "reason": "cheque bounced"}  # fmt: skip


def april(ledger: Ledger, as_at: str | None = None) -> Any:
    return ledger.provider_statement("PR1", "2026-04", as_at=as_at).agreements[0]


def test_corrections_move_april_and_show_in_may_as_named_adjustments(ledger):
    applied(ledger, [*SETUP, schedule("12000.00"), HOURS, COST, *TOPUP], "s")
    issued = now()
    before = april(ledger)
    assert (before.charges_hours, before.charges_other, before.top_ups_in) == (
        D("200.00"), D("40.00"), D("50.00"))  # fmt: skip
    applied(ledger, [correct("8.5"), REVERSE_COST, REVERSE_TOPUP], "c")
    after = april(ledger)
    assert (after.charges_hours, after.charges_other, after.top_ups_in) == (
        D("170.00"), D("0.00"), D("0.00"))  # fmt: skip
    assert after.hours_delivered == D("8.50")
    assert after.closing_balance == before.closing_balance + D("30.00") + D("40.00") - D("50.00")
    assert april(ledger, as_at=issued) == before
    may = ledger.provider_statement("PR1", "2026-05", previous_as_at=issued).agreements[0]
    assert may.prior_period_adjustments == D("20.00")
    assert [(a.what, a.command_id, a.amount) for a in may.adjustments] == [
        ("hours corrected", "c1", D("30.00")),
        ("top-up reversed", "c3", D("-50.00")),
        ("cost reversed", "c2", D("40.00")),
    ]
    assert may.opening_balance == after.closing_balance


def test_the_audit_trail_links_each_correction_to_what_it_corrects(ledger):
    applied(ledger, [*SETUP, HOURS, COST, *TOPUP], "s")
    applied(ledger, [correct("8.5"), correct("9"), REVERSE_COST, REVERSE_TOPUP], "c")
    links = [(c.type, c.command_id, c.data["corrects"])
             for c in ledger.audit_trail(person="P1") if "corrects" in c.data]  # fmt: skip
    assert links == [
        ("Agreement.HoursCorrected", "c1", "s10"),
        ("Agreement.HoursCorrected", "c2", "c1"),
        ("Agreement.CostReversed", "c3", "s11"),
        ("TopUp.TopUpReversed", "c4", "s13"),
    ]


def test_a_correction_of_nothing_or_a_second_reversal_is_refused_and_changes_nothing(ledger):
    applied(ledger, [*SETUP, HOURS, COST, *TOPUP], "s")
    assert errors(ledger, [correct("8", week="2026-04-13")], "x") == [
        "agreement A1: no hours are recorded for week 2026-04-13, so there is nothing to correct"
    ]
    assert errors(ledger, [correct("10")], "x") == [
        "agreement A1: week 2026-04-06 already records 10 hours; a correction must change them"
    ]
    assert errors(ledger, [{**REVERSE_COST, "cost_id": "C9"}], "x") == ["unknown cost C9"]
    assert errors(ledger, [{**REVERSE_TOPUP, "received_on": "2026-04-11"}], "x") == [
        "top-up T1 has no receipt on 2026-04-11 to reverse"
    ]
    assert errors(ledger, [{**COST, "on": "2026-04-21"}], "x") == ["cost C1 already exists"]
    applied(ledger, [REVERSE_COST, REVERSE_TOPUP], "r")
    assert errors(ledger, [REVERSE_COST, REVERSE_TOPUP], "x") == [
        "cost C1 was already reversed by command r1",
        "top-up T1: the receipt of 2026-04-10 was already reversed by command r2",
    ]
    assert errors(ledger, [{**REVERSE_COST, "on": "2026-04-19"}], "y") == [
        "cost C1 was already reversed by command r1"
    ]


def test_as_at_reproduces_every_statement_issued_between_corrections(ledger):
    applied(ledger, [*SETUP, schedule("12000.00"), HOURS, COST, *TOPUP], "s")
    batches = [[correct("8.5")], [REVERSE_COST], [correct("12")], [REVERSE_TOPUP], [correct("9")]]
    issued = []
    for n, batch in enumerate(batches):
        at = now()
        issued.append((at, [april(ledger, as_at=at), may_of(ledger, at)]))
        applied(ledger, batch, f"b{n}.")
    for at, statements in issued:
        assert [april(ledger, as_at=at), may_of(ledger, at)] == statements


def may_of(ledger: Ledger, as_at: str) -> Any:
    return ledger.provider_statement("PR1", "2026-05", as_at=as_at).agreements[0]


def test_the_person_statement_says_what_a_reversal_did_in_words(ledger):
    applied(ledger, [*SETUP, COST, *TOPUP, REVERSE_COST, REVERSE_TOPUP], "s")
    words = {line.what for line in ledger.person_statement("P1", as_at=now()).lines}
    assert {"A cost taken off again (charged in error)",
            "A top-up given back (it did not arrive or was returned)"} <= words  # fmt: skip
