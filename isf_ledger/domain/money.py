"""Money as exact pounds and pence.

Inside the ledger money is a `Decimal` quantised to two places; it never passes
through float. Outside it is a two-place decimal string ("1234.50").
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount, either way, any input may carry (contract: Limits). Far
# more than any budget, and far inside what every stored column can hold.
LIMIT = Decimal("999999999.99")


class MoneyError(ValueError):
    """Text or a number that is not an exact amount of money."""


def money(value: str | Decimal | int) -> Decimal:
    """Exact money from a decimal string, a Decimal or whole pounds.

    Refuses floats and more than two decimal places, because either would mean
    the amount was not what the caller wrote.
    """
    if isinstance(value, bool | float):
        raise MoneyError(f'{value!r} is a float; money must be a decimal string like "12.50"')
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError):
        raise MoneyError(f"{value!r} is not an amount of money") from None
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not an amount of money")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise MoneyError(f"{value} has more than two decimal places")
    return amount.quantize(PENNY)


def within_limit(amount: Decimal) -> Decimal:
    """`amount`, if it is no larger either way than `LIMIT`; refused otherwise."""
    if abs(amount) > LIMIT:
        raise MoneyError(f"{amount} is above the limit of {LIMIT} for any amount")
    return amount


def round_half_up(amount: Decimal) -> Decimal:
    """Round to the penny, half up, as the contract's arithmetic requires."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def fmt(amount: Decimal) -> str:
    """The two-place decimal string used in every output."""
    return f"{amount.quantize(PENNY):f}"
