"""Reading ahead in a thread changes nothing the import sees but when rows are read.

Every item comes through once, in order (rows one by one, column batches
whole); an error in the reader is raised to the import, where it would have
been raised without the thread; and an import that stops taking rows stops
the reader, which closes its file.
"""

from __future__ import annotations

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


@pytest.mark.parametrize("handful", [1, 3, ahead.HANDFUL])
def test_every_item_comes_once_in_order(monkeypatch, handful):
    monkeypatch.setattr(ahead, "HANDFUL", handful)
    given = items(200)
    assert list(read_ahead(iter(given))) == given  # type: ignore[arg-type]


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

    taken = read_ahead(endless())  # type: ignore[arg-type]
    assert next(taken) == SkippedRow(1, "pending")
    taken.close()
    assert closed.is_set()
    assert not [t for t in threading.enumerate() if t.name == "card-reader"]
