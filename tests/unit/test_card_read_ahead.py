"""Reading ahead in a thread changes nothing the import sees but when rows are read.

Every chunk comes through once, in order; an error in the reader is raised
to the import, where it would have been raised without the thread; and an
import that stops taking rows stops the reader, which closes its file.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import polars as pl
import pytest

from isf_ledger.adapters.card_files import ahead
from isf_ledger.adapters.card_files.ahead import read_ahead
from isf_ledger.adapters.card_files.results import RowBatch, RowProblem, SkippedRow


def items(count: int) -> list[object]:
    out: list[object] = []
    for n in range(count):
        if n % 7 == 0:
            out.append(RowBatch(pl.DataFrame({"line": [n]}), ","))
        else:
            out.append(SkippedRow(n, "pending") if n % 2 else RowProblem(n, "bad", ["x"]))
    return out


@pytest.mark.parametrize("depth", [1, 2, 5])
def test_every_item_comes_once_in_order(depth):
    given = items(200)
    assert list(read_ahead(iter(given), depth)) == given


def test_the_switch_interval_is_short_while_the_thread_runs_and_as_it_was_after():
    before = sys.getswitchinterval()
    taken = read_ahead(iter(items(3)))
    next(taken)
    assert sys.getswitchinterval() == pytest.approx(min(before, ahead.SWITCH_SECONDS))
    assert sys.getswitchinterval() < before
    assert list(taken) == items(3)[1:]
    assert sys.getswitchinterval() == before


def test_readers_side_by_side_share_the_short_interval_and_the_last_puts_it_back():
    before = sys.getswitchinterval()
    first, second = read_ahead(iter(items(2))), read_ahead(iter(items(2)))
    next(first)
    next(second)
    assert list(first) == items(2)[1:]  # the first ends while the second still runs
    assert sys.getswitchinterval() < before
    assert list(second) == items(2)[1:]
    assert sys.getswitchinterval() == before


def test_an_error_in_the_reader_is_raised_to_the_import_after_the_items_before_it():
    def failing() -> Iterator[object]:
        yield SkippedRow(1, "pending")
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for item in read_ahead(failing()):  # type: ignore[arg-type]
            got.append(item)
    assert got == [SkippedRow(1, "pending")]


def test_an_import_that_stops_taking_rows_stops_the_reader_and_closes_its_file():
    closed = threading.Event()

    def endless() -> Iterator[object]:
        try:
            n = 0
            while True:
                n += 1
                yield SkippedRow(n, "pending")
        finally:
            closed.set()  # where the reader's `with open(...)` closes the file

    taken = read_ahead(endless())
    assert next(taken) == SkippedRow(1, "pending")
    taken.close()
    assert closed.is_set()
    assert not [t for t in threading.enumerate() if t.name == "card-reader"]
