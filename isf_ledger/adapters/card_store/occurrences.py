"""Which repeat of its content (card, posted date, amount, balance) each row of
a file is: its `occurrence`, part of the stored content key.

Counting holds the recent days only: the rest spill, a day's counts at a
time, to a temporary file, and come back if the day turns up again, so
memory stays flat however the file is sorted. A day spills as one record
(`marshal` of its counts, read back only by this process): a million rows
spilled one table row each took 1.6 s on SQLite, as one record a day 0.1 s,
and the file is the process's own, so the numbering can run in the reading
thread without sharing the import's database connection.
"""

from __future__ import annotations

import marshal
import tempfile
from collections.abc import Iterable
from typing import IO, Any

HELD = 100_000  # contents counted in memory before earlier days spill


class Occurrences:
    """Numbers repeated content within one file, holding only the most recent days."""

    def __init__(self) -> None:
        self.days: dict[str, dict[tuple[Any, ...], int]] = {}
        self.held = 0
        self.spilled: dict[str, tuple[int, int]] = {}  # day: (offset, size) in `file`
        self.file: IO[bytes] | None = None

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
        get = counts.get
        before = 0  # contents the day held when it came up, to count those new since
        for card_id, posted_on, pence, balance in zip(
            card_ids, days, pences, balances, strict=True
        ):
            if posted_on != day:
                self.held += len(counts) - before
                day = posted_on
                found = self.days.get(day)
                counts = found if found is not None else self._open(day)
                get, before = counts.get, len(counts)
            key = (card_id, pence, balance)
            number = counts[key] = get(key, 0) + 1
            append(number)
        self.held += len(counts) - before
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
        if self.file is None:
            # Closed (and so gone) by `close`, or with the writer if the import fails.
            self.file = tempfile.TemporaryFile(prefix="isf-card-counts-")  # noqa: SIM115
        record = marshal.dumps(counts)
        self.file.seek(0, 2)  # a day spilled again is written anew, at the end
        self.spilled[day] = (self.file.tell(), len(record))
        self.file.write(record)

    def _restore(self, day: str) -> dict[tuple[Any, ...], int]:
        offset, size = self.spilled.pop(day)
        assert self.file is not None
        self.file.seek(offset)
        counts: dict[tuple[Any, ...], int] = marshal.loads(self.file.read(size))
        return counts

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
