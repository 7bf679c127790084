"""The import-time sums by card and month are the stored rows' own, and `rebuild`
makes the same again, on both databases (the reconciliation reads them instead of
the rows: see `adapters/card_store/month_totals.py`). The import takes them from
the rows as it adds them (`month_sums`), through the row path and the column
batches alike: they must be what the GROUP BY over the stored rows makes."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.adapters.card_files.reader import read_card_file
from isf_ledger.adapters.card_store import month_sums
from isf_ledger.adapters.card_store.month_totals import TOTALS, rebuild_month_totals
from isf_ledger.adapters.card_store.tables import card_month_totals, card_transactions
from isf_ledger.application import card_import
from isf_ledger.bootstrap import open_ledger
from isf_ledger.settings import Settings
from tests.integration.card_setup import TWO_CARDS, apply, fixture, import_json


def summed_in_python(conn: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """What the table should hold, worked out row by row from the stored rows."""
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for row in conn.execute(select(card_transactions)):
        groups[(row.import_id, row.card_id, row.posted_on.isoformat()[:7])].append(row)
    expected = {}
    for key, rows in groups.items():
        last = max(rows, key=lambda r: (r.posted_on, r.id))
        by_type = [sum(r.pence for r in rows if r.type == kind) for _, kind in TOTALS]
        expected[key] = (
            len(rows), sum(r.pence for r in rows), *by_type,
            last.posted_on, last.id, last.balance_pence,
        )  # fmt: skip
    return expected


def stored(conn: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    m = card_month_totals
    names = ["row_count", "pence", *(n for n, _ in TOTALS)]
    columns = [*(m.c[n] for n in names), m.c.last_posted, m.c.last_id, m.c.last_balance]
    query = select(m.c.import_id, m.c.card_id, m.c.month, *columns)
    return {tuple(row[:3]): tuple(row[3:]) for row in conn.execute(query)}


def test_each_import_adds_its_rows_sums_and_rebuild_makes_them_again(db_url, tmp_path):
    apply(db_url, tmp_path, TWO_CARDS)
    for name in ("generic", "council-portal"):  # the same month in two formats
        code, _ = import_json(db_url, fixture(name), profile=name)
        assert code == 0
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            expected = summed_in_python(conn)
            assert expected and stored(conn) == expected
        with ledger.engine.begin() as conn:
            conn.execute(delete(card_month_totals))
        ledger.rebuild()
        with ledger.engine.connect() as conn:
            assert stored(conn) == expected
    finally:
        ledger.close()


HEADER = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"
KINDS = (("LOAD", ""), ("PURCHASE", "-"), ("REFUND", ""), ("ATM", "-"), ("FEE", "-"),
         ("REVERSAL", ""))  # fmt: skip


def export(path: Path, first: int, count: int, *, aliases: bool = False) -> Path:
    """Every type over three months, several rows a card a day with their own balances
    (the last of a day is the month's closing), honest repeats without ids, and with
    `aliases` new ids repeating the content of stored rows (set aside, renumbered)."""
    rows = []
    for n in range(first, first + count):
        card = ("CARD-A", "CARD-B", "4821")[n % 3]
        day = (date(2026, 2, 20) + timedelta(days=n // 12)).isoformat()
        kind, sign = KINDS[n % 6]
        balance = "" if n % 7 == 0 else f"{1000 + n}.{n % 100:02d}"
        content = f"{card},{day},{kind},Thing,SHOP,5814,{sign}{n % 50 + 1}.25,{balance}\n"
        rows.append(("" if n % 4 == 0 else f"T{n}") + "," + content)
        if n % 5 == 0:
            rows.append("," + content)  # the same again, no id: the next occurrence
        if aliases and n % 9 == 0 and n % 4:
            rows.append(f"U{n}," + content)  # another transaction with T{n}'s content
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("path", ["rows", "batches"])
def test_sums_taken_while_adding_are_the_stored_rows_sums(db_url, tmp_path, monkeypatch, path):
    from isf_ledger.adapters.card_files import columnar

    monkeypatch.setattr(month_sums, "HELD", 8)  # the parts summed into one, often
    if path == "rows":
        monkeypatch.setattr(card_import, "read_card_batches", read_card_file)
    else:
        monkeypatch.setattr(columnar, "BLOCK_BYTES", 1_000)  # batches of a few blocks
        monkeypatch.setattr(columnar, "BATCH_BYTES", 2_000)
    apply(db_url, tmp_path, TWO_CARDS, "cards")
    first = export(tmp_path / "first.csv", 0, 400)
    overlapping = export(tmp_path / "overlapping.csv", 300, 400, aliases=True)
    ledger = open_ledger(Settings(db_url=db_url, batch_size=64))
    try:
        reports = [
            card_import.import_files(ledger, [p], load_profile("generic")).as_json()
            for p in (first, first, overlapping)
        ]
        assert [r["imported"] > 0 for r in reports] == [True, False, True]
        t = card_transactions
        with ledger.engine.connect() as conn:
            set_aside = select(func.count()).where(
                t.c.source.is_not(None), t.c.occurrence > 1, t.c.identity.is_not(None)
            )
            assert conn.scalar(set_aside)  # the overlapping file's aliases were renumbered
            taken = stored(conn)
            assert len({key[0] for key in taken}) == 2  # the re-import added nothing
            assert {key[2] for key in taken} == {"2026-02", "2026-03", "2026-04"}
            assert taken == summed_in_python(conn)
        with ledger.engine.begin() as conn:
            rebuild_month_totals(conn)
            assert stored(conn) == taken
    finally:
        ledger.close()
