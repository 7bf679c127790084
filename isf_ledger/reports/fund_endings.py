"""What a provider statement needs beyond an ISF's own legs: its budget, schedules
contributions and top-ups, for endings, the surplus on both bases, and contribution and
top-up arrears.

While an agreement runs, its surplus is the balance above `surplus_weeks` of
planned hours x rate (the statement's basis); the same weeks of planned
payments (the schedules' yearly amounts shared by week) are the other basis,
given when it gives another figure, as with a schedule that is not hours x
rate. Once the agreement is terminated or its budget ended, the whole
positive balance is due back, with no threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, select

from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.domain import ledger
from isf_ledger.domain.money import ZERO
from isf_ledger.domain.schedule import Schedule
from isf_ledger.domain.surplus import surplus_above, weekly_share
from isf_ledger.projections.audit_trail import audit_subjects
from isf_ledger.reports.sources import Window, flows, load_each, total

# What a schedule paid, withheld or reversed, never its amount, which is all the endings
# and a card's weekly share read of it: those events are not replayed for them.
SCHEDULE_PAYMENTS = tuple(
    get_topic(getattr(Schedule, name))
    for name in ("PaymentMade", "PaymentWithheld", "PaymentReversed")
)


@dataclass(frozen=True)
class Ending:
    """Where an ISF stands at the statement's end, and how its surplus is worked out."""

    status: str
    ended: bool
    threshold: Decimal  # weeks of planned hours x rate
    payments_threshold: Decimal | None  # weeks of planned payments, when scheduled

    @property
    def basis(self) -> str:
        if self.ended:
            return "ended: the whole balance is due back"
        return "weeks of planned hours x rate"

    def surplus(self, closing: Decimal) -> Decimal:
        return max(ZERO, closing) if self.ended else surplus_above(closing, self.threshold)

    def due_back(self, closing: Decimal) -> Decimal:
        return max(ZERO, closing) if self.ended else ZERO

    def other_surplus(self, closing: Decimal) -> Decimal | None:
        """The surplus on weeks of planned payments, when it differs."""
        if self.ended or self.payments_threshold is None:
            return None
        other = surplus_above(closing, self.payments_threshold)
        return other if other != self.surplus(closing) else None


@dataclass(frozen=True)
class Related:
    last: date
    budgets: dict[str, Any]
    schedules: dict[str, list[Any]]  # by agreement
    contributions: dict[str, list[Any]]  # by agreement
    topups: dict[str, list[Any]]  # by agreement
    received: dict[str, Decimal]  # by contribution, by the month's end

    def ending(self, agreement: Any) -> Ending:
        budget = self.budgets.get(agreement.budget_id)
        ended = budget is not None and budget.ended_on is not None and budget.ended_on <= self.last
        status = "ended" if ended else _status(agreement, self.last)
        yearly = sum((s.amount for s in self.schedules.get(agreement.ref, [])), ZERO)
        payments = None
        if yearly and budget is not None:
            days = (budget.end - budget.start).days + 1
            payments = agreement.surplus_weeks * weekly_share(yearly, days)
        return Ending(
            status,
            ended or status == "terminated",
            agreement.surplus_threshold_on(self.last),
            payments,
        )

    def arrears(self, agreement_id: str) -> Decimal:
        """Contributions due into the ISF by the month's end, less those received."""
        return sum(
            (
                max(ZERO, k.due_by(self.last) - self.received.get(k.ref, ZERO))
                for k in self.contributions.get(agreement_id, [])
            ),
            ZERO,
        )

    def topup_arrears(self, agreement: Any) -> Decimal:
        """Top-ups due into the ISF by the month's end, less those received."""
        return sum(
            (t.arrears_by(self.last, agreement) for t in self.topups.get(agreement.ref, [])), ZERO
        )


def _status(agreement: Any, day: date) -> str:
    if agreement.terminated_on is not None and agreement.terminated_on <= day:
        return "terminated"
    if agreement.activated_on is None or agreement.activated_on > day:
        return "not yet signed"
    return "suspended" if agreement.suspended_since(day) else "active"


@dataclass(frozen=True)
class Loaded:
    """What `related_of` reads from the events, the same whatever the month."""

    rows: list[tuple[str, str, str]]  # kind, ref, agreement
    found: dict[tuple[str, str], Any]


def load_related(
    conn: Connection, app: LedgerApp, agreements: Iterable[Any], as_at: str | None
) -> Loaded:
    """The budgets, schedules, contributions and top-ups of `agreements`, as at `as_at`."""
    agreements = list(agreements)
    s = audit_subjects
    rows = conn.execute(
        select(s.c.kind, s.c.ref, s.c.agreement_id).where(
            s.c.kind.in_(("schedule", "contribution", "topup")),
            s.c.agreement_id.in_([a.ref for a in agreements]),
        )
    ).all()
    wanted = [(kind, ref) for kind, ref, _ in rows]
    wanted += [("budget", b) for b in {a.budget_id for a in agreements}]
    found = load_each(conn, app, wanted, as_at, without=SCHEDULE_PAYMENTS)
    return Loaded([tuple(r) for r in rows], found)


def related_of(
    conn: Connection,
    app: LedgerApp,
    agreements: Iterable[Any],
    last: date,
    as_at: str | None,
    loaded: Loaded | None = None,
) -> Related:
    """What `agreements` need from their budgets, schedules, contributions and top-ups
    for a month ending on `last`, as at `as_at` (`loaded` already, for many months)."""
    got = loaded or load_related(conn, app, agreements, as_at)
    rows, found = got.rows, got.found
    by_agreement: dict[str, dict[str, list[Any]]] = {
        "schedule": {},
        "contribution": {},
        "topup": {},
    }
    for kind, ref, agreement_id in rows:
        if (kind, ref) in found:
            by_agreement[kind].setdefault(agreement_id, []).append(found[kind, ref])
    refs = [ref for kind, ref, _ in rows if kind == "contribution"]
    moved = flows(
        conn,
        (ledger.contribution(ref) for ref in refs),
        Window(before=last + timedelta(days=1), as_at=as_at),
    )
    return Related(
        last,
        {ref: b for (kind, ref), b in found.items() if kind == "budget"},
        by_agreement["schedule"],
        by_agreement["contribution"],
        by_agreement["topup"],
        {ref: -total(moved.get(ledger.contribution(ref), {})) for ref in refs},
    )
