"""Which of a chunk's identities `card_transactions` holds already, asked before the
chunk is inserted, so a file imported again adds nothing without paying for
inserts that fail.

A chunk's first and last identities are asked first, and the rest only if
one of them is stored; then how many are stored is counted before they are
fetched: a chunk of a file imported again is stored whole, and fetching and
keeping each of its identities took a re-import's thread a third of its time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


class StoredIdentities:
    """Asks one import's connection (the driver's own) which identities are stored."""

    def __init__(self, driver: Any, postgres: bool) -> None:
        self.driver = driver
        # As JSON text: psycopg writes a list as an array at some µs an item, json at far
        # less. Probes of the identity key in one ordered pass (PostgreSQL `= ANY` of an
        # array; a SQLite join led by the list), a quarter faster than `IN (subquery)`,
        # which first makes the list's values distinct.
        self.sql = (
            "FROM card_transactions WHERE identity = "
            "ANY(ARRAY(SELECT json_array_elements_text(%s::json)))"
            if postgres
            else "FROM json_each(?) CROSS JOIN card_transactions WHERE identity = value"
        )

    def of_chunk(self, first: str, last: str, every: Callable[[], list[str]]) -> set[str]:
        """The identities of a chunk (its `first`, its `last`, `every` one of them, made
        only when one of those two is stored) that are stored; see the module's note."""
        if not self.among(first, last):
            return set()
        identities = every()
        if self._query("count(*)", identities)[0][0] == len(identities):
            return set(identities)  # every one (a stored identity is stored once)
        return self.among(*identities)

    def among(self, *identities: str) -> set[str]:
        """The identities among these that are stored: one query, the list as one value."""
        return {identity for (identity,) in self._query("identity", list(identities))}

    def _query(self, what: str, identities: list[str]) -> list[Any]:
        cur = self.driver.cursor()
        try:
            cur.execute(f"SELECT {what} {self.sql}", [json.dumps(identities)])
            return list(cur.fetchall())
        finally:
            cur.close()
