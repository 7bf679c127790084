"""Streaming reader for card providers' CSV exports.

`read_card_file` turns one export into a stream of `CardRow` (a posted
transaction), `RowProblem` (a row or file that cannot be read, with the line
and a reason in plain words) and `SkippedRow` (authorisations not yet
posted). It never raises for bad data and never holds the file in memory:
lines are read and decoded one at a time, so a multi-gigabyte export costs
the same memory as a small one, apart from a few bytes a row for telling
identical rows apart (see `card_identity`).

`read_card_batches` gives the same, but hands runs of plainly good rows over
as column batches (see `columnar`), read a block at a time, for the import's
speed. Where the columnar reader cannot number lines exactly (a quote, which
may open a field spanning lines) it hands the rest of the file back to the
row reader, from that block's first line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from isf_ledger.adapters.card_files.profile import Profile
from isf_ledger.adapters.card_files.results import (
    CardRow,
    ReadResult,
    RowBatch,
    RowProblem,
    SkippedRow,
)
from isf_ledger.adapters.card_files.row_reader import RowReader
from isf_ledger.adapters.csv_text import FileProblem, Lines, find_header, records

WHAT = "a card export"

__all__ = ["CardRow", "ReadResult", "RowBatch", "RowProblem", "SkippedRow", "read_card_file"]


def read_card_file(path: str | Path, profile: Profile) -> Iterator[ReadResult]:
    """Read one card export with a profile, row by row, without ever raising for bad data."""
    for item in _read(path, profile, columnar=False):
        assert not isinstance(item, RowBatch)
        yield item


def read_card_batches(path: str | Path, profile: Profile) -> Iterator[ReadResult | RowBatch]:
    """`read_card_file`, with runs of plainly good rows as column batches, in file order."""
    return _read(path, profile, columnar=True)


def _read(path: str | Path, profile: Profile, *, columnar: bool) -> Iterator[ReadResult | RowBatch]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the with below, inside the generator
    except FileNotFoundError:
        yield RowProblem(0, "file not found", [])
        return
    except OSError as e:
        yield RowProblem(0, f"cannot open file: {(e.strerror or str(e)).lower()}", [])
        return
    with handle:
        try:
            lines = Lines(handle, profile.encoding, WHAT)
            numbered = records(lines, profile.delimiter)
            header_line, header = find_header(numbered, profile.header_row)
            rows = RowReader(profile, header_line, header)
            if columnar:
                # polars loads only here: every other command starts without it.
                from isf_ledger.adapters.card_files.columnar import read_columns

                line = yield from read_columns(handle, lines.number + 1, lines.encoding, rows)
                lines = Lines(handle, lines.encoding, WHAT, line - 1)
                numbered = records(lines, profile.delimiter)
            for line, cells in numbered:
                yield rows.read(line, cells)
        except FileProblem as p:
            yield RowProblem(p.line, p.reason, p.raw)
        except OSError as e:
            yield RowProblem(0, f"cannot read file: {(e.strerror or str(e)).lower()}", [])
