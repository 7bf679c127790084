"""Money is exact: decimal strings in, two places out, never a float."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.ledger import balanced, residual, transfer
from isf_ledger.domain.money import MoneyError, fmt, money, round_half_up, within_limit


def test_a_decimal_string_becomes_exact_money():
    assert money("1234.5") == Decimal("1234.50")
    assert fmt(money("-3.2")) == "-3.20"


@pytest.mark.parametrize("bad", [12.5, "1.005", "12.500", "abc", "NaN", "Infinity", True])
def test_floats_extra_places_and_non_numbers_are_refused(bad):
    with pytest.raises(MoneyError):
        money(bad)


def test_rounding_is_half_up_to_the_penny():
    assert round_half_up(Decimal("997.265")) == Decimal("997.27")
    assert round_half_up(Decimal("-0.005")) == Decimal("-0.01")


@given(st.integers(min_value=1, max_value=10**10))
def test_a_transfer_always_balances(pence):
    legs = transfer("council:CITY", "isf:A1", Decimal(pence) / 100)
    assert residual(legs.values()) == 0


def test_legs_that_do_not_sum_to_zero_are_refused():
    with pytest.raises(RuleBroken, match="do not balance"):
        balanced({"council:CITY": Decimal("-10.00"), "isf:A1": Decimal("9.99")})


def test_no_amount_moves_above_the_limit_either_way():
    assert transfer("council:CITY", "isf:A1", Decimal("999999999.99"))
    with pytest.raises(
        RuleBroken, match=r"1000000000\.00 moving for .* above the limit of 999999999\.99"
    ):
        transfer("council:CITY", "isf:A1", Decimal("1000000000.00"))


@pytest.mark.parametrize("amount", ["999999999.99", "-999999999.99", "0.00"])
def test_amounts_up_to_the_limit_are_within_it(amount):
    assert within_limit(Decimal(amount)) == Decimal(amount)


@pytest.mark.parametrize("amount", ["1000000000.00", "-1000000000.00", "1E+20"])
def test_amounts_beyond_the_limit_are_refused(amount):
    with pytest.raises(MoneyError, match=r"above the limit of 999999999\.99"):
        within_limit(Decimal(amount))
