"""One file's card rows written straight into `card_transactions`, chunk by chunk.

Each row is numbered as it is read: its `occurrence` is which repeat of its
content (card, posted date, amount, balance) it is within the file. Chunks
then go straight into the keyed table, whose two unique keys (identity, and
content with occurrence) make the database skip every row already stored,
in one probe each: SQLite `INSERT OR IGNORE`; on PostgreSQL a `COPY` inside
a savepoint, and only when that meets a stored key, a staged
`INSERT ... ON CONFLICT DO NOTHING` (until a chunk adds every row again).
A chunk is a list of rows, or a polars frame from the columnar reader,
prepared in the reading thread (`prepared`: digested and summed by polars,
and on SQLite its values laid out for multi-row inserts), then written with
no Python a row (`COPY` as CSV; SQLite's prepared inserts); the digest and
sums are kept while the chunk adds every row.

Before a chunk is written, its identities already stored are looked up
(see `stored`): rows whose identity is stored are duplicates and are not
sent, so a file imported again adds nothing without paying for inserts that
fail.

A row the database skipped is a duplicate, unless its identity is new, it
has a provider id, and the stored row with its content has an id from the
same source: then it is another transaction with the same content, and is
set aside (staged, see `staging`) to take the next occurrence at the end.

The import's rows are the ids after the largest stored when it began (`before`):
imports are serialised, so no other rows come between them, and
`card_transactions` needs no index on `import_id` to find them.

The import's digest (see `digest`) is taken from the rows as they are added,
in the order they are stored, so nothing is read back but the rare rows set
aside; so are the import's sums by card and month (see `month_sums`), with
the ids the rows took. Counting repeats holds the recent days only: the rest
spill to a temporary file and come back if a day turns up again, so memory
stays flat however the file is sorted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from isf_ledger.adapters.card_store.digest import DIGEST_COLUMNS, RowsDigest
from isf_ledger.adapters.card_store.month_sums import MonthSums
from isf_ledger.adapters.card_store.occurrences import Occurrences
from isf_ledger.adapters.card_store.prepared import Prepared, insert_or_ignore, prepare
from isf_ledger.adapters.card_store.staging import COLUMNS, StagedRow, Stager
from isf_ledger.adapters.card_store.stored import (
    StoredIdentities,
    asked_of_frame,
    asked_of_rows,
)
from isf_ledger.adapters.card_store.tables import NO_BALANCE

if TYPE_CHECKING:
    import polars as pl

_NAMES = ", ".join(COLUMNS)
assert COLUMNS[1:] == DIGEST_COLUMNS  # a stored row: its import, then what is digested
_SAME_CONTENT = """SELECT source FROM card_transactions WHERE card_id = {m} AND posted_on = {d}
    AND pence = {m} AND coalesce(balance_pence, {no}) = {m} AND occurrence = {m}"""


class DirectWriter:
    """Adds one file's rows to `card_transactions` and digests what it added."""

    def __init__(self, conn: Connection, import_id: int) -> None:
        self.conn = conn
        self.import_id = int(import_id)
        self.driver: Any = conn.connection.driver_connection
        self.postgres = conn.dialect.name == "postgresql"
        self.m = "%s" if self.postgres else "?"
        self.occurrences = Occurrences()
        self.stored_of = StoredIdentities(self.driver, self.postgres)
        self.sha = hashlib.sha256()
        self.seen = self.added = 0
        self.first: str | None = None
        self.last: str | None = None
        self.copy = True  # PostgreSQL: COPY until a chunk meets a stored key
        self.chunk_table = False
        self.set_aside: Stager | None = None
        # Imports are serialised and hold the write lock by now (their record is written
        # first): the import's rows are the ids after this one.
        self.before = self._max_id()
        self.sums = MonthSums()
        self.adding = True  # the last chunk added rows (read by `prepare`'s thread)

    def add(self, rows: Sequence[StagedRow]) -> None:
        """Add a chunk of rows (never none) as stored (see `staging.COLUMNS`), numbered."""
        self.seen += len(rows)
        stored = self.stored_of.of_chunk(
            asked_of_rows((rows[0], rows[-1])), lambda: asked_of_rows(rows)
        )
        if stored:
            rows = [row for row in rows if row[1] not in stored]
        if rows:
            self._added(rows, *self._insert(rows))

    def prepare(self, frame: pl.DataFrame) -> Prepared | pl.DataFrame:
        """A frame as `add_frame` takes it (see `prepared`), in the reading thread; as it
        is while the file's rows are found stored (a file imported again)."""
        return prepare(frame, self.sums, not self.postgres) if self.adding else frame

    def add_frame(self, chunk: Prepared | pl.DataFrame) -> None:
        """`add` for a frame with those columns: in bulk, with no Python a row, while none
        of its rows is stored (PostgreSQL `COPY` as CSV; SQLite multi-row inserts of the
        prepared values); row by row as `add` does once one is."""
        frame = chunk.frame if isinstance(chunk, Prepared) else chunk
        self.seen += frame.height
        # Listed only if the first or the last is stored.
        ends = asked_of_rows((frame.row(0), frame.row(-1)))
        stored = self.stored_of.of_chunk(ends, lambda: asked_of_frame(frame))
        self.adding = len(stored) < frame.height
        if not self.adding:
            return  # every row stored already
        if stored:
            frame = frame.filter(~frame["identity"].is_in(list(stored)))
            if frame.is_empty():
                return
        if stored or not isinstance(chunk, Prepared):
            chunk = prepare(frame, self.sums, not self.postgres)
        if self.postgres:
            if self.copy and self._copy_frame(chunk):
                return
            rows = frame.rows()
            self._added(rows, *self._insert(rows))
            return
        before = self._max_id()
        if insert_or_ignore(self.driver, chunk.values) == frame.height:
            self._added_whole(frame, chunk.digest_text, chunk.sums)
        else:
            rows = frame.rows()
            self._added(rows, *self._added_since(before, rows))

    def _added_whole(self, frame: pl.DataFrame, text: bytes, sums: pl.DataFrame) -> None:
        """Digest and sum a frame just stored whole, given its digest's text and its sums:
        its ids are the last `height` ones (imports are serialised, and a statement's rows
        take ids in its order)."""
        self.sha.update(text)
        low, high = str(frame["posted_on"].min()), str(frame["posted_on"].max())
        self.first = low if self.first is None else min(self.first, low)
        self.last = high if self.last is None else max(self.last, high)
        self.added += frame.height
        self.sums.add_groups(sums, self._last_ids(frame.height).start)

    def _added(
        self, rows: Sequence[StagedRow], added: Sequence[StagedRow], ids: Sequence[int]
    ) -> None:
        self._digest(added)
        self.sums.add_rows([(r[3], r[4], r[6], r[7], r[8], r[12]) for r in added], ids)
        if len(added) < len(rows):
            lines = {row[-1] for row in added}
            self._sort_out([r for r in rows if r[-1] not in lines])

    def finish(self) -> RowsDigest:
        """Add the rows set aside, renumbered; the digest of every row added."""
        self.occurrences.close()
        if self.set_aside is not None:
            before = self._max_id()
            self.set_aside.move_renumbered()
            cur = self.driver.cursor()
            try:
                cur.execute(f"SELECT {', '.join(DIGEST_COLUMNS)}, id FROM card_transactions "
                            f"WHERE id > {before} ORDER BY id")  # fmt: skip
                moved = cur.fetchall()
            finally:
                cur.close()
            self._digest([(self.import_id, *row[:-1]) for row in moved])
            self.sums.add_rows([(r[2], r[3], r[5], r[6], r[7], r[11]) for r in moved],
                               [r[-1] for r in moved])  # fmt: skip
        return RowsDigest(
            self.sha.hexdigest(),
            self.added,
            date.fromisoformat(self.first) if self.first else None,
            date.fromisoformat(self.last) if self.last else None,
        )

    def stored(self) -> int:
        """How many rows the table holds now that it did not hold when the file began."""
        cur = self.driver.cursor()
        try:
            cur.execute(f"SELECT count(*) FROM card_transactions WHERE id > {self.before}")
            return int(cur.fetchone()[0])
        finally:
            cur.close()

    @contextmanager
    def _copying(self, options: str = "") -> Iterator[Any]:
        """PostgreSQL: a `COPY` into `card_transactions` inside a savepoint. A row that
        meets a stored key undoes it, and no more `COPY` for this file (`copy` False)."""
        from psycopg.errors import UniqueViolation  # loaded already: a PostgreSQL ledger

        try:
            with (
                self.driver.transaction(),
                self.driver.cursor() as cur,
                cur.copy(f"COPY card_transactions ({_NAMES}) FROM STDIN{options}") as copy,
            ):
                yield copy
        except UniqueViolation:
            self.copy = False

    def _copy_frame(self, chunk: Prepared) -> bool:
        """PostgreSQL: `COPY` the frame, digested and summed already; False, with nothing
        added, if a row meets a stored key (see `_copying`)."""
        with self._copying(" (FORMAT csv)") as copy:
            copy.write(chunk.frame.write_csv(include_header=False, quote_style="non_numeric"))
        if not self.copy:
            return False
        self._added_whole(chunk.frame, chunk.digest_text, chunk.sums)
        return True

    def _insert(self, rows: Sequence[StagedRow]) -> tuple[Sequence[StagedRow], Sequence[int]]:
        """Insert what is not stored yet; returns the rows added, in the order stored,
        and their ids."""
        if self.postgres and self.copy:
            with self._copying() as copy:
                for row in rows:
                    copy.write_row(row)
            if self.copy:
                return rows, self._last_ids(len(rows))
        if self.postgres:
            cur = self.driver.cursor()
            try:
                added = self._insert_staged(cur, rows)
            finally:
                cur.close()
            self.copy = len(added) == len(rows)
            return _in_stored_order(added, rows)
        before = self._max_id()
        if self._insert_or_ignore(rows) == len(rows):
            return rows, self._last_ids(len(rows))
        return self._added_since(before, rows)

    def _last_ids(self, count: int) -> range:
        """The ids of the `count` rows just stored by one statement (see `_added_whole`)."""
        last = self._max_id()
        return range(last - count + 1, last + 1)

    def _insert_or_ignore(self, rows: Iterable[StagedRow]) -> int:
        """SQLite: insert the rows not stored yet; how many were added."""
        marks = ", ".join("?" * len(COLUMNS))
        cur = self.driver.cursor()
        try:
            cur.executemany(
                f"INSERT OR IGNORE INTO card_transactions ({_NAMES}) VALUES ({marks})", rows
            )
            return int(cur.rowcount)
        finally:
            cur.close()

    def _added_since(
        self, before: int, rows: Sequence[StagedRow]
    ) -> tuple[Sequence[StagedRow], Sequence[int]]:
        """SQLite: which of `rows` were just added (ids after `before`), in the order stored,
        and their ids."""
        cur = self.driver.cursor()
        try:
            cur.execute(f"SELECT id, line FROM card_transactions WHERE id > {before}")
            return _in_stored_order(cur.fetchall(), rows)
        finally:
            cur.close()

    def _insert_staged(self, cur: Any, rows: Sequence[StagedRow]) -> list[Any]:
        if not self.chunk_table:
            cur.execute("CREATE TEMP TABLE card_chunk ON COMMIT DROP AS SELECT "
                        f"{_NAMES} FROM card_transactions WITH NO DATA")  # fmt: skip
            self.chunk_table = True
        cur.execute("TRUNCATE card_chunk")
        with cur.copy(f"COPY card_chunk ({_NAMES}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(f"INSERT INTO card_transactions ({_NAMES}) SELECT {_NAMES} FROM card_chunk "
                    "ORDER BY line ON CONFLICT DO NOTHING RETURNING id, line")  # fmt: skip
        return list(cur.fetchall())

    def _max_id(self) -> int:
        cur = self.driver.cursor()
        try:
            cur.execute("SELECT coalesce(max(id), 0) FROM card_transactions")
            return int(cur.fetchone()[0])
        finally:
            cur.close()

    def _digest(self, rows: Sequence[StagedRow]) -> None:
        if not rows:
            return
        self.sha.update("".join(["\x1f".join(map(str, r[1:])) + "\n" for r in rows]).encode())
        posted = [str(r[4]) for r in rows]
        low, high = min(posted), max(posted)
        self.first = low if self.first is None else min(self.first, low)
        self.last = high if self.last is None else max(self.last, high)
        self.added += len(rows)

    def _sort_out(self, skipped: list[StagedRow]) -> None:
        """Set aside the skipped rows that are new transactions repeating stored content."""
        stored = self.stored_of.among(asked_of_rows(skipped))
        day = "%s::date" if self.postgres else "?"
        same_content = _SAME_CONTENT.format(m=self.m, d=day, no=NO_BALANCE)
        aside = []
        cur = self.driver.cursor()
        try:
            for row in skipped:
                source = row[2]
                if source is None or row[1] in stored:
                    continue  # a duplicate
                balance = NO_BALANCE if row[8] is None else row[8]
                cur.execute(same_content, (row[3], row[4], row[7], balance, row[9]))
                found = cur.fetchone()
                if found is not None and found[0] == source:
                    aside.append(row)
        finally:
            cur.close()
        if aside:
            if self.set_aside is None:
                self.set_aside = Stager(self.conn)
            self.set_aside.add(aside)


def _in_stored_order(
    added: Iterable[tuple[int, int]], rows: Sequence[StagedRow]
) -> tuple[list[StagedRow], list[int]]:
    """The rows whose lines `added` holds (as (id, line)), in the order of their ids, and
    those ids."""
    ordered = sorted(added)
    line_order = {line: n for n, (_, line) in enumerate(ordered)}
    kept = sorted((r for r in rows if r[-1] in line_order), key=lambda r: line_order[r[-1]])
    return kept, [id_ for id_, _ in ordered]
