"""Repeated content is numbered the same however the export is sorted.

The importer counts repeats of each day's content in memory and spills
earlier days to a temporary file once it holds too many; a day that turns
up again is counted on from where it stopped. These tests make it spill at
every change of day, on an export that goes back and forth between days.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.adapters.card_store import occurrences as counting
from isf_ledger.adapters.card_store.digest import import_problems
from isf_ledger.adapters.card_store.tables import card_imports, card_transactions
from isf_ledger.application.card_import import import_files
from isf_ledger.bootstrap import open_ledger
from isf_ledger.settings import Settings
from tests.integration.card_setup import TWO_CARDS, apply

HEADER = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"
# An honest identical coffee on each card at each visit to a day, the days out of order
# and revisited; no balances, so only the occurrence tells one day's coffees apart.
DAYS = ["2026-03-02", "2026-03-01", "2026-03-03", "2026-03-01", "2026-03-02", "2026-03-01"]


def export(path: Path, with_ids: bool) -> Path:
    rows = []
    for n, day in enumerate(DAYS):
        for card in ("CARD-A", "CARD-B"):
            txn = f"T{n}{card}" if with_ids else ""
            rows.append(f"{txn},{card},{day},PURCHASE,Coffee,CAFE ROYAL,5814,-2.50,\n")
    path.write_text(HEADER + "".join(rows))
    return path


def imported(db_url: str, path: Path) -> tuple[list[tuple], list[tuple], list[str]]:
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        report = import_files(ledger, [path], load_profile("generic"))
        assert report.total("imported") == len(DAYS) * 2
        t = card_transactions
        with ledger.engine.connect() as conn:
            rows = conn.execute(
                select(t.c.identity, t.c.card_id, t.c.posted_on, t.c.occurrence, t.c.line).order_by(
                    t.c.id
                )
            ).all()
            digests = conn.execute(select(card_imports.c.rows_digest)).all()
            return [tuple(r) for r in rows], [tuple(d) for d in digests], import_problems(conn)
    finally:
        ledger.close()


@pytest.mark.parametrize("with_ids", [False, True])
def test_spilling_counts_numbers_an_unsorted_export_as_holding_them_all(
    db_url, tmp_path, monkeypatch, with_ids
):
    apply(db_url, tmp_path, TWO_CARDS, "cards")
    path = export(tmp_path / "coffees.csv", with_ids)
    monkeypatch.setattr(counting, "HELD", 0)  # spill every earlier day at each new one
    rows, digests, problems = imported(db_url, path)
    assert problems == []
    occurrences = {}
    for _, card, day, occurrence, _ in rows:
        occurrences.setdefault((card, str(day)), []).append(occurrence)
    # 2026-03-01 comes three times, each time spilled and counted on: 1, 2, 3 in file order.
    assert occurrences[("CARD-A", "2026-03-01")] == [1, 2, 3]
    assert occurrences[("CARD-B", "2026-03-02")] == [1, 2]
    assert occurrences[("CARD-A", "2026-03-03")] == [1]
    assert [r[4] for r in rows] == sorted(r[4] for r in rows)  # stored in file order
    assert len(digests) == 1
