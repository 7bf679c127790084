"""CSV files from outside the council, as numbered records: the hardened part.

Card exports and providers' returns arrive as spreadsheets saved to CSV, with
what that brings: a UTF-8 byte-order mark or cp1252 bytes, title lines,
blank lines, quotes never closed, stray NUL bytes, binary files given the
wrong name. Both readers go through here, so each of those is caught once,
the same way, and reported with the physical line it is on.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from typing import BinaryIO

MAX_LINE_BYTES = 1_000_000
DELIMITER_WORDS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


class FileProblem(Exception):
    """Stops reading a file: the line it stopped at and why, in plain words."""

    def __init__(self, line: int, reason: str, raw: list[str] | None = None) -> None:
        super().__init__(reason)
        self.line, self.reason, self.raw = line, reason, raw or []


class Lines:
    """Physical lines as text, decoded one by one so a bad byte is pinned to its line.

    `number` is the last line read, so a reader that took some lines another
    way (the card import's column batches) can hand the rest back from there.
    A UTF-8 byte-order mark means UTF-8 whatever the caller says: it is what
    Excel writes for "CSV UTF-8", and reading it as cp1252 would garble every £.
    `what` names the file in refusals ("a card export").
    """

    def __init__(self, handle: BinaryIO, encoding: str, what: str, number: int = 0) -> None:
        self.handle, self.encoding, self.what, self.number = handle, encoding, what, number

    def __iter__(self) -> Iterator[str]:
        while raw := self.handle.readline(MAX_LINE_BYTES + 1):
            self.number += 1
            number = self.number
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw, self.encoding = raw[len(codecs.BOM_UTF8) :], "utf-8"
            if len(raw) > MAX_LINE_BYTES:
                raise FileProblem(number, f"line is longer than 1 MB; this is not {self.what}")
            if b"\x00" in raw:
                raise FileProblem(number, f"line holds a NUL byte; this is not {self.what}")
            try:
                yield raw.decode(self.encoding)
            except UnicodeDecodeError as e:
                raise FileProblem(
                    number,
                    f"byte 0x{raw[e.start]:02x} at position {e.start + 1} is not "
                    f"{self.encoding} text; the file may be in another encoding (utf-8 or cp1252)",
                ) from None


def records(lines: Lines, delimiter: str) -> Iterator[tuple[int, list[str]]]:
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


def csv_records(
    handle: BinaryIO, encoding: str, delimiter: str, what: str
) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV records of a whole file, with the physical line each starts on."""
    return records(Lines(handle, encoding, what), delimiter)


def find_header(records: Iterator[tuple[int, list[str]]], header_row: int) -> tuple[int, list[str]]:
    """The first non-blank record at or after `header_row`; title lines before it are skipped."""
    last = 0
    for line, cells in records:
        if line >= header_row:
            return line, cells
        last = line
    if last == 0:
        raise FileProblem(0, "file is empty")
    raise FileProblem(last, f"file ends before its header row (line {header_row})")


def missing_columns(missing: list[str]) -> str:
    """`missing column 'a'` or `missing columns 'a', 'b'`."""
    plural = "s" if len(missing) > 1 else ""
    return f"missing column{plural} " + ", ".join(f"'{h}'" for h in missing)


def other_delimiter(header: list[str], delimiter: str) -> str | None:
    """The delimiter a one-cell header seems to use instead of `delimiter`, if any."""
    if len(header) != 1:
        return None
    others = [d for d in DELIMITER_WORDS if d != delimiter]
    best = max(others, key=lambda d: len(header[0].split(d)))
    return best if len(header[0].split(best)) >= 2 else None
