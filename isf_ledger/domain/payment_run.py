"""A payment run: the periods one `payments run` paid, and its totals by kind of payee.

The run is recorded in the same batch as its payments, after them, so it
exists exactly when they do. Its lines name the bank account each period was
paid into (the provider's account for an ISF, the person's own for a direct
payment; none for a card), so the same run's files can be written again,
byte for byte, whatever is registered later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.schedule import Schedule
from isf_ledger.domain.spread import Payee

# How a run's summary names each kind of payee.
PAYEE_GROUPS = {"agreement": "provider", "card": "card", "account": "person account"}


@dataclass(frozen=True)
class RunPayment:
    schedule: Schedule
    period: int
    account_id: str | None


def summarise(lines: Sequence[tuple[str, Decimal]]) -> dict[str, dict[str, Any]]:
    """Count and total of (group, amount) lines, by group, in a fixed order."""
    summary: dict[str, dict[str, Any]] = {}
    for group in PAYEE_GROUPS.values():
        amounts = [amount for g, amount in lines if g == group]
        if amounts:
            summary[group] = {"count": len(amounts), "total": sum(amounts, Decimal("0.00"))}
    return summary


class PaymentRun(LedgerAggregate):
    KIND = "run"

    @staticmethod
    def create_id(run_id: str, **_: object) -> object:  # type: ignore[override]
        return PaymentRun.id_for(run_id)

    @classmethod
    def record(
        cls,
        run_id: str,
        period_from: date,
        period_to: date,
        paid_on: date,
        paid: Sequence[RunPayment],
        command_id: str,
    ) -> PaymentRun:
        """A run of `paid`, each of which must have been paid on `paid_on`."""
        if period_to < period_from:
            raise RuleBroken(f"payment run {run_id}: the window ends before it starts")
        seen: set[tuple[str, int]] = set()
        lines: list[dict[str, Any]] = []
        for p in paid:
            key = (p.schedule.ref, p.period)
            if key in seen:
                raise RuleBroken(f"payment run {run_id} lists period {p.period} of {key[0]} twice")
            seen.add(key)
            if p.schedule.paid.get(p.period) != paid_on:
                raise RuleBroken(
                    f"payment run {run_id}: period {p.period} of schedule {key[0]} "
                    f"was not paid on {paid_on}"
                )
            lines.append(
                {
                    "schedule_id": p.schedule.ref,
                    "period": p.period,
                    "payee_kind": p.schedule.payee_kind,
                    "payee": p.schedule.payee,
                    "amount": p.schedule.period(p.period).amount,
                    "account_id": p.account_id,
                }
            )
        summary = summarise([(PAYEE_GROUPS[ln["payee_kind"]], ln["amount"]) for ln in lines])
        return cls(
            run_id=run_id,
            period_from=period_from,
            period_to=period_to,
            lines=lines,
            summary=summary,
            effective=paid_on,
            command_id=command_id,
        )

    @event("Recorded")
    def __init__(
        self,
        run_id: str,
        period_from: date,
        period_to: date,
        lines: list[dict[str, Any]],
        summary: dict[str, dict[str, Any]],
        effective: date,
        command_id: str,
    ) -> None:
        self.ref = run_id
        self.period_from = period_from
        self.period_to = period_to
        self.paid_on = effective
        self.lines = lines
        self.summary = summary


def why_not_payable(
    schedule: Schedule,
    number: int,
    paid_on: date | None,
    payee: Payee,
    budget: Budget,
    bank_account: str | None,
    owner_forgotten: bool,
) -> str | None:
    """None when a run can pay period `number` (on `paid_on`, if known); else why not.

    The schedule's own rules (paid, withheld, budget ended, payee not able to
    receive money, and whatever rules of the allocation join them), on the
    period's first day and on the day it is paid: a period starting while its
    agreement is suspended is not paid in advance of the suspension. Then
    what a bank payment needs: a provider's registered account, a person's
    account whose details were not forgotten.
    """
    start = schedule.period(number).start
    for day in (start,) if paid_on in (None, start) else (start, paid_on):
        reason = schedule.why_not_payable(number, day, payee, budget)
        if reason is not None:
            return reason
    if schedule.payee_kind == "agreement" and bank_account is None:
        return f"the provider of agreement {payee.ref} has no bank account: register one"
    if schedule.payee_kind == "account" and owner_forgotten:
        return f"person {schedule.person_id} was forgotten: their bank details are gone"
    return None
