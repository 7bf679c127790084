"""A batch prepared for SQLite holds exactly the frame's rows, in order, and shares
each repeated string instead of holding one a row."""

from __future__ import annotations

import polars as pl

from isf_ledger.adapters.card_store.month_sums import MonthSums
from isf_ledger.adapters.card_store.prepared import ROWS_A_STATEMENT, prepare
from isf_ledger.adapters.card_store.staging import COLUMNS


def frame(rows: int) -> pl.DataFrame:
    text = {"source", "card_id", "posted_on", "transaction_on", "type", "description",
            "merchant", "mcc", "identity"}  # fmt: skip
    values = {
        name: [
            (f"{name}-{n % 7}" if name != "identity" else f"id:{n}")
            if n % 5 or name not in ("source", "transaction_on")
            else None
            for n in range(rows)
        ]
        if name in text
        else [n * 3 % 11 for n in range(rows)]
        for name in COLUMNS
    }
    dtypes = {name: pl.String if name in text else pl.Int64 for name in COLUMNS}
    return pl.DataFrame(values, schema=dtypes)


def test_the_values_are_the_rows_in_order_a_statement_at_a_time():
    given = frame(ROWS_A_STATEMENT * 3 + 5)
    prepared = prepare(given, MonthSums(), sqlite=True)
    assert [len(v) for v in prepared.values] == [len(COLUMNS) * ROWS_A_STATEMENT] * 3 + [
        len(COLUMNS) * 5
    ]
    flat = [value for values in prepared.values for value in values]
    assert flat == [value for row in given.rows() for value in row]


def test_a_repeated_string_is_one_object_and_missing_values_stay_missing():
    prepared = prepare(frame(200), MonthSums(), sqlite=True)
    flat = [value for values in prepared.values for value in values]
    merchants = flat[COLUMNS.index("merchant") :: len(COLUMNS)]
    assert len({id(m) for m in merchants}) == len(set(merchants)) == 7
    sources = flat[COLUMNS.index("source") :: len(COLUMNS)]
    assert sources.count(None) == 40


def test_postgresql_gets_no_values():
    assert prepare(frame(10), MonthSums(), sqlite=False).values == []
