"""A provider's return: its weekly hours and other costs, as a CSV file.

One line a week of hours or a cost, for the provider's own agreements:

    kind,agreement_id,week_start,delivered_hours,on,amount,description,cost_id
    hours,AG-0001,2026-04-06,12.5,,,,
    cost,AG-0001,,,08/04/2026,"£1,234.50",Day trip to the coast,C-2026-0412

Read with the card reader's hardened pieces (`csv_text`, `card_files.cells`):
UTF-8 with or without a byte-order mark, or cp1252; dates as 2026-04-06,
06/04/2026 or 6 Apr 2026; money with or without `£` and thousands separators.
Each line becomes the contract's fields as strings, ready to be a command;
what cannot be read is a `LineProblem` with its line and a plain reason.
Whether a line's agreement is the provider's, and every rule on hours and
costs, is for the application and the domain, not for the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from isf_ledger.adapters import csv_text
from isf_ledger.adapters.card_files.cells import CellError, parse_date, parse_money
from isf_ledger.adapters.card_files.profile import normal_text
from isf_ledger.adapters.identifiers import ID_PATTERN

COLUMNS = (
    "kind", "agreement_id", "week_start", "delivered_hours", "on", "amount", "description",
    "cost_id",
)  # fmt: skip
# Which columns each kind of line fills; the others stay empty on it.
FILLED = {
    "hours": ("week_start", "delivered_hours"),
    "cost": ("on", "amount", "description", "cost_id"),
}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y")
ENCODINGS = ("utf-8", "cp1252")
WHAT = "a provider return"
_HOURS = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,6})?")


@dataclass(frozen=True, slots=True)
class ReturnLine:
    """One readable line: its kind, agreement, the command's own fields as the
    contract's strings, and `key`, what makes it the same line in another
    upload (the agreement and week for hours; the cost's id for a cost)."""

    line: int
    kind: str
    agreement_id: str
    fields: dict[str, str]
    key: str


@dataclass(frozen=True, slots=True)
class LineProblem:
    line: int
    reason: str


def read_return(
    handle: BinaryIO, encoding: str = "utf-8"
) -> tuple[list[ReturnLine], list[LineProblem]]:
    """Every line of a return, read or refused; never raises for bad data."""
    lines: list[ReturnLine] = []
    problems: list[LineProblem] = []
    seen: dict[str, int] = {}
    try:
        records = csv_text.csv_records(handle, encoding, ",", WHAT)
        header_line, header = csv_text.find_header(records, 1)
        index = _columns(header_line, header)
        for number, cells in records:
            read = _line(number, cells, index, len(header))
            if isinstance(read, LineProblem):
                problems.append(read)
            elif read.key in seen:
                what = "week of hours" if read.kind == "hours" else "cost_id"
                problems.append(LineProblem(number, f"repeats the {what} of line {seen[read.key]}"))
            else:
                seen[read.key] = number
                lines.append(read)
    except csv_text.FileProblem as p:
        problems.append(LineProblem(p.line, p.reason))
    return lines, problems


def _columns(line: int, header: list[str]) -> dict[str, int]:
    """Where each column is; the order is free and other columns are left alone."""
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(normal_text(name), i)
    missing = [c for c in COLUMNS if c not in positions]
    if not missing:
        return {c: positions[c] for c in COLUMNS}
    best = csv_text.other_delimiter(header, ",")
    if best is not None:
        raise csv_text.FileProblem(
            line,
            f"the header is one column: it looks {csv_text.DELIMITER_WORDS[best]}-separated; "
            "a return is comma-separated (save it from the spreadsheet as CSV)",
        )  # fmt: skip
    see = " (see `isf-ledger returns import --help`)"
    raise csv_text.FileProblem(line, csv_text.missing_columns(missing) + see)


def _line(
    number: int, cells: list[str], index: dict[str, int], width: int
) -> ReturnLine | LineProblem:
    if len(cells) > width and "".join(cells[width:]).strip():
        return LineProblem(number, f"line has {len(cells)} cells but the header has {width}")
    cell = {c: (cells[i].strip() if i < len(cells) else "") for c, i in index.items()}
    problems: list[str] = []
    kind = normal_text(cell["kind"])
    agreement = cell["agreement_id"]
    if not agreement:
        problems.append("agreement_id is empty")
    elif not ID_PATTERN.match(agreement):
        problems.append(f"agreement_id '{agreement}' is not an id (1-64 of A-Z a-z 0-9 . _ : -)")
    if kind not in FILLED:
        problems.append(f"kind '{cell['kind']}' is not hours or cost")
        return LineProblem(number, "; ".join(problems))
    for column in COLUMNS[2:]:
        if cell[column] and column not in FILLED[kind]:
            article = "an" if kind == "hours" else "a"
            problems.append(f"{column} is filled, but {article} {kind} line leaves it empty")
    fields = {c: _value(c, cell[c], problems) for c in FILLED[kind]}
    if problems:
        return LineProblem(number, "; ".join(problems))
    key = (
        f"hours|{agreement}|{fields['week_start']}"
        if kind == "hours"
        else f"cost|{fields['cost_id']}"
    )
    return ReturnLine(number, kind, agreement, fields, key)


def _value(column: str, text: str, problems: list[str]) -> str:
    """A cell as the contract writes the field ("" when it cannot be read)."""
    if not text:
        problems.append(f"{column} is empty")
        return ""
    try:
        if column in ("week_start", "on"):
            return parse_date(text, DATE_FORMATS).isoformat()
        if column == "amount":
            return str(parse_money(text))
        if column == "delivered_hours":
            return _hours(text)
    except CellError as e:
        problems.append(f"{column} '{text}' {e}")
        return ""
    if column == "cost_id" and not ID_PATTERN.match(text):
        problems.append(f"cost_id '{text}' is not an id (1-64 of A-Z a-z 0-9 . _ : -)")
    return text


def _hours(text: str) -> str:
    """Hours as a plain decimal without trailing zeros, so 7.50 and 7.5 are the same line."""
    if not _HOURS.fullmatch(text):
        raise CellError("is not a number of hours like 7.5 or 37.25")
    return format(Decimal(text).normalize(), "f")
