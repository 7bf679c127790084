"""What a payment run pays and what it cannot: typed records every renderer reads.

Accounts appear only masked (`****1234`): these records go to screens, logs
and CSVs; account numbers in clear go only into the bank file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class DueLine:
    """One schedule period: who is paid, how much, and why not when it cannot be."""

    schedule_id: str
    period: int
    start: date
    end: date
    amount: Decimal
    option: int
    payee_kind: str  # "provider", "card" or "person account"
    payee: str  # the agreement, card or account the schedule pays
    paid_to: str  # how the money reaches them, masked: "card 1234", "account ****5678"
    person_id: str
    budget_id: str
    reason: str | None = None


@dataclass(frozen=True)
class KindTotal:
    payee_kind: str
    count: int
    total: Decimal


@dataclass(frozen=True)
class PaymentsDue:
    period_from: date
    period_to: date
    payable: tuple[DueLine, ...]
    cannot_pay: tuple[DueLine, ...]
    totals: tuple[KindTotal, ...]
    as_at: str | None = None  # the recorded instant the ledger was read as at; None: now


@dataclass(frozen=True)
class RunResult:
    """What `payments run` did (or, for a dry run, would do)."""

    run_id: str
    period_from: date
    period_to: date
    paid_on: date
    dry_run: bool
    already_recorded: bool  # the run id was recorded before: nothing new was paid
    payments: int
    totals: tuple[KindTotal, ...]
    cannot_pay: tuple[DueLine, ...]
    bank_file: str | None
    card_file: str | None
