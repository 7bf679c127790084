"""`cards import` and `apply` processes running at once: nothing lost, nothing doubled.

Two imports of the same export at once store it once; two overlapping
exports imported at once, while two `apply` files go in beside them, end
exactly as the same four commands run one after the other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.card_workload import card_commands, card_id, write_export
from isf_ledger.adapters.card_store.tables import card_imports, card_transactions
from isf_ledger.bootstrap import open_ledger
from isf_ledger.settings import Settings
from tests.integration.apply_runs import (
    Finished,
    assert_caught_up,
    assert_plain,
    cli,
    finish,
    init,
    snapshot,
    start_apply,
    start_import,
    workload,
    write_jsonl,
)

ROWS = 12_000
CARDS = 10


def card_payments() -> list[dict[str, Any]]:
    """Each card's budget put on the card, paid monthly: three payments made."""
    commands: list[dict[str, Any]] = []
    for n in range(CARDS):
        budget, card = f"KB{n}", card_id(n)
        commands += [
            {
                "command_id": f"kco-{n}",
                "type": "ChooseOptions",
                "budget_id": budget,
                "effective": "2025-04-06",
                "allocations": [{"option": 1, "amount": "12000.00", "card_id": card}],
            },
            {
                "command_id": f"ksp-{n}",
                "type": "SchedulePayments",
                "schedule_id": f"KS{n}",
                "budget_id": budget,
                "option": 1,
                "payee": card,
                "frequency": "monthly",
                "first_due": "2025-04-06",
                "amount": "12000.00",
            },
        ]
        commands += [
            {
                "command_id": f"kpay-{n}-{p}",
                "type": "RecordPayment",
                "schedule_id": f"KS{n}",
                "period": p,
                "paid_on": f"2025-{3 + p:02d}-06",
            }
            for p in (1, 2, 3)
        ]
    return commands


def exports(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(the whole export, its first two thirds, its last two thirds)."""
    whole = write_export(tmp_path / "whole.csv", ROWS, CARDS)
    header, *rows = whole.read_text().splitlines(keepends=True)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(header + "".join(rows[: ROWS * 2 // 3]))
    second.write_text(header + "".join(rows[ROWS // 3 :]))
    return whole, first, second


def card_state(db_url: str) -> tuple[list[tuple], int]:
    """(every stored card transaction but its surrogate keys, how many imports)."""
    t = card_transactions
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            rows = conn.execute(
                select(*(c for c in t.c if c.name not in ("id", "import_id", "line"))).order_by(
                    t.c.identity
                )
            ).all()
            imports = len(conn.execute(select(card_imports.c.id)).all())
    finally:
        ledger.close()
    return [tuple(r) for r in rows], imports


def plain(run: Finished) -> dict[str, Any]:
    assert run.returncode == 0, run.stderr
    assert_plain(run)
    return run.report


def ledger_with_cards(db_url: str, tmp_path: Path) -> None:
    init(db_url)
    cli("apply", str(write_jsonl(tmp_path / "cards.jsonl", card_commands(CARDS))), "--db", db_url)


def test_the_same_export_imported_twice_at_once_is_stored_once(db_url, tmp_path):
    ledger_with_cards(db_url, tmp_path)
    whole, _, _ = exports(tmp_path)

    runs = [finish(p) for p in [start_import(db_url, whole, verbose=True) for _ in range(2)]]

    reports = sorted((r["imported"], r["duplicates"], r["rejected"]) for r in map(plain, runs))
    assert reports == [(0, ROWS, 0), (ROWS, 0, 0)]
    rows, imports = card_state(db_url)
    assert len(rows) == ROWS
    assert imports == 1
    snap = snapshot(db_url)
    assert_caught_up(snap)
    assert sum(r["type"] == "CardImport.TransactionsImported" for r in snap["trail"]) == 1


def trail_without_import_summaries(snap: dict[str, Any]) -> list[str]:
    return sorted(
        json.dumps(entry) for entry in snap["trail"] if not entry["type"].startswith("CardImport.")
    )


def test_two_imports_and_two_applies_at_once_equal_the_four_one_after_another(db_url, tmp_path):
    _, first, second = exports(tmp_path)
    people = write_jsonl(tmp_path / "people.jsonl", workload(6))
    payments = write_jsonl(tmp_path / "payments.jsonl", card_payments())
    ledger_with_cards(db_url, tmp_path)

    processes = [
        start_import(db_url, first, verbose=True),
        start_import(db_url, second, verbose=True),
        start_apply(db_url, people, verbose=True),
        start_apply(db_url, payments, verbose=True),
    ]
    imported_first, imported_second, applied_people, applied_payments = (
        plain(finish(p)) for p in processes
    )

    overlap = ROWS * 2 // 3 - ROWS // 3
    assert imported_first["imported"] + imported_second["imported"] == ROWS
    assert imported_first["duplicates"] + imported_second["duplicates"] == overlap
    assert applied_people["applied"] == len(people.read_text().splitlines())
    assert applied_payments["applied"] == len(card_payments())

    clean_url = str(tmp_path / "clean.db")
    ledger_with_cards(clean_url, tmp_path)
    cli("cards", "import", str(first), "--profile", "generic", "--db", clean_url)
    cli("cards", "import", str(second), "--profile", "generic", "--db", clean_url)
    cli("apply", str(people), "--db", clean_url)
    cli("apply", str(payments), "--db", clean_url)

    assert card_state(db_url) == card_state(clean_url)
    snap, clean = snapshot(db_url), snapshot(clean_url)
    assert_caught_up(snap)
    assert len(snap["events"]) == len(clean["events"])
    assert snap["balances"] == clean["balances"]
    assert snap["names"] == clean["names"]
    assert snap["counts"] == clean["counts"]
    # Which import saw a row first decides its summary; every other entry matches.
    assert trail_without_import_summaries(snap) == trail_without_import_summaries(clean)
    month = ["reconcile", "cards", "--month", "2026-02", "--format", "json"]
    assert json.loads(cli(*month, "--db", db_url)) == json.loads(cli(*month, "--db", clean_url))
