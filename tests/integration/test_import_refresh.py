"""The exceptions refresh after a card import, narrowed to the cards and months the
import can change (`reports/import_refresh`), leaves the table exactly as a full
refresh (`projections rebuild`) would: after imports that overlap, come out of
order, repeat a file, add rows to months before those already imported or after
the last month examined (today's, while anything is scheduled), on
cards paid monthly (loads matched or not), with flags and reported balances off;
and with each card's exceptions stored as a slice of its own."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.bootstrap import init_ledger
from isf_ledger.reports import exception_refresh
from isf_ledger.reports.exception_store import exceptions
from isf_ledger.settings import Settings
from tests.conftest import _require_postgres, fresh_database
from tests.integration.in_process import applied
from tests.integration.test_reconcile_cards import A1, B2, SETUP, export

CARDS = ("CARD-A", "CARD-B", "-Z")
START = date(2026, 1, 1)
# (type, description, merchant, mcc, amount): loads of a payment's amount and not,
# a blocked category, cash, and an everyday purchase that can repeat.
KINDS = [
    ("LOAD", "Direct payment", "", "", A1),
    ("LOAD", "Direct payment", "", "", B2),
    ("LOAD", "Family top-up", "", "", Decimal("50.00")),
    ("PURCHASE", "Bet", "BETCO", "7995", Decimal("-20.00")),
    ("ATM", "ATM withdrawal", "BANK ATM", "6011", Decimal("-200.00")),
    ("PURCHASE", "Coffee", "CAFE", "5814", Decimal("-3.50")),
]
row = st.tuples(
    st.sampled_from(CARDS),
    st.integers(min_value=0, max_value=420),  # days after 1 January 2026: into 2027 too
    st.sampled_from(KINDS),
)
files = st.lists(
    st.tuples(
        st.lists(row, min_size=1, max_size=8),
        st.sampled_from([Decimal(0), Decimal("1.00")]),  # the last balance off by
        st.integers(min_value=-1, max_value=3),  # import an earlier file again (-1: none)
    ),
    min_size=1,
    max_size=4,
)


def write(path: Path, rows, off_by: Decimal) -> Path:
    lines = []
    for card, day, (kind, what, merchant, mcc, amount) in sorted(rows, key=lambda r: r[1]):
        posted = (START + timedelta(days=day)).isoformat()
        lines.append((card, posted, kind, what, merchant, mcc, amount))
    path.write_text(export(lines, off_by=off_by))
    return path


def table(led) -> set[tuple]:
    with led.engine.connect() as conn:
        return {tuple(r) for r in conn.execute(select(exceptions))}


def check(backend: str, plan, monkeypatch: pytest.MonkeyPatch, size: int | None = None) -> None:
    """`size`: a month's cards stored in slices of that many exceptions (each card its
    own slice, at 1), not the default."""
    narrowed = []
    real = exception_refresh.raised_after_import

    def spy(*args, **kwargs):
        narrowed.append(1)
        return real(*args, **kwargs)

    url, remove = fresh_database(backend)
    try:
        led = init_ledger(Settings(db_url=url))
        try:
            applied(led, SETUP, "s")
            with tempfile.TemporaryDirectory() as folder, monkeypatch.context() as patch:
                patch.setattr(exception_refresh, "raised_after_import", spy)
                if size is not None:
                    patch.setattr(exception_refresh, "SLICE", size)
                written: list[Path] = []
                for n, (rows, off_by, again) in enumerate(plan):
                    written.append(write(Path(folder) / f"f{n}.csv", rows, off_by))
                    led.import_cards([written[-1]], load_profile("generic"))
                    if 0 <= again < len(written) - 1:
                        led.import_cards([written[again]], load_profile("generic"))
                    narrowed_table = table(led)
            assert narrowed, "the narrowed refresh never ran"
            led.rebuild()  # a full refresh: every month, every subject
            assert table(led) == narrowed_table
        finally:
            led.close()
    finally:
        remove()


PROPERTY = dict(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@settings(**PROPERTY)
@given(plan=files)
def test_narrowed_refresh_after_imports_equals_a_full_refresh_on_sqlite(plan, monkeypatch):
    check("sqlite", plan, monkeypatch)


@settings(**PROPERTY)
@given(plan=files)
def test_narrowed_refresh_after_imports_equals_a_full_refresh_on_postgres(plan, monkeypatch):
    _require_postgres()
    check("postgres", plan, monkeypatch)


@settings(**PROPERTY)
@given(plan=files)
def test_the_refresh_in_slices_of_one_card_equals_a_full_refresh_on_sqlite(plan, monkeypatch):
    check("sqlite", plan, monkeypatch, size=1)


@settings(**PROPERTY)
@given(plan=files)
def test_the_refresh_in_slices_of_one_card_equals_a_full_refresh_on_postgres(plan, monkeypatch):
    _require_postgres()
    check("postgres", plan, monkeypatch, size=1)
