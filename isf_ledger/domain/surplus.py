"""Surplus recovery: unspent money returned from an ISF or a card to the council.

The rule is the same for both funds (DOMAIN: never more than the fund holds on
the day), so it lives here once and each aggregate names its own fund.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from isf_ledger.domain import ledger
from isf_ledger.domain.agreement_terms import pounds
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.money import ZERO, round_half_up


def recovery_legs(
    owner: str, fund: str, account: str, authority: str, amount: Decimal, balance: Decimal, on: date
) -> dict[str, Decimal]:
    """The legs moving `amount` from `account` back to the council.

    `owner` and `fund` name it in a refusal ("card C1", "card"); `balance`
    is the fund's balance on `on`.
    """
    if amount <= 0:
        raise RuleBroken(f"{owner}: a recovery must be more than zero")
    if amount > balance:
        raise RuleBroken(
            f"recovery of {pounds(amount)} is more than the {fund} balance of "
            f"{pounds(balance)} on {on}"
        )
    return ledger.transfer(account, ledger.council(authority), amount)


def weekly_share(yearly: Decimal, budget_days: int) -> Decimal:
    """A week of a fund's planned payments: their yearly amount x 7 / days in the budget."""
    return round_half_up(yearly * 7 / budget_days)


def surplus_above(balance: Decimal, threshold: Decimal) -> Decimal:
    """How much of a balance is above a surplus threshold."""
    return max(ZERO, balance - threshold)
