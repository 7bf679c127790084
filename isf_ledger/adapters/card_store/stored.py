"""Which of a chunk's identities `card_transactions` holds already, asked before the
chunk is inserted, so a file imported again adds nothing without paying for
inserts that fail.

A chunk's first and last identities are asked first, and the rest only if
one of them is stored; then how many are stored is counted before they are
fetched: a chunk of a file imported again is stored whole, and fetching and
keeping each of its identities took a re-import's thread a third of its time.

An identity is asked as its key has it (migration 0018): a provider id by
itself, a content identity with its posted day (see `tables`). So each
question is a `Key`, and the two kinds go to their own keys in one query each.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple


class Key(NamedTuple):
    """A row's identity as its unique key finds it."""

    identity: str
    posted_on: str  # ISO day
    provider: bool  # a provider id (the row has a `source`): unique on its own


class StoredIdentities:
    """Asks one import's connection (the driver's own) which identities are stored."""

    def __init__(self, driver: Any, postgres: bool) -> None:
        self.driver = driver
        # As JSON text: psycopg writes a list as an array at some µs an item, json at far
        # less. Probes of a key in one ordered pass (PostgreSQL `= ANY` of an array or a
        # join on a record set; a SQLite join led by the list), a quarter faster than
        # `IN (subquery)`, which first makes the list's values distinct.
        if postgres:
            self.by_id = (
                "FROM card_transactions WHERE source IS NOT NULL AND identity = "
                "ANY(ARRAY(SELECT json_array_elements_text(%s::json)))"
            )
            # A probe of the key for each one, whatever the statistics say: as a join, a
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

    def of_chunk(self, ends: Sequence[Key], every: Callable[[], list[Key]]) -> set[str]:
        """The identities of a chunk (its first and last, `ends`; `every` one of them,
        made only when one of those two is stored) that are stored; see the module's note."""
        if not self.among(ends):
            return set()
        keys = every()
        if sum(rows[0][0] for rows in self._query("count(*)", keys)) == len(keys):
            return {key.identity for key in keys}  # every one (a stored key is stored once)
        return self.among(keys)

    def among(self, keys: Sequence[Key]) -> set[str]:
        """The identities among these that are stored: a query a kind, the list as one value."""
        return {identity for rows in self._query("identity", keys) for (identity,) in rows}

    def _query(self, what: str, keys: Sequence[Key]) -> list[list[Any]]:
        ids = [key.identity for key in keys if key.provider]
        days = [{"d": key.posted_on, "i": key.identity} for key in keys if not key.provider]
        found = []
        cur = self.driver.cursor()
        try:
            for sql, values in ((self.by_id, ids), (self.by_day, days)):
                if values:
                    cur.execute(f"SELECT {what} {sql}", [json.dumps(values)])
                    found.append(list(cur.fetchall()))
        finally:
            cur.close()
        return found
