"""Amounts beyond the contract's limit, and read models that cannot take a batch.

An event stored that a read model cannot take would stay in the store for
good and stop every later catch-up; both are refused before anything is
stored, and the database is left byte for byte as it was.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.application.apply import apply_lines
from isf_ledger.application.card_import import import_files
from isf_ledger.projections.ledger_legs import LedgerLegs
from tests.e2e.test_cli_apply import run, write_jsonl
from tests.integration.card_setup import TWO_CARDS, fixture
from tests.integration.in_process import applied, numbered
from tests.integration.raw_store import raw_store
from tests.integration.test_agreement_commands import SETUP

COST = {"type": "RecordCost", "agreement_id": "A1", "on": "2026-05-06",
        "description": "bus fares", "command_id": "cost"}  # fmt: skip


@pytest.mark.parametrize("amount", ["99999999999999999999.99", "1000000000.00"])
def test_an_amount_above_the_limit_is_refused_and_changes_nothing(db_url, tmp_path, amount):
    assert run("init", "--db", db_url).returncode == 0
    setup = [{"command_id": f"s{n}", **c} for n, c in enumerate(SETUP)]
    assert (
        run("apply", write_jsonl(tmp_path / "setup.jsonl", setup), "--db", db_url).returncode == 0
    )
    before = raw_store(db_url)
    absurd = write_jsonl(tmp_path / "absurd.jsonl", [{**COST, "amount": amount}])
    out = run("apply", absurd, "--db", db_url)
    assert out.returncode == 1
    assert f"absurd.jsonl:1: [cost] amount: {amount} is above the limit of 999999999.99" in (
        out.stderr
    )
    assert "Traceback" not in out.stderr
    assert raw_store(db_url) == before
    fine = write_jsonl(tmp_path / "fine.jsonl", [{**COST, "amount": "35.40"}])
    assert run("apply", fine, "--db", db_url).returncode == 0
    assert run("projections", "rebuild", "--db", db_url).returncode == 0
    verified = run("audit", "verify", "--db", db_url, "--format", "json")
    assert json.loads(verified.stdout)["ok"]


def test_a_card_row_above_the_limit_is_a_bad_row_with_its_line(db_url, tmp_path):
    assert run("init", "--db", db_url).returncode == 0
    assert (
        run("apply", write_jsonl(tmp_path / "c.jsonl", TWO_CARDS), "--db", db_url).returncode == 0
    )
    lines = fixture("generic").read_text().splitlines()
    lines[2] = ",4821,2026-03-03,PURCHASE,TESCO,TESCO,5411,-99999999999999999999.00,"
    export = tmp_path / "export.csv"
    export.write_text("\n".join(lines) + "\n")
    before = raw_store(db_url)
    out = run("cards", "import", str(export), "--profile", "generic", "--db", db_url)
    assert out.returncode == 1
    assert f"{export}:3: amount '-99999999999999999999.00' is above the limit" in out.stderr
    assert "Traceback" not in out.stderr
    assert raw_store(db_url) == before


def test_a_batch_a_projection_cannot_take_stores_nothing(ledger, monkeypatch):
    applied(ledger, SETUP, "s")
    before = raw_store(ledger.settings.db_url)
    real = LedgerLegs.project
    calls: list[int] = []

    def fails_on_the_second_event(self, conn, batch):
        calls.append(len(batch))
        real(self, conn, batch[:1])
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(LedgerLegs, "project", fails_on_the_second_event)
    cost = {"type": "RecordCost", "agreement_id": "A1", "on": "2026-05-06", "amount": "1.00",
            "description": "bus fares"}  # fmt: skip
    result = apply_lines(ledger, numbered([cost, {**cost, "amount": "2.00"}], "x"))
    assert calls, "the projection was never tried"
    assert result.applied == 0
    assert [e.error for e in result.errors] == [
        "the read models cannot take it (OverflowError: Python int too large to convert to "
        "SQLite INTEGER); nothing was applied"
    ]
    assert raw_store(ledger.settings.db_url) == before
    monkeypatch.setattr(LedgerLegs, "project", real)
    assert applied(ledger, [cost], "y").applied == 1
    assert ledger.fund_balance("isf:A1", date(2026, 5, 6)) == Decimal("-1.00")


TOPUP = [
    {"type": "AgreeTopUp", "topup_id": "T1", "agreement_id": "A1", "payer": "family",
     "amount_per_period": "50.00", "reason": "extra sessions"},
]  # fmt: skip


@pytest.mark.parametrize(
    ("received_on", "refused"),
    [("1999-05-01", True), ("2026-03-05", True), ("2026-03-06", False),
     ("2028-04-05", False), ("2028-04-06", True)],
)  # fmt: skip
def test_a_date_far_from_its_budget_is_refused(ledger, received_on, refused):
    applied(ledger, SETUP + TOPUP, "s")
    receipt = {"type": "RecordTopUp", "topup_id": "T1", "received_on": received_on,
               "amount": "50.00"}  # fmt: skip
    result = apply_lines(ledger, numbered([receipt], "r"))
    if not refused:
        assert result.errors == []
        return
    assert [(e.line, e.error) for e in result.errors] == [
        (1, f"{received_on} is outside the dates allowed for budget B1 (2026-03-06 to "
            "2028-04-05): a date may be at most 31 days before its budget's start and 366 "
            "days after its end")
    ]  # fmt: skip
    assert ledger.fund_balance("isf:A1", date(2030, 1, 1)) == 0


def test_a_card_import_whose_event_a_projection_cannot_take_stores_nothing(
    ledger, monkeypatch, tmp_path
):
    applied(ledger, TWO_CARDS, "s")
    before = raw_store(ledger.settings.db_url)

    def fails(self, conn, batch):
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(LedgerLegs, "project", fails)
    [result] = import_files(ledger, [fixture("generic")], load_profile("generic")).files
    assert (result.status, result.imported, result.problems) == (
        "rejected",
        0,
        [(0, "the read models cannot take it (OverflowError: Python int too large to convert "
             "to SQLite INTEGER); nothing was imported from this file")],
    )  # fmt: skip
    assert raw_store(ledger.settings.db_url) == before
