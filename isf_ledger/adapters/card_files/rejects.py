"""Bad rows written back out, unchanged, so they can be fixed and imported again.

The rejects file is in the export's own shape: its header (at the profile's
header row, under a title line), the same delimiter, each bad row's cells as
they were read (card numbers masked), and two more columns saying where the
row came from and why it was refused. Written as UTF-8 with a byte-order
mark, which Excel opens correctly and the card reader always understands,
so after fixing the rows the file imports with the same profile.

Like every CSV the ledger writes, it is safe to open in a spreadsheet: a
text cell that would run as a formula (starting `=`, `+`, `-`, `@`, tab or
carriage return) gets a leading `'`, the one change made to a row. Cells in
the profile's money columns that read as money stay as they are, so
`-45.60` is still an amount.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from isf_ledger.adapters.card_files.cells import CellError, parse_money
from isf_ledger.adapters.card_files.profile import Profile, normal_text
from isf_ledger.adapters.render.csv_safe import safe_cell

FROM_COLUMN = "rejected from"
REASON_COLUMN = "reject reason"
_HEADER_SEARCH_LINES = 1000


def read_header(path: str | Path, profile: Profile) -> list[str] | None:
    """The export's header cells, found as the reader finds them; None if there is none."""
    try:
        with open(path, "rb") as handle:
            lines = _lines(handle.readline, profile.encoding)
            reader = csv.reader(lines, delimiter=profile.delimiter)
            start = 1
            for cells in reader:
                line, start = start, reader.line_num + 1
                if line >= profile.header_row and "".join(cells).strip():
                    return cells
                if line > _HEADER_SEARCH_LINES:
                    return None
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


def _lines(readline: object, encoding: str) -> Iterator[str]:
    first = True
    while raw := readline():  # type: ignore[operator]
        if first and raw.startswith(codecs.BOM_UTF8):
            raw, encoding = raw[len(codecs.BOM_UTF8) :], "utf-8"
        first = False
        yield raw.decode(encoding)


class RejectsWriter:
    """Opened on the first bad row; a header again only when an export's header differs."""

    def __init__(self, path: str | Path, profile: Profile) -> None:
        self.path = Path(path)
        self.profile = profile
        self.out: TextIO | None = None
        self.writer: Any = None
        self.header: list[str] | None = None
        self.next_header: list[str] | None = None
        self.money_cells: frozenset[int] = frozenset()
        self.written = 0
        names = profile.columns
        self.money_names = {
            normal_text(n) for n in (names.amount, names.debit, names.credit, names.balance) if n
        }

    def start_file(self, source: str | Path) -> None:
        """Rows of `source` come next: take its header, to write if it is a new one."""
        header = read_header(source, self.profile) or []
        same = self.header is not None and [normal_text(h) for h in header] == [
            normal_text(h) for h in self.header
        ]
        self.next_header = None if same else header

    def write(self, source: str | Path, line: int, reason: str, cells: list[str]) -> None:
        writer = self._writer()
        if self.next_header is not None:
            if self.header is not None:
                writer.writerow([])
            self.header, self.next_header = self.next_header, None
            self.money_cells = frozenset(
                i for i, name in enumerate(self.header) if normal_text(name) in self.money_names
            )
            writer.writerow([safe_cell(h) for h in (*self.header, FROM_COLUMN, REASON_COLUMN)])
        width = len(self.header or ())
        if len(cells) > width and not "".join(cells[width:]).strip():
            cells = cells[:width]  # empty cells after the last column, as Excel leaves them
        padded = [self._safe(i, c) for i, c in enumerate(cells)] + [""] * (width - len(cells))
        writer.writerow([*padded, safe_cell(f"{Path(source).name}:{line}"), safe_cell(reason)])
        self.written += 1

    def _safe(self, index: int, cell: str) -> str:
        if index in self.money_cells:
            try:
                parse_money(cell, cr_dr=self.profile.amounts_end_in_cr_dr)
                return cell
            except CellError:
                pass
        return safe_cell(cell)

    def _writer(self) -> Any:
        if self.writer is None:
            self.out = open(self.path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            self.writer = csv.writer(
                self.out, delimiter=self.profile.delimiter, lineterminator="\r\n"
            )
            # The header goes on the profile's header row, as in the export.
            if self.profile.header_row > 1:
                self.writer.writerow(["Rejected rows from isf-ledger cards import"])
                for _ in range(self.profile.header_row - 2):
                    self.writer.writerow([])
        return self.writer

    def close(self) -> None:
        if self.out is not None:
            self.out.close()
