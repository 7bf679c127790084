"""The import-time sums by card and month are the stored rows' own, and `rebuild`
makes the same again, on both databases (the reconciliation reads them instead of
the rows: see `adapters/card_store/month_totals.py`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
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
    expected = sums_as_stored_and_rebuilt(db_url)
    assert expected


def sums_as_stored_and_rebuilt(db_url: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The sums worked out from the stored rows, once both the import's sums and those
    a rebuild makes again from the rows are found to be just those."""
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            expected = summed_in_python(conn)
            assert stored(conn) == expected
        with ledger.engine.begin() as conn:
            conn.execute(delete(card_month_totals))
        ledger.rebuild()
        with ledger.engine.connect() as conn:
            assert stored(conn) == expected
    finally:
        ledger.close()
    return expected


HEADER = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"
KINDS = (("PURCHASE", -1), ("LOAD", 1), ("REFUND", 1), ("ATM", -1), ("FEE", -1), ("REVERSAL", 1))


def export(path: Path, first: int, count: int, extra: str = "") -> Path:
    """Rows over three months, of every type, some out of date order, some id-less, some
    without a balance, some only the row reader reads (a quoted cell)."""
    rows = []
    for n in range(first, first + count):
        day = date(2026, 2, 1) + timedelta(days=(n // 9) - (5 if n % 7 == 0 else 0))
        kind, sign = KINDS[n % len(KINDS)]
        txn = f"T{n}" if n % 5 else ""
        balance = "" if n % 11 == 0 else f"{100 + n % 37}.{n % 100:02d}"
        merchant = '"CAFE, ROYAL"' if n % 13 == 0 else "CAFE ROYAL"
        amount = f"{sign * (1 + n % 23)}.{n % 10}0"
        rows.append(f"{txn},{('CARD-A', 'CARD-B')[n % 2]},{day},{kind},Coffee,{merchant},5814,"
                    f"{amount},{balance}\n")  # fmt: skip
    path.write_text(HEADER + "".join(rows) + extra, encoding="utf-8")
    return path


@pytest.mark.parametrize("block", [512, 1 << 18])
def test_sums_added_up_while_importing_are_the_stored_rows_own(
    db_url, tmp_path, monkeypatch, block
):
    """Batches added whole, batches that met stored rows (an overlapping export), rows
    read one by one, and a row set aside because it repeats stored content under a new
    id: every import's sums are those of the rows it stored, and rebuild agrees."""
    from isf_ledger.adapters.card_files import columnar

    monkeypatch.setattr(columnar, "BLOCK_BYTES", block)  # many batches, or one
    monkeypatch.setattr(columnar, "BATCH_BYTES", block)
    apply(db_url, tmp_path, TWO_CARDS)
    first = export(tmp_path / "first.csv", 0, 500)
    # T1's content again under a new id of the same source: the next occurrence.
    again = "T9001,CARD-B,2026-02-01,LOAD,Coffee,CAFE ROYAL,5814,2.10,101.01\n"
    overlapping = export(tmp_path / "overlapping.csv", 300, 500, extra=again)
    for path in (first, first, overlapping):
        code, _ = import_json(db_url, path, profile="generic")
        assert code == 0
    expected = sums_as_stored_and_rebuilt(db_url)
    assert len({key[0] for key in expected}) == 2  # the re-import added nothing
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            occurrences = conn.scalars(
                select(card_transactions.c.occurrence).where(
                    card_transactions.c.identity == "id:generic:T9001"
                )
            ).all()
        assert occurrences == [2]  # the row set aside was stored, and so summed
    finally:
        ledger.close()


def closings_from_rows(conn: Any, month: str) -> tuple[dict[str, Any], ...]:
    """Each card's closing (its rows posted up to the month's end), the balance on its
    month's last row (by posted date, then id) and its month's cash, row by row."""
    computed: dict[str, int] = defaultdict(int)
    last: dict[str, tuple[tuple[Any, int], Any]] = {}
    cash: dict[str, int] = defaultdict(int)
    for row in conn.execute(select(card_transactions)):
        at = row.posted_on.isoformat()[:7]
        if at <= month:
            computed[row.card_id] += row.pence
        if at != month:
            continue
        cash[row.card_id] += row.pence if row.type == "ATM" else 0
        order = (row.posted_on, row.id)
        if row.card_id not in last or order > last[row.card_id][0]:
            last[row.card_id] = (order, row.balance_pence)
    reported = {card: balance for card, (_, balance) in last.items()}
    return dict(computed), reported, dict(cash)


def test_closings_kept_running_month_after_month_are_the_rows_own(db_url, tmp_path):
    """The refresh's running closings and the month's cash (`card_balances.Closings`):
    months asked in order, one skipped, months with no rows, then an earlier month
    again, each as summed afresh from the rows; two imports' sums of the same months
    added together."""
    from isf_ledger.reports.card_balances import Closings

    apply(db_url, tmp_path, TWO_CARDS)
    for path in (export(tmp_path / "a.csv", 0, 300), export(tmp_path / "b.csv", 200, 300)):
        code, _ = import_json(db_url, path, profile="generic")
        assert code == 0
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            closings = Closings(conn, lambda query: query)
            for month in ("2025-12", "2026-01", "2026-03", "2026-04", "2026-06", "2026-02"):
                found = closings.of(month)
                assert found == closings_from_rows(conn, month), month
            assert all(found) and any(found[2].values())  # the last month has rows, cash
    finally:
        ledger.close()


def codes_of(conn: Any) -> dict[tuple[Any, ...], set[str]]:
    """Each group's merchant category codes, by (import, card, month), as sets."""
    m = card_month_totals
    query = select(m.c.import_id, m.c.card_id, m.c.month, m.c.mccs)
    return {tuple(row[:3]): set(row[3].split(",")) for row in conn.execute(query)}


def test_each_groups_codes_are_its_rows_own_as_imported_and_rebuilt(db_url, tmp_path, monkeypatch):
    """The codes the reconciliation reads to find the cards with a blocked one: every
    import's groups hold the codes of the rows it stored (batches whole, batches that met
    stored rows, rows with no code), sorted as the import writes them; rebuild agrees."""
    from isf_ledger.adapters.card_files import columnar

    monkeypatch.setattr(columnar, "BLOCK_BYTES", 512)  # many batches
    monkeypatch.setattr(columnar, "BATCH_BYTES", 512)
    apply(db_url, tmp_path, TWO_CARDS)
    codes = ("5814", "7995", "", "6011", "5411", "6051")
    paths = []
    for name, first in (("first", 0), ("overlapping", 300)):
        path = export(tmp_path / f"{name}.csv", first, 500)
        header, *lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text(header + "".join(
            line.replace(",5814,", f",{codes[(n * 5 + first) % len(codes)]},")
            for n, line in enumerate(lines)
        ), encoding="utf-8")  # fmt: skip
        paths.append(path)
    for path in (paths[0], paths[0], paths[1]):
        code, _ = import_json(db_url, path, profile="generic")
        assert code == 0
    t, m = card_transactions, card_month_totals
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            expected: dict[tuple[Any, ...], set[str]] = defaultdict(set)
            for row in conn.execute(select(t)):
                expected[(row.import_id, row.card_id, row.posted_on.isoformat()[:7])].add(row.mcc)
            assert {"", "7995"} <= set().union(*expected.values())
            assert codes_of(conn) == expected
            stored_codes = conn.scalars(select(m.c.mccs)).all()
            assert all(c == ",".join(sorted(c.split(","))) for c in stored_codes)
        with ledger.engine.begin() as conn:
            conn.execute(delete(card_month_totals))
        ledger.rebuild()
        with ledger.engine.connect() as conn:
            assert codes_of(conn) == expected
    finally:
        ledger.close()


def test_the_reconciliations_totals_are_the_rows_own(db_url, tmp_path):
    """Each card's opening and month totals by type (`card_balances.card_totals`), and
    which cards have codes in the month, with two imports' rows in the same months: as
    summed from the rows."""
    from isf_ledger.reports.card_balances import card_totals

    apply(db_url, tmp_path, TWO_CARDS)
    for path in (export(tmp_path / "a.csv", 0, 300), export(tmp_path / "b.csv", 200, 300)):
        code, _ = import_json(db_url, path, profile="generic")
        assert code == 0
    names = ["opening", *(name for name, _ in TOTALS)]
    name_of = {kind: name for name, kind in TOTALS}
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            rows = list(conn.execute(select(card_transactions)))
            assert len({r.import_id for r in rows}) == 2
            for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
                expected: dict[str, dict[str, int]] = {}
                for r in rows:
                    at = r.posted_on.isoformat()[:7]
                    if at <= month:
                        sums = expected.setdefault(r.card_id, dict.fromkeys(names, 0))
                        sums["opening" if at < month else name_of[r.type]] += r.pence
                totals, _, codes = card_totals(conn, month, lambda query: query)
                assert {card: dict(zip(names, s, strict=True)) for card, s in totals.items()} == (
                    expected
                ), month
                in_month = {r.card_id for r in rows if r.posted_on.isoformat()[:7] == month}
                assert set(codes) == in_month, month
    finally:
        ledger.close()
