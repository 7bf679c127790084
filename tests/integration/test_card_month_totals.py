"""The import-time sums by card and month are the stored rows' own, and `rebuild`
makes the same again, on both databases (the reconciliation reads them instead of
the rows: see `adapters/card_store/month_totals.py`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, select

from isf_ledger.adapters.card_store.month_totals import TOTALS
from isf_ledger.adapters.card_store.tables import card_month_totals, card_transactions
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
