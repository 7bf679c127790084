"""Reading providers' returns: lines as the contract's fields, or a line number and a reason."""

from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isf_ledger.adapters.returns_file import LineProblem, ReturnLine, read_return

HEADER = "kind,agreement_id,week_start,delivered_hours,on,amount,description,cost_id\n"


def read(text: str | bytes, encoding: str = "utf-8") -> tuple[list[ReturnLine], list[LineProblem]]:
    data = text.encode(encoding) if isinstance(text, str) else text
    return read_return(io.BytesIO(data), encoding)


def problems(text: str | bytes, encoding: str = "utf-8") -> list[tuple[int, str]]:
    return [(p.line, p.reason) for p in read(text, encoding)[1]]


def test_hours_and_a_cost_become_the_contracts_fields():
    lines, bad = read(
        HEADER
        + "hours,A1,2026-04-06,12.50,,,,\n"
        + 'cost,A1,,,08/04/2026,"£1,234.50",Day trip,C-1\n'
    )
    assert bad == []
    assert lines == [
        ReturnLine(
            2, "hours", "A1", {"week_start": "2026-04-06", "delivered_hours": "12.5"},
            "hours|A1|2026-04-06",
        ),
        ReturnLine(
            3, "cost", "A1",
            {"on": "2026-04-08", "amount": "1234.50", "description": "Day trip", "cost_id": "C-1"},
            "cost|C-1",
        ),
    ]  # fmt: skip


def test_columns_in_any_order_with_others_left_alone_and_short_rows_read_as_empty():
    text = (
        "Notes,Cost_ID,Description,Amount,On,Delivered_Hours,Week_Start,Agreement_ID,KIND\n"
        "first week,,,,,10,6 Apr 2026,A1,Hours\n"
        "x,C-9,Taxi,12,2026-04-09,,,A1,cost\n"
    )
    lines, bad = read(text)
    assert bad == []
    assert [(line.kind, line.fields) for line in lines] == [
        ("hours", {"week_start": "2026-04-06", "delivered_hours": "10"}),
        ("cost", {"on": "2026-04-09", "amount": "12.00", "description": "Taxi", "cost_id": "C-9"}),
    ]
    short, bad = read(HEADER + "hours,A1,2026-04-06,7.5\n")
    assert bad == [] and short[0].fields["delivered_hours"] == "7.5"


def test_a_utf8_byte_order_mark_and_cp1252_pounds_are_read():
    row = 'cost,A1,,,2026-04-08,"£1,000.00",Trip,C-1\n'
    with_bom = codecs.BOM_UTF8 + (HEADER + row).encode("utf-8")
    assert read(with_bom)[0][0].fields["amount"] == "1000.00"
    # A byte-order mark means UTF-8 even when cp1252 was asked for.
    assert read(with_bom, "cp1252")[0][0].fields["amount"] == "1000.00"
    assert read(HEADER + row, "cp1252")[0][0].fields["amount"] == "1000.00"


def test_a_file_in_another_encoding_is_refused_at_the_line_with_the_byte():
    data = HEADER + "hours,A1,2026-04-06,7.5,,,,\n" + "cost,A1,,,2026-04-08,£5.00,Trip,C-1\n"
    assert problems(data.encode("cp1252")) == [
        (3, "byte 0xa3 at position 22 is not utf-8 text; "
            "the file may be in another encoding (utf-8 or cp1252)"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(0, "file is empty")]),
        ("\n \n", [(0, "file is empty")]),
        (HEADER, []),
        (
            "kind,agreement_id,week_start,hours\nhours,A1,2026-04-06,7\n",
            [(1, "missing columns 'delivered_hours', 'on', 'amount', 'description', 'cost_id' "
                 "(see `isf-ledger returns import --help`)")],
        ),
        (
            HEADER.replace(",", ";"),
            [(1, "the header is one column: it looks semicolon-separated; a return is "
                 "comma-separated (save it from the spreadsheet as CSV)")],
        ),
        ("\x00\x01binary", [(1, "line holds a NUL byte; this is not a provider return")]),
    ],
    ids=["empty", "blank lines", "header only", "missing columns", "semicolons", "binary"],
)  # fmt: skip
def test_a_file_that_cannot_be_read_says_why(text, expected):
    assert problems(text) == expected


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("hours,A1,2026-02-30,7.5,,,,",
         "week_start '2026-02-30' is not a real date in format yyyy-mm-dd"),
        ("hours,A1,31/04/2026,7.5,,,,",
         "week_start '31/04/2026' is not a real date in format dd/mm/yyyy"),
        ("hours,A1,31 Apr 2026,7.5,,,,",
         "week_start '31 Apr 2026' is not a real date in format dd Mon yyyy"),
        ("hours,A1,04/06/26,7.5,,,,",
         "week_start '04/06/26' does not match any of the date formats "
         "yyyy-mm-dd, dd/mm/yyyy, dd Mon yyyy"),
        ("hours,A1,2026-04-06,seven,,,,",
         "delivered_hours 'seven' is not a number of hours like 7.5 or 37.25"),
        ("hours,A1,2026-04-06,-1,,,,",
         "delivered_hours '-1' is not a number of hours like 7.5 or 37.25"),
        ("hours,A1,2026-04-06,,,,,", "delivered_hours is empty"),
        ("hours,A1,2026-04-06,7,,12.00,,",
         "amount is filled, but an hours line leaves it empty"),
        ("cost,A1,,,2026-04-08,12.345,Trip,C-1",
         "amount '12.345' has more than two decimal places"),
        ("cost,A1,,,2026-04-08,twelve,Trip,C-1", "amount 'twelve' is not money"),
        ("cost,A1,,,2026-04-08,12.00,,", "description is empty; cost_id is empty"),
        ("cost,A1,,,2026-04-08,12.00,Trip,C 1",
         "cost_id 'C 1' is not an id (1-64 of A-Z a-z 0-9 . _ : -)"),
        ("visit,A1,2026-04-06,7,,,,", "kind 'visit' is not hours or cost"),
        (",A1,2026-04-06,7,,,,", "kind '' is not hours or cost"),
        ("hours,,2026-04-06,7,,,,", "agreement_id is empty"),
        ("hours,A 1,2026-04-06,7,,,,",
         "agreement_id 'A 1' is not an id (1-64 of A-Z a-z 0-9 . _ : -)"),
        ("hours,A1,2026-04-06,7,,,,,extra", "line has 9 cells but the header has 8"),
    ],
)  # fmt: skip
def test_a_bad_line_is_refused_with_its_number_and_the_good_ones_still_read(line, reason):
    good = "hours,A1,2026-04-13,7.5,,,,\n"
    lines, bad = read(HEADER + good + "\n" + line + "\n" + good.replace("04-13", "04-20"))
    assert [(p.line, p.reason) for p in bad] == [(4, reason)]
    assert [x.line for x in lines] == [2, 5]


def test_a_line_repeating_a_week_or_a_cost_id_is_refused():
    text = (
        HEADER
        + "hours,A1,2026-04-06,7.5,,,,\n"
        + "cost,A1,,,2026-04-08,5.00,Trip,C-1\n"
        + "hours,A1,06/04/2026,7.50,,,,\n"
        + "cost,A2,,,2026-04-09,6.00,Bus,C-1\n"
        + "hours,A2,2026-04-06,7.5,,,,\n"
    )
    assert problems(text) == [
        (4, "repeats the week of hours of line 2"),
        (5, "repeats the cost_id of line 3"),
    ]


def test_money_in_the_ways_spreadsheets_write_it():
    for cell, amount in [("£1,234.50", "1234.50"), ("1,234", "1234.00"), ("GBP 12.5", "12.50"),
                         (" 7 ", "7.00"), ("(12.50)", "-12.50")]:  # fmt: skip
        line = f'cost,A1,,,2026-04-08,"{cell}",Trip,C-1\n'
        assert read(HEADER + line)[0][0].fields["amount"] == amount, cell


@given(st.binary(max_size=2000) | st.text(max_size=400).map(lambda t: (HEADER + t).encode()))
def test_any_bytes_are_read_or_refused_with_a_line_never_raised(data):
    for encoding in ("utf-8", "cp1252"):
        lines, bad = read(data, encoding)
        assert all(p.line >= 0 and p.reason for p in bad)
        assert all(line.kind in ("hours", "cost") for line in lines)
