"""Surplus recovery: unspent money returned from an ISF or a card to the council.

The rule is the same for both funds (DOMAIN: never more than the fund holds on
the day), so it lives here once and each aggregate names its own fund. Money
may also be kept back from a payment into the fund (an offset): never more
than the fund owes back (`check_offset`).
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


def owed_back(balance: Decimal, threshold: Decimal, ended: bool, debt: Decimal) -> Decimal:
    """What a fund owes back to the council: its surplus (the balance above
    `threshold`; once the fund has `ended`, the whole positive balance), or
    the open `recover` debt on it (`debt`) when that is more. The two are not
    added: a debt is most often the decision on a surplus already counted."""
    surplus = max(ZERO, balance) if ended else surplus_above(balance, threshold)
    return max(surplus, debt)


def check_offset(offset: Decimal, owed: Decimal, what: str, fund: str, on: date) -> None:
    """An offset keeps back money owed back to the council, never more (CONTRACT,
    `offset`): `what` is the payment, `fund` the fund it is paid into."""
    if offset > owed:
        raise RuleBroken(
            f"an offset of {pounds(offset)} kept back from {what} is more than {fund} owes "
            f"back to the council on {on}, {pounds(owed)} (its surplus, or an open recover "
            "debt if more): an offset only keeps back money owed back"
        )
