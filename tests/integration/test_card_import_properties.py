"""Importing card exports, whatever their overlap and order, equals importing once.

Hypothesis draws a month of transactions on two cards (honest identical rows
included, with or without running balances and provider ids), cuts it into
exports covering overlapping runs of whole days, and imports them in any
order, some more than once, some in one command. The ledger must then hold
exactly what one clean import of the whole month holds: every row once.
"""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import _require_postgres, fresh_database
from tests.integration.card_setup import TWO_CARDS, apply, import_json, stored

DAYS = 6
HEADER = [
    "transaction_id",
    "card_id",
    "posted_on",
    "type",
    "description",
    "merchant",
    "mcc",
    "amount",
    "balance",
]


@dataclass(frozen=True)
class Row:
    card: str
    day: int
    kind: str
    amount: Decimal
    merchant: str


rows_strategy = st.lists(
    st.builds(
        Row,
        card=st.sampled_from(["CARD-A", "CARD-B"]),
        day=st.integers(1, DAYS),
        kind=st.sampled_from(["PURCHASE", "PURCHASE", "LOAD", "REFUND"]),
        amount=st.sampled_from([Decimal("3.20"), Decimal("45.60"), Decimal("100.00")]),
        merchant=st.sampled_from(["CAFE ROYAL", "TESCO STORES 2041"]),
    ),
    min_size=1,
    max_size=25,
)


@st.composite
def exports(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[list[int]]]:
    """Day ranges covering the month, overlapping or touching; then import runs."""
    ends = [*sorted(draw(st.lists(st.integers(1, DAYS - 1), max_size=3))), DAYS]
    ranges, start = [], 1
    for end in ends:
        ranges.append((start, max(start, end)))
        start = draw(st.integers(1, max(start, end) + 1))
    order = draw(st.permutations(range(len(ranges))))
    again = draw(st.lists(st.sampled_from(range(len(ranges))), max_size=2))
    runs = [[i] for i in order] + ([again] if again else [])
    return ranges, runs


def write_export(path: Path, rows: list[Row], days: tuple[int, int], *, ids: bool, balances: bool):
    """The month's rows on days `days`, in the month's order, as the generic profile reads."""
    running: dict[str, Decimal] = {}
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for n, row in enumerate(rows):
            signed = row.amount if row.kind in {"LOAD", "REFUND"} else -row.amount
            running[row.card] = running.get(row.card, Decimal("500.00")) + signed
            if days[0] <= row.day <= days[1]:
                out.writerow(
                    [
                        f"T{n}" if ids else "",
                        row.card,
                        date(2026, 3, row.day).isoformat(),
                        row.kind,
                        f"{row.merchant} {row.card}",
                        row.merchant,
                        "5814",
                        f"{signed:.2f}",
                        f"{running[row.card]:.2f}" if balances else "",
                    ]
                )
    return path


def contents(url: str) -> Counter[tuple]:
    return Counter(stored(url))


def check(backend: str, rows: list[Row], plan, ids: bool, balances: bool) -> None:
    ranges, runs = plan
    rows = sorted(rows, key=lambda r: r.day)  # an export lists a card's days in order
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        whole = write_export(tmp / "whole.csv", rows, (1, DAYS), ids=ids, balances=balances)
        parts = [
            write_export(tmp / f"part{i}.csv", rows, r, ids=ids, balances=balances)
            for i, r in enumerate(ranges)
        ]
        results = {}
        for name in ("once", "pieces"):
            url, remove = fresh_database(backend)
            try:
                apply(url, tmp, TWO_CARDS, f"cards-{name}")
                files = [[whole]] if name == "once" else [[parts[i] for i in run] for run in runs]
                for run in files:
                    code, report = import_json(url, *run, profile="generic")
                    assert code == 0, report
                results[name] = contents(url)
            finally:
                remove()
    assert sum(results["once"].values()) == len(rows)
    assert results["pieces"] == results["once"]


PROPERTY = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=25, **PROPERTY)
@given(rows=rows_strategy, plan=exports(), ids=st.booleans(), balances=st.booleans())
def test_overlapping_exports_in_any_order_import_each_transaction_once_on_sqlite(
    rows, plan, ids, balances
):
    check("sqlite", rows, plan, ids, balances)


@pytest.mark.postgres
@settings(max_examples=8, **PROPERTY)
@given(rows=rows_strategy, plan=exports(), ids=st.booleans(), balances=st.booleans())
def test_overlapping_exports_in_any_order_import_each_transaction_once_on_postgres(
    rows, plan, ids, balances
):
    _require_postgres()
    check("postgres", rows, plan, ids, balances)
