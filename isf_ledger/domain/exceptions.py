"""Exceptions: what a person must look at, and what they decided.

An exception is raised by a report's own rule (a flag on the provider
statement or the card reconciliation); its id is a hash of its kind, its
subject and what raised it, so it is the same on every run, after a rebuild
and on either database. A decision is a fact of its own (`ExceptionCase`):
`explained` or `write-off` closes the exception; `recover` opens a debt of
`amount` that stays open until recoveries from the subject's fund pay it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.errors import RuleBroken

KINDS = (
    "blocked-merchant",
    "cash-over-limit",
    "possible-duplicate",
    "missing-load",
    "unexpected-load",
    "balance-difference",
    "flex-awaiting-approval",
    "flex-variance",
    "negative-balance",
    "surplus",
    "contribution-arrears",
    "top-up-arrears",
    "due-back",
)
OUTCOMES = ("explained", "recover", "write-off")
# Why an exception closed itself: its cause is no longer there.
GONE = {
    "missing-load": "the load arrived",
    "unexpected-load": "a payment now accounts for the load",
    "balance-difference": "the reported balance now agrees",
    "flex-awaiting-approval": "the flexed hours were approved, declined or corrected",
    "negative-balance": "the balance is no longer below zero",
    "surplus": "the balance is no longer above the threshold",
    "contribution-arrears": "the contribution was paid",
    "top-up-arrears": "the top-up was paid",
}


def exception_id(kind: str, subject: str, cause: str) -> str:
    """The stable id of the exception `kind` on `subject` raised by `cause`."""
    return exception_ids(subject, [(kind, cause)])[0]


def exception_ids(subject: str, raised: Iterable[Sequence[Any]]) -> list[str]:
    """The ids of the exceptions `raised` on `subject`, each a (kind, cause, ...) sequence
    (`exception_id` of each): a month's cards raise a hundred thousand, made in one go."""
    sha256 = hashlib.sha256
    subject = f"|{subject}|"
    # The first 8 bytes in hex: the first 16 hex digits, without writing out the rest.
    return ["X-" + sha256(f"{r[0]}{subject}{r[1]}".encode()).digest()[:8].hex() for r in raised]


def gone_why(kind: str) -> str:
    return GONE.get(kind, "the report no longer raises it")


class ExceptionCase(LedgerAggregate):
    """The decision on one exception."""

    KIND = "exception"

    @staticmethod
    def create_id(exception_id: str, **_: object) -> object:  # type: ignore[override]
        return ExceptionCase.id_for(exception_id)

    @classmethod
    def resolve(
        cls,
        exception_id: str,
        kind: str,
        subject: tuple[str, str],
        outcome: str,
        reason: str,
        amount: Decimal | None,
        command_id: str,
    ) -> ExceptionCase:
        """`subject` is ("agreement", id) or ("card", id): whose fund a debt is owed from."""
        if outcome not in OUTCOMES:
            raise RuleBroken(
                f"exception {exception_id}: outcome must be one of {', '.join(OUTCOMES)}"
            )
        if (outcome == "recover") != (amount is not None):
            raise RuleBroken(
                f"exception {exception_id}: an amount is given with 'recover', and only then"
            )
        if amount is not None and amount <= 0:
            raise RuleBroken(f"exception {exception_id}: the amount to recover must be above zero")
        return cls(
            exception_id=exception_id,
            kind=kind,
            agreement_id=subject[1] if subject[0] == "agreement" else None,
            card_id=subject[1] if subject[0] == "card" else None,
            outcome=outcome,
            reason=reason,
            amount=amount,
            command_id=command_id,
        )

    @event("Resolved")
    def __init__(
        self,
        exception_id: str,
        kind: str,
        agreement_id: str | None,
        card_id: str | None,
        outcome: str,
        reason: str,
        amount: Decimal | None,
        command_id: str,
        effective: None = None,
    ) -> None:
        self.ref = exception_id
        self.kind = kind
        self.agreement_id = agreement_id
        self.card_id = card_id
        self.outcome = outcome
        self.reason = reason
        self.amount = amount
        self.command_id = command_id
