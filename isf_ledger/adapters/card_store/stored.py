"""Which of a chunk's identities `card_transactions` holds already, asked before the
chunk is inserted, so a file imported again adds nothing without paying for
inserts that fail.

A chunk's first and last identities are asked first, and the rest only if
one of them is stored; then how many are stored is counted before they are
fetched: a chunk of a file imported again is stored whole, and fetching and
keeping each of its identities took a re-import's thread a third of its time.

An identity is asked as its key has it (migration 0018): a provider id by
itself, a content digest with its posted day (see `tables`). So a question
(`Asked`) holds the two kinds apart, each sent in one query as one value, and
no object is made a row: a re-import asks for every row it reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import polars as pl


class Asked(NamedTuple):
    """Identities to look for: provider ids, and (posted day, digest) pairs."""

    ids: list[str]
    digests: list[tuple[str, str]]

    def identities(self) -> set[str]:
        return {*self.ids, *(digest for _, digest in self.digests)}


def asked_of_rows(rows: Sequence[Sequence[Any]]) -> Asked:
    """The identities of stored rows (`staging.COLUMNS`: identity, source, ..., posted day)."""
    return Asked(
        [row[1] for row in rows if row[2] is not None],
        [(row[4], row[1]) for row in rows if row[2] is None],
    )


def asked_of_frame(frame: pl.DataFrame) -> Asked:
    """`asked_of_rows` of a frame with those columns, a column at a time."""
    provider = frame["source"].is_not_null()
    bare = frame.filter(~provider)
    digests = list(zip(bare["posted_on"].to_list(), bare["identity"].to_list(), strict=True))
    ids = frame["identity"] if bare.is_empty() else frame.filter(provider)["identity"]
    return Asked(ids.to_list(), digests)


class StoredIdentities:
    """Asks one import's connection (the driver's own) which identities are stored."""

    def __init__(self, driver: Any, postgres: bool) -> None:
        self.driver = driver
        # As JSON text: psycopg writes a list as an array at some µs an item, json at far
        # less. Probes of a key in one ordered pass (PostgreSQL `= ANY` of an array, or a
        # record set; a SQLite join led by the list), a quarter faster than
        # `IN (subquery)`, which first makes the list's values distinct.
        if postgres:
            self.by_id = (
                "FROM card_transactions WHERE source IS NOT NULL AND identity = "
                "ANY(ARRAY(SELECT json_array_elements_text(%s::json)))"
            )
            # A probe of the key for each pair, whatever the statistics say: as a join, a
            # planner that took the stored digests for none (every earlier import had
            # ids) hashed the whole key, and an import's own digests grew it chunk by
            # chunk. A subquery with a LIMIT is never made into a join.
            self.by_day = (
                "FROM json_to_recordset(%s::json) AS k(d date, i text) CROSS JOIN LATERAL "
                "(SELECT identity FROM card_transactions WHERE source IS NULL "
                "AND posted_on = k.d AND identity = k.i LIMIT 1) AS stored"
            )
        else:
            self.by_id = (
                "FROM json_each(?) CROSS JOIN card_transactions "
                "WHERE source IS NOT NULL AND identity = value"
            )
            self.by_day = (
                "FROM json_each(?) CROSS JOIN card_transactions WHERE source IS NULL AND "
                "posted_on = json_extract(value, '$.d') AND identity = json_extract(value, '$.i')"
            )

    def of_chunk(self, ends: Asked, every: Callable[[], Asked]) -> set[str]:
        """The identities of a chunk (its first and last, `ends`; `every` one of them,
        asked only when one of those two is stored) that are stored; see the module's
        note."""
        if not self.among(ends):
            return set()
        asked = every()
        counted = sum(rows[0][0] for rows in self._query("count(*)", asked))
        if counted == len(asked.ids) + len(asked.digests):
            return asked.identities()  # every one (a stored key is stored once)
        return self.among(asked)

    def among(self, asked: Asked) -> set[str]:
        """The identities asked that are stored: a query a kind, the list as one value."""
        return {identity for rows in self._query("identity", asked) for (identity,) in rows}

    def _query(self, what: str, asked: Asked) -> list[list[Any]]:
        found = []
        digests = [{"d": day, "i": digest} for day, digest in asked.digests]
        cur = self.driver.cursor()
        try:
            for sql, values in ((self.by_id, asked.ids), (self.by_day, digests)):
                if values:
                    cur.execute(f"SELECT {what} {sql}", [json.dumps(values)])
                    found.append(list(cur.fetchall()))
        finally:
            cur.close()
        return found
