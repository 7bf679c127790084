"""Money and dates are written the way people read them, exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from isf_ledger.adapters.render.money_words import (
    grouped,
    long_date,
    month_words,
    option_words,
    pounds,
    total,
)
from isf_ledger.domain.money import MoneyError


def test_money_is_written_with_a_pound_sign_and_thousands_separators():
    assert pounds("1234.50") == "£1,234.50"
    assert pounds(Decimal("24000.00")) == "£24,000.00"


def test_a_negative_amount_has_its_minus_before_the_pound_sign():
    assert pounds("-3.20") == "-£3.20"


def test_a_column_figure_has_separators_but_no_pound_sign():
    assert grouped("-1234567.89") == "-1,234,567.89"


def test_money_through_float_or_with_three_places_is_refused():
    with pytest.raises(MoneyError):
        pounds(1.5)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        pounds("1.005")


def test_sums_of_money_are_exact():
    assert total(["0.10"] * 10) == Decimal("1.00")


def test_dates_are_written_as_day_month_year_in_words():
    assert long_date("2026-04-06") == "6 April 2026"
    assert month_words("2027-01") == "January 2027"


def test_options_are_explained_in_words():
    assert option_words(1) == "Option 1: a direct payment to you"
    assert option_words("2") == "Option 2: you chose a provider who holds your money for you"
    assert option_words(3) == "Option 3: the council arranges your support"
