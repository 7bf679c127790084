"""CSV that is safe to open in a spreadsheet.

A finance officer will open these files in Excel or LibreOffice, where a cell that
starts with `=`, `+`, `-` or `@` (or a tab or carriage return that hides one) is run as
a formula: CSV injection. Every text cell that starts that way gets a leading `'`, which
spreadsheets show as text. Numbers must stay numbers so the columns still add up, so a
cell is written plain only when the caller says it is a number: a `Decimal`, an `int`,
or a string in a column the caller names as numeric that really is an exact decimal.
That is how `-3.20` in a money column stays a negative amount while a text `-cmd`
becomes `'-cmd`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXACT_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_cell(value: object, *, numeric: bool = False) -> str:
    """One cell's text, with any formula neutralised.

    `None` is an empty cell. A `Decimal` or `int` is written as a plain number, and so
    is a string when `numeric` is true and it is an exact decimal like "-3.20"; any
    other string (including a "numeric" one that is not a number) is text, escaped if it
    could start a formula. A float is refused: money never passes through float.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        raise TypeError(f"refusing float {value!r}: pass money as Decimal or a decimal string")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} is not a number")
        return f"{value:f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if numeric and EXACT_DECIMAL.fullmatch(text):
        return text
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(
    rows: Iterable[Sequence[object]],
    header: Sequence[str],
    out: TextIO,
    *,
    numeric_columns: Collection[str] = (),
) -> None:
    """Write a header and rows as RFC 4180 CSV, every cell through `safe_cell`.

    `numeric_columns` names the header columns (money, hours, counts) whose string
    values are numbers and must stay plain.
    """
    unknown = set(numeric_columns) - set(header)
    if unknown:
        raise ValueError(f"numeric columns not in the header: {sorted(unknown)}")
    numeric = [name in numeric_columns for name in header]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for number, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise ValueError(f"row {number} has {len(row)} cells, the header has {len(header)}")
        writer.writerow([safe_cell(v, numeric=n) for v, n in zip(row, numeric, strict=True)])
