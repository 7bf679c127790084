"""The card reconciliation as a record: each card's month, its loads and its flags.

Balances are signed as on the card (money out negative); see `card_reconciliation`
for how each figure is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from isf_ledger.reports.exception_refs import ExceptionRef
from isf_ledger.reports.records import report_json


@dataclass(frozen=True)
class MissingLoad:
    """A payment made to the card with no load of its amount near its date."""

    date: date
    amount: Decimal
    command_id: str


@dataclass(frozen=True)
class UnexpectedLoad:
    """A load on the card that no payment accounts for."""

    posted_on: date
    amount: Decimal
    description: str


@dataclass(frozen=True)
class CardTransaction:
    posted_on: date
    type: str
    amount: Decimal
    merchant: str
    description: str
    mcc: str


@dataclass(frozen=True)
class Flag:
    transaction: CardTransaction
    why: str


@dataclass(frozen=True)
class CardMonth:
    """One card's month: balances signed as on the card (money out negative)."""

    card_id: str
    opening_balance: Decimal
    loads: Decimal
    purchases: Decimal
    refunds: Decimal
    atm: Decimal
    fees: Decimal
    reversals: Decimal
    computed_closing: Decimal
    reported_closing: Decimal | None
    difference: Decimal | None
    expected_loads: Decimal
    missing_loads: tuple[MissingLoad, ...]
    unexpected_loads: tuple[UnexpectedLoad, ...]
    flagged: tuple[Flag, ...]
    status: str
    surplus: Decimal  # computed closing above `surplus_weeks` of the card's planned payments
    exceptions: tuple[ExceptionRef, ...] = ()  # each flag's exception id and status


@dataclass(frozen=True)
class CardReconciliation:
    month: str
    cards: tuple[CardMonth, ...]

    def as_json(self) -> dict[str, Any]:
        return report_json(self)
