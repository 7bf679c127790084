"""Hypothesis strategies for what callers write: money, hours and dates as the contract spells them.

Money is drawn as integer pence or as two-place decimals, never as floats, and
written as the two-place strings the contract requires. Hours are drawn as
whole quarter hours. The `bad_*` strategies write what the ledger must refuse.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st


def money_text(pence: int) -> str:
    """Integer pence as the contract's decimal string: 123450 -> "1234.50"."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def pence(min_value: int = 1, max_value: int = 2_000_000) -> st.SearchStrategy[int]:
    return st.integers(min_value=min_value, max_value=max_value)


def money_amounts(
    min_value: str = "0.01", max_value: str = "20000.00"
) -> st.SearchStrategy[Decimal]:
    """Exact two-place amounts of money."""
    return st.decimals(
        min_value=Decimal(min_value),
        max_value=Decimal(max_value),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )


def decimal_text(amount: Decimal) -> str:
    """A two-place Decimal as the contract writes it ("12.30", never "12.3" or "1.23E+1")."""
    return f"{amount:.2f}"


def hours_text(quarters: int, trailing_zeros: int = 0) -> str:
    """Whole quarter hours as a decimal string: 30 -> "7.5" (or "7.50" with a trailing zero)."""
    text = f"{(Decimal(quarters) / 4).normalize():f}"
    if trailing_zeros:
        text = text + ("" if "." in text else ".") + "0" * trailing_zeros
    return text


def quarter_hours_text(quarters: st.SearchStrategy[int]) -> st.SearchStrategy[str]:
    """Hours in quarter hours, sometimes written with trailing zeros ("7.250")."""
    return st.builds(hours_text, quarters, st.sampled_from([0, 0, 0, 1, 2]))


def bad_hours_text() -> st.SearchStrategy[str]:
    """Hours that are not whole quarter hours: "7.1", "0.2", "12.125", "3.33"."""
    return st.builds(
        lambda whole, part: f"{whole}.{part}",
        st.integers(min_value=0, max_value=30),
        st.sampled_from(["1", "2", "3", "05", "1", "125", "33", "6", "9", "875"]),
    )


def bad_money_text() -> st.SearchStrategy[str]:
    """Money written with three decimal places: "12.345", "0.001", "7.500"."""
    return st.builds(
        lambda p, third: f"{money_text(p)}{third}",
        pence(1, 1_000_000),
        st.integers(min_value=0, max_value=9),
    )


def bad_money_float() -> st.SearchStrategy[float | int]:
    """Money as a JSON number instead of a decimal string."""
    return st.one_of(
        st.integers(min_value=1, max_value=10_000_00).map(lambda p: p / 100),
        st.integers(min_value=1, max_value=10_000),
    )


def days_from(start: date, min_days: int, max_days: int) -> st.SearchStrategy[date]:
    return st.integers(min_value=min_days, max_value=max_days).map(
        lambda n: start + timedelta(days=n)
    )


def first_monday_from(d: date) -> date:
    return d + timedelta(days=(-d.weekday()) % 7)
