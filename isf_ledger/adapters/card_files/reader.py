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

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from isf_ledger.adapters.card_files.profile import Profile
from isf_ledger.adapters.card_files.results import (
    MAX_LINE_BYTES,
    CardRow,
    FileProblem,
    ReadResult,
    RowBatch,
    RowProblem,
    SkippedRow,
)
from isf_ledger.adapters.card_files.row_reader import RowReader

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
            lines = _Lines(handle, profile.encoding)
            records = _records(lines, profile.delimiter)
            header_line, header = _find_header(records, profile)
            rows = RowReader(profile, header_line, header)
            if columnar:
                # polars loads only here: every other command starts without it.
                from isf_ledger.adapters.card_files.columnar import read_columns

                line = yield from read_columns(handle, lines.number + 1, lines.encoding, rows)
                lines = _Lines(handle, lines.encoding, line - 1)
                records = _records(lines, profile.delimiter)
            for line, cells in records:
                yield rows.read(line, cells)
        except FileProblem as p:
            yield RowProblem(p.line, p.reason, p.raw)
        except OSError as e:
            yield RowProblem(0, f"cannot read file: {(e.strerror or str(e)).lower()}", [])


class _Lines:
    """Physical lines as text, decoded one by one so a bad byte is pinned to its line.

    `number` is the last line read. A UTF-8 byte-order mark means UTF-8
    whatever the profile says: it is what Excel writes for "CSV UTF-8", and
    reading it as cp1252 would garble every £.
    """

    def __init__(self, handle: BinaryIO, encoding: str, number: int = 0) -> None:
        self.handle, self.encoding, self.number = handle, encoding, number

    def __iter__(self) -> Iterator[str]:
        while raw := self.handle.readline(MAX_LINE_BYTES + 1):
            self.number += 1
            number = self.number
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw, self.encoding = raw[len(codecs.BOM_UTF8) :], "utf-8"
            if len(raw) > MAX_LINE_BYTES:
                raise FileProblem(number, "line is longer than 1 MB; this is not a card export")
            if b"\x00" in raw:
                raise FileProblem(number, "line holds a NUL byte; this is not a card export")
            try:
                yield raw.decode(self.encoding)
            except UnicodeDecodeError as e:
                raise FileProblem(
                    number,
                    f"byte 0x{raw[e.start]:02x} at position {e.start + 1} is not "
                    f"{self.encoding} text; the file may be in another encoding (utf-8 or cp1252)",
                ) from None


def _records(lines: _Lines, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV records with the physical line each starts on."""
    first = start = lines.number + 1
    reader = csv.reader(iter(lines), delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise FileProblem(start, f"not readable as CSV: {e}") from None
        line, start = start, first + reader.line_num
        if "".join(cells).strip():
            yield line, cells


def _find_header(
    records: Iterator[tuple[int, list[str]]], profile: Profile
) -> tuple[int, list[str]]:
    """The first non-blank record at or after `header_row`; title lines before it are skipped."""
    last = 0
    for line, cells in records:
        if line >= profile.header_row:
            return line, cells
        last = line
    if last == 0:
        raise FileProblem(0, "file is empty")
    raise FileProblem(last, f"file ends before its header row (line {profile.header_row})")
