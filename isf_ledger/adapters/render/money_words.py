"""Money, dates and sums written the way people read them.

Every renderer formats through these helpers so that a statement, a reconciliation and
the person's own page all write "£1,234.50" and "6 April 2026" the same way. Money is
parsed with the ledger's own `money()`, so it stays `Decimal` end to end and a float or
a third decimal place is refused rather than silently rounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from isf_ledger.domain.money import ZERO, money

# Written out here, not taken from strftime, so output never depends on the locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

OPTION_WORDS = {
    1: "Option 1: a direct payment to you",
    2: "Option 2: you chose a provider who holds your money for you",
    3: "Option 3: the council arranges your support",
}


def amount(value: str | Decimal) -> Decimal:
    """Exact money from a report field (a two-place string or a `Decimal`)."""
    return money(value)


def total(values: Iterable[str | Decimal]) -> Decimal:
    """The exact sum of report money fields."""
    return sum((amount(v) for v in values), ZERO)


def grouped(value: str | Decimal) -> str:
    """Money with thousands separators and no symbol, for aligned columns: "-1,234.50"."""
    return f"{amount(value):,.2f}"


def pounds(value: str | Decimal) -> str:
    """Money as people write it: "£1,234.50", or "-£3.20" when negative."""
    exact = amount(value)
    sign = "-" if exact < 0 else ""
    return f"{sign}£{abs(exact):,.2f}"


def long_date(day: date | str) -> str:
    """6 April 2026 (a date, or "2026-04-06") as "6 April 2026"."""
    day = day if isinstance(day, date) else date.fromisoformat(day)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def month_words(year_month: str) -> str:
    """ "2026-04" as "April 2026"."""
    day = date.fromisoformat(f"{year_month}-01")
    return f"{MONTHS[day.month - 1]} {day.year}"


def option_words(option: int | str) -> str:
    """What an SDS option number means, in plain words."""
    return OPTION_WORDS.get(int(option), f"Option {option}")
