"""CSV cells are safe to open in a spreadsheet, and money stays a number."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from isf_ledger.adapters.render.csv_safe import safe_cell, write_csv


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_starting_with_a_formula_character_gets_a_leading_quote(start):
    assert safe_cell(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


def test_ordinary_text_is_left_alone():
    assert safe_cell("Swimming lessons, Leith") == "Swimming lessons, Leith"


def test_a_negative_decimal_amount_stays_a_plain_number():
    assert safe_cell(Decimal("-3.20")) == "-3.20"


def test_a_negative_amount_string_in_a_numeric_column_stays_a_plain_number():
    assert safe_cell("-3.20", numeric=True) == "-3.20"


def test_a_text_that_is_not_a_number_is_escaped_even_in_a_numeric_column():
    assert safe_cell("-cmd", numeric=True) == "'-cmd"
    assert safe_cell("-3.20+cmd", numeric=True) == "'-3.20+cmd"


def test_a_negative_amount_string_in_a_text_column_is_treated_as_text():
    assert safe_cell("-3.20") == "'-3.20"


def test_none_is_an_empty_cell_and_an_int_is_a_plain_number():
    assert safe_cell(None) == ""
    assert safe_cell(-4) == "-4"


def test_a_float_is_refused_because_money_never_passes_through_float():
    with pytest.raises(TypeError):
        safe_cell(3.2)


def test_write_csv_keeps_money_columns_numeric_and_escapes_text_columns():
    out = io.StringIO()
    rows = [["-cmd", "-3.20", Decimal("-1.50")], ["=1+1", "12.00", Decimal("0.00")]]
    write_csv(rows, ["name", "amount", "fee"], out, numeric_columns=["amount"])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["name", "amount", "fee"],
        ["'-cmd", "-3.20", "-1.50"],
        ["'=1+1", "12.00", "0.00"],
    ]


def test_write_csv_refuses_a_numeric_column_that_is_not_in_the_header():
    with pytest.raises(ValueError, match="not in the header"):
        write_csv([], ["name"], io.StringIO(), numeric_columns=["amount"])


def test_write_csv_refuses_a_row_of_the_wrong_length():
    with pytest.raises(ValueError, match="row 1"):
        write_csv([["a", "b"]], ["name"], io.StringIO())
