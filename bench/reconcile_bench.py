"""Reconciling every card for one month, beside one raw aggregate SELECT, in pairs.

The ledger holds 5,000 cards and 6M card rows (1M + 5M, as the import bench
writes them; `--scale` scales the rows, `--quick` is 120k). The floor is the
one aggregate SELECT a reconciliation cannot do without: each card's opening
and the month's loads and purchases, over the same rows. Reconciliation and
floor run alternately, three times; figures are medians, the ratio the
median of the pairs' own ratios.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import text

from bench.card_workload import write_export
from bench.common import Figure, database, paired, timed
from bench.import_bench import CARDS, PAIRS, issue_cards
from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.bootstrap import open_ledger
from isf_ledger.settings import Settings

MONTH = "2027-02"
RAW = text(
    "SELECT card_id, SUM(CASE WHEN posted_on < :start THEN pence ELSE 0 END), "
    "SUM(CASE WHEN posted_on >= :start AND type = 'LOAD' THEN pence ELSE 0 END), "
    "SUM(CASE WHEN posted_on >= :start AND type = 'PURCHASE' THEN pence ELSE 0 END) "
    "FROM card_transactions WHERE posted_on < :end GROUP BY card_id"
)


def run(kinds: list[str], *, quick: bool = False, scale: float = 1.0) -> list[Figure]:
    small, big = (20_000, 100_000) if quick else (round(1e6 * scale), round(5e6 * scale))
    figures = []
    with TemporaryDirectory(prefix="isf-reconcile-bench-") as tmp:
        paths = [
            write_export(Path(tmp) / "a.csv", small, CARDS, first=date(2026, 1, 1), id_prefix="TA"),
            write_export(Path(tmp) / "b.csv", big, CARDS, first=date(2027, 1, 1), id_prefix="TB"),
        ]
        for kind in kinds:
            with database(kind) as url:
                cards, pairs = _pairs(url, paths)
            what = f"reconcile {cards:,} cards, {small + big:,} rows"
            figures.append(
                paired("reconcile", kind, what, "cards/s", "one raw aggregate SELECT", pairs)
            )
    return figures


def _pairs(url: str, paths: list[Path]) -> tuple[int, list[tuple[float, float]]]:
    """(cards, pairs of cards/s) of a ledger holding `paths`."""
    issue_cards(url)
    ledger = open_ledger(Settings(db_url=url))
    bounds = {"start": date(2027, 2, 1), "end": date(2027, 3, 1)}
    pairs = []
    try:
        ledger.import_cards(paths, load_profile("generic"))
        for _ in range(PAIRS):
            seconds, data = timed(lambda: ledger.reconcile_cards(MONTH))
            # Its own connection, closed before the next statement: on SQLite a
            # transaction holds the write lock from its BEGIN.
            with ledger.engine.connect() as conn:
                floor_seconds = timed(lambda: conn.execute(RAW, bounds).all())[0]
            cards = len(data.cards)
            pairs.append((cards / seconds, cards / floor_seconds))
    finally:
        ledger.close()
    return cards, pairs
