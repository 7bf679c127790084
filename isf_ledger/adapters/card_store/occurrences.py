"""Which repeat of its content (card, posted date, amount, balance) each row of
a file is: its `occurrence`, part of the stored content key.

Counting holds the recent days only: the rest spill to a temporary table
and come back if a day turns up again, so memory stays flat however the
file is sorted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from isf_ledger.adapters.bulk_rows import insert_rows

HELD = 100_000  # contents counted in memory before earlier days spill

_COUNTS = ("day", "card_id", "pence", "balance", "number")


class Occurrences:
    """Numbers repeated content within one file, holding only the most recent days."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.driver: Any = conn.connection.driver_connection
        self.postgres = conn.dialect.name == "postgresql"
        self.days: dict[str, dict[tuple[Any, ...], int]] = {}
        self.held = 0
        self.spilled: set[str] = set()
        self.table = self.indexed = False

    def number(self, card_id: str, posted_on: str, pence: int, balance: int | None) -> int:
        return self.numbers([card_id], [posted_on], [pence], [balance])[0]

    def numbers(
        self,
        card_ids: Iterable[str],
        days: Iterable[str],
        pences: Iterable[int],
        balances: Iterable[int | None],
    ) -> list[int]:
        """`number` of each row in turn: one call for a batch's columns, a loop in one place."""
        out: list[int] = []
        append = out.append
        day: str | None = None
        counts: dict[tuple[Any, ...], int] = {}
        rows = zip(card_ids, days, pences, balances, strict=True)
        for card_id, posted_on, pence, balance in rows:
            if posted_on != day:
                day = posted_on
                found = self.days.get(day)
                counts = found if found is not None else self._open(day)
            key = (card_id, pence, balance)
            number = counts[key] = counts.get(key, 0) + 1
            if number == 1:
                self.held += 1
            append(number)
        return out

    def _open(self, day: str) -> dict[tuple[Any, ...], int]:
        while self.held > HELD and self.days:
            self._spill(next(iter(self.days)))
        counts = self.days[day] = self._restore(day) if day in self.spilled else {}
        self.held += len(counts)
        return counts

    def _spill(self, day: str) -> None:
        counts = self.days.pop(day)
        self.held -= len(counts)
        if not self.table:
            on_commit = "ON COMMIT DROP" if self.postgres else ""
            if not self.postgres:
                self.driver.execute("DROP TABLE IF EXISTS temp.card_counts")
            self.driver.execute(
                "CREATE TEMP TABLE card_counts (day text, card_id text, pence bigint, "
                f"balance bigint, number bigint) {on_commit}"
            )
            self.table = True
        rows = [(day, *key, n) for key, n in counts.items()]
        insert_rows(self.conn, "card_counts", _COUNTS, rows)
        self.spilled.add(day)

    def _restore(self, day: str) -> dict[tuple[Any, ...], int]:
        self.spilled.discard(day)
        m = "%s" if self.postgres else "?"
        cur = self.driver.cursor()
        try:
            if not self.indexed:
                # Only now: a file sorted by day never comes back, and never pays for it.
                cur.execute("CREATE INDEX card_counts_day ON card_counts (day)")
                self.indexed = True
            cur.execute(f"SELECT card_id, pence, balance, number FROM card_counts WHERE day = {m}",
                        (day,))  # fmt: skip
            counts = {(card, pence, balance): n for card, pence, balance, n in cur.fetchall()}
            cur.execute(f"DELETE FROM card_counts WHERE day = {m}", (day,))
        finally:
            cur.close()
        return counts

    def close(self) -> None:
        if self.table and not self.postgres:
            self.driver.execute("DROP TABLE temp.card_counts")
