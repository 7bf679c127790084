"""A column batch made ready for the writer, in the reading thread.

The import's thread stores; the reading thread has time to spare (see
`card_files.ahead`). So what the writer needs of a batch stored whole is
made here, beside the reading: the text its digest hashes, its sums by card
and month, and, on SQLite, its values flattened into multi-row `INSERT`s
of `ROWS_A_STATEMENT` rows. sqlite3 sets up, steps and resets a statement,
and lets go of the GIL and takes it back, for each set of values: one row a
set cost the import's thread a third more than this. A batch the writer
must cut (some of its rows are stored already) is prepared again, there.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any

from isf_ledger.adapters.card_store.digest import DIGEST_COLUMNS
from isf_ledger.adapters.card_store.month_sums import MonthSums
from isf_ledger.adapters.card_store.staging import COLUMNS

if TYPE_CHECKING:
    import polars as pl

ROWS_A_STATEMENT = 32
_ROW = "(" + ", ".join("?" * len(COLUMNS)) + ")"
_REPEATING = frozenset(
    ("source", "card_id", "posted_on", "transaction_on", "type", "description", "merchant", "mcc")
)


@dataclass(frozen=True)
class Prepared:
    """A batch's rows (the columns of `staging.COLUMNS`) and what storing them takes."""

    frame: pl.DataFrame
    digest_text: bytes  # what `direct` hashes for these rows, if it stores them all
    sums: pl.DataFrame  # `MonthSums.groups` of the rows
    values: list[list[Any]]  # SQLite: the rows' values, a statement's at a time; else empty


def prepare(frame: pl.DataFrame, sums: MonthSums, sqlite: bool) -> Prepared:
    return Prepared(frame, digest_text(frame), sums.groups(frame), _values(frame) if sqlite else [])


def digest_text(frame: pl.DataFrame) -> bytes:
    """What `direct` digests for these rows, made by polars: each value as `str` gives it
    (`None` for a missing one), joined by the unit separator, a line a row."""
    out = io.BytesIO()
    frame.select(DIGEST_COLUMNS).write_csv(
        out, include_header=False, separator="\x1f", null_value="None", quote_style="never"
    )
    return out.getvalue()


def _values(frame: pl.DataFrame) -> list[list[Any]]:
    """The rows' values in order, `ROWS_A_STATEMENT` rows a list (the last maybe fewer)."""
    # Rows zipped from the columns' lists: twice as fast as polars' own `iter_rows`.
    columns = [_listed(column) for column in frame.iter_columns()]
    flat = list(chain.from_iterable(zip(*columns, strict=True)))
    step = len(COLUMNS) * ROWS_A_STATEMENT
    return [flat[i : i + step] for i in range(0, len(flat), step)]


def _listed(column: pl.Series) -> list[Any]:
    """The column's values; text that repeats from row to row (`_REPEATING`) as one
    string a distinct value, not one a row: two chunks ahead of the writer, strings
    a row held several megabytes a chunk."""
    if column.name not in _REPEATING:
        return column.to_list()
    import polars as pl  # loaded already, by whoever made the frame

    # Each row's place among the distinct values (a hash lookup, missing ones too) picks
    # its value from the list of them: as fast as `to_list`, one string a value.
    distinct = column.unique()
    names = distinct.to_list()
    places = pl.int_range(len(distinct), dtype=pl.UInt32, eager=True)
    return list(map(names.__getitem__, column.replace_strict(distinct, places).to_list()))


def insert_or_ignore(driver: Any, values: list[list[Any]]) -> int:
    """SQLite: insert the prepared rows not stored yet; how many were added."""
    step = len(COLUMNS) * ROWS_A_STATEMENT
    whole = values if not values or len(values[-1]) == step else values[:-1]
    added = 0
    cur = driver.cursor()
    try:
        for sets in (whole, values[len(whole) :]):
            if sets:
                rows = ", ".join([_ROW] * (len(sets[0]) // len(COLUMNS)))
                cur.executemany(
                    f"INSERT OR IGNORE INTO card_transactions ({', '.join(COLUMNS)}) VALUES {rows}",
                    sets,
                )
                added += int(cur.rowcount)
        return added
    finally:
        cur.close()
