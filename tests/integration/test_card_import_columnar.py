"""An import read in column batches stores exactly what the row reader's import stores.

The same exports go into two ledgers: one read as the import reads them
(runs of plainly good rows as polars batches, the rest row by row), one read
by the row reader alone. Rows, their identities and occurrences, lines,
digests, counts and messages must all be the same, including a re-import
that adds nothing and an export that overlaps the first.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.adapters.card_files.reader import read_card_file
from isf_ledger.adapters.card_store.digest import import_problems
from isf_ledger.adapters.card_store.tables import card_imports, card_transactions
from isf_ledger.application import card_import
from isf_ledger.bootstrap import open_ledger
from isf_ledger.settings import Settings
from tests.integration.card_setup import TWO_CARDS, apply

HEADER = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"


def export(path: Path, first: int, count: int) -> Path:
    """Rows with and without ids (a few too long), honest repeats, a few rows only the row
    reader reads."""
    rows = []
    for n in range(first, first + count):
        card = ("CARD-A", "CARD-B", "4821")[n % 3]
        day = f"2026-03-{1 + n // 40:02d}"
        txn = f"T{n}" if n % 4 else ""
        if n % 31 == 1:
            txn = f"{n}".rjust(300, "L")  # too long for its column: stored by its digest
        merchant = "CAFÉ ROYAL" if n % 17 == 0 else "CAFE ROYAL"  # not ASCII: the row reader
        amount = "-2.50" if n % 5 else "-0.00"  # -0.00 too
        unknown = "CARD-Z" if n % 29 == 0 else card  # a problem, skipped with --skip-invalid
        rows.append(f"{txn},{unknown},{day},PURCHASE,Coffee,{merchant},5814,{amount},\n")
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def stored(db_url: str, paths: list[Path]) -> tuple[list[object], list[tuple], list[tuple]]:
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        reports = [
            card_import.import_files(ledger, [path], load_profile("generic"), skip_invalid=True)
            for path in paths
        ]
        t = card_transactions
        columns = [c for c in t.c if c.name not in ("id", "import_id")]
        with ledger.engine.connect() as conn:
            assert import_problems(conn) == []
            rows = conn.execute(select(t.c.import_id, *columns).order_by(t.c.id)).all()
            imports = conn.execute(
                select(card_imports.c.imported, card_imports.c.duplicates,
                       card_imports.c.rejected, card_imports.c.rows_digest)
            ).all()  # fmt: skip
        return [r.as_json() for r in reports], [tuple(r) for r in rows], [tuple(i) for i in imports]
    finally:
        ledger.close()


@pytest.mark.parametrize("batch", [2_000, 1 << 20])
def test_batches_store_what_the_row_reader_stores(db_url, clean_url, tmp_path, monkeypatch, batch):
    from isf_ledger.adapters.card_files import columnar

    monkeypatch.setattr(columnar, "BATCH_BYTES", batch)  # many batches, or one
    first = export(tmp_path / "first.csv", 0, 600)
    overlapping = export(tmp_path / "overlapping.csv", 400, 400)
    paths = [first, first, overlapping]
    for url in (db_url, clean_url):
        apply(url, tmp_path, TWO_CARDS, "cards")
    batched = stored(db_url, paths)
    monkeypatch.setattr(card_import, "read_card_batches", read_card_file)
    by_rows = stored(clean_url, paths)
    assert batched == by_rows
    reports, rows, imports = batched
    assert reports[1]["imported"] == 0 and reports[1]["duplicates"] > 0  # the re-import
    assert len(imports) == 2 and len(rows) == imports[0][0] + imports[1][0]
