"""The exceptions as listed and as shown beside the reports' flags, with decisions.

Decisions (see README "Corrections and exceptions"):
- The table is kept current by `exception_refresh`; listing reads it.
- What a person decided is an event (`ExceptionCase`), never a row here, so
  a rebuild loses no decision; a `recover` debt is paid down by recoveries
  from the subject's fund recorded after the decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, select

from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.domain import ledger
from isf_ledger.domain.money import ZERO
from isf_ledger.projections.ledger_legs import from_pence, ledger_legs, to_pence
from isf_ledger.projections.runner import instant
from isf_ledger.reports.exception_refresh import raised_as_at
from isf_ledger.reports.exception_refs import ExceptionRef
from isf_ledger.reports.exception_rules import Raised, raised_by_isf
from isf_ledger.reports.exception_store import exceptions
from isf_ledger.reports.provider_statement import ProviderStatement
from isf_ledger.reports.records import report_json
from isf_ledger.reports.sources import load, refs_of
from isf_ledger.settings import Settings

RECOVERIES = ("Agreement.SurplusRecovered", "Card.SurplusRecovered")


def with_refs_isf(
    conn: Connection, app: LedgerApp, statement: ProviderStatement
) -> ProviderStatement:
    """The statement with each ISF's exceptions (id and status) beside its flags."""
    raised = {i.agreement_id: raised_by_isf(i, statement.month) for i in statement.agreements}
    refs = refs_of_raised(
        conn, app, [r for found in raised.values() for r in found], statement.as_at
    )
    isfs = [replace(i, exceptions=refs(raised[i.agreement_id])) for i in statement.agreements]
    return replace(statement, agreements=tuple(isfs))


def refs_of_raised(
    conn: Connection, app: LedgerApp, raised: list[Raised], as_at: str | None
) -> Callable[[list[Raised]], tuple[ExceptionRef, ...]]:
    """A function giving raised exceptions their status as decided by `as_at`."""
    # Only a decided exception has events: read just those, not one lookup per flag.
    decided = set(refs_of(conn, "exception"))
    if decided:  # none, often: then no set of thousands of ids to meet them
        decided &= {r.exception_id for r in raised}
    cases = load(conn, app, "exception", decided, as_at)
    debts = _Debts(conn, app, as_at)

    def status(r: Raised) -> str:
        case = cases.get(r.exception_id)
        if case is None:
            return "open"
        if case.outcome != "recover":
            return "resolved"
        return "resolved" if debts.owed(r.subject_kind, r.subject, case.ref) == 0 else "open"

    # Most of thousands of exceptions are undecided, so open: no call to find that out.
    return lambda found: tuple(
        [
            ExceptionRef(r.exception_id, r.kind, status(r) if r.exception_id in cases else "open")
            for r in found
        ]
    )


def stored_exception(conn: Connection, exception_id: str) -> tuple[str, str, str] | None:
    """(kind, subject kind, subject) of a stored exception, or None."""
    e = exceptions
    row = conn.execute(
        select(e.c.kind, e.c.subject_kind, e.c.subject).where(e.c.exception_id == exception_id)
    ).first()
    return None if row is None else (row.kind, row.subject_kind, row.subject)


@dataclass(frozen=True)
class ExceptionItem:
    exception_id: str
    kind: str
    subject: str
    month: str
    raised_on: date
    age_days: int
    amount: Decimal | None
    status: str  # open or resolved
    outcome: str | None  # explained, recover, write-off, or gone (the cause went away)
    reason: str | None  # the decision's reason, or why it closed itself
    owed: Decimal | None  # a `recover` debt still unpaid
    detail: str


@dataclass(frozen=True)
class ExceptionList:
    month: str | None
    status: str
    counts: dict[str, int]
    exceptions: tuple[ExceptionItem, ...]

    def as_json(self) -> dict[str, Any]:
        return report_json(self)


def exception_list(
    conn: Connection,
    app: LedgerApp,
    *,
    today: date,
    month: str | None,
    status: str,
    as_at: str | None = None,
    settings: Settings | None = None,
) -> ExceptionList:
    """The stored exceptions with their decisions, oldest first, filtered.

    With `as_at` (and `settings`), what the reports raised as the ledger stood
    then, with the decisions made by then: the table is not read, since what
    had gone by then is not kept.
    """
    if as_at is not None and settings is not None:
        rows: list[Any] = [
            _Row(**{**r._asdict(), "amount": None if r.amount is None else to_pence(r.amount)})
            for r in raised_as_at(conn, app, settings, as_at).values()
            if month is None or r.month == month
        ]
    else:
        query = select(exceptions)
        if month is not None:
            query = query.where(exceptions.c.month == month)
        rows = list(conn.execute(query))
    cases = load(conn, app, "exception", [r.exception_id for r in rows], as_at)
    debts = _Debts(conn, app, as_at)
    items = [_item(debts, r, cases.get(r.exception_id), today) for r in rows]
    items = [i for i in items if status == "all" or i.status == status]
    items.sort(key=lambda i: (-i.age_days, i.exception_id))
    counts: dict[str, int] = {}
    for i in items:
        counts[i.kind] = counts.get(i.kind, 0) + 1
    return ExceptionList(month, status, dict(sorted(counts.items())), tuple(items))


@dataclass(frozen=True)
class _Row:
    """A raised exception shaped as a row of the table (amount in pence), never gone."""

    exception_id: str
    kind: str
    subject_kind: str
    subject: str
    month: str
    raised_on: date
    amount: int | None
    detail: str
    gone_at: None = None
    gone_why: None = None


def _item(debts: _Debts, row: Any, case: Any, today: date) -> ExceptionItem:
    outcome, reason, owed = None, None, None
    resolved = False
    if case is not None:
        outcome, reason, resolved = case.outcome, case.reason, case.outcome != "recover"
        if case.outcome == "recover":
            owed = debts.owed(row.subject_kind, row.subject, case.ref)
            resolved = owed == 0
    elif row.gone_at is not None:
        outcome, reason, resolved = "gone", row.gone_why, True
    return ExceptionItem(
        exception_id=row.exception_id,
        kind=row.kind,
        subject=f"{row.subject_kind} {row.subject}",
        month=row.month,
        raised_on=row.raised_on,
        age_days=(today - row.raised_on).days,
        amount=None if row.amount is None else from_pence(row.amount),
        status="resolved" if resolved else "open",
        outcome=outcome,
        reason=reason,
        owed=owed,
        detail=row.detail,
    )


def open_debt(conn: Connection, app: LedgerApp, subject_kind: str, subject: str) -> Decimal:
    """What `recover` decisions on the subject's exceptions still have owed back."""
    return sum(_owed_by_case(conn, app, subject_kind, subject, None).values(), ZERO)


class _Debts:
    """Each subject's debts worked out once, for a report that asks about many."""

    def __init__(self, conn: Connection, app: LedgerApp, as_at: str | None) -> None:
        self.conn, self.app, self.as_at = conn, app, as_at
        self.by_subject: dict[tuple[str, str], dict[str, Decimal]] = {}

    def owed(self, subject_kind: str, subject: str, exception_id: str) -> Decimal:
        key = (subject_kind, subject)
        if key not in self.by_subject:
            self.by_subject[key] = _owed_by_case(
                self.conn, self.app, subject_kind, subject, self.as_at
            )
        return self.by_subject[key][exception_id]


def _owed_by_case(
    conn: Connection, app: LedgerApp, subject_kind: str, subject: str, as_at: str | None
) -> dict[str, Decimal]:
    """What each `recover` decision on the subject's fund still has owed, by exception id.

    A recovery pays the oldest debt decided before it first, so one recovery
    never pays two debts: what was recovered between one decision and the
    next can pay only the debts decided by then.
    """
    e = exceptions
    ids = conn.scalars(
        select(e.c.exception_id).where(e.c.subject_kind == subject_kind, e.c.subject == subject)
    ).all()
    cases = sorted(
        (c for c in load(conn, app, "exception", ids, as_at).values() if c.outcome == "recover"),
        key=lambda c: (c.created_on, c.ref),
    )
    owed = {c.ref: c.amount for c in cases}
    since = [_recovered_since(conn, app, subject_kind, subject, c.created_on, as_at) for c in cases]
    for k in range(len(cases)):
        paid = since[k] - (since[k + 1] if k + 1 < len(cases) else ZERO)
        for earlier in cases[: k + 1]:
            take = min(paid, owed[earlier.ref])
            owed[earlier.ref] -= take
            paid -= take
    return owed


def _recovered_since(
    conn: Connection,
    app: LedgerApp,
    subject_kind: str,
    subject: str,
    decided_on: Any,
    as_at: str | None,
) -> Decimal:
    """What recoveries took from the subject's fund, and payments to it kept back
    as offsets, after `decided_on` (and by `as_at`)."""
    decided = instant(decided_on)
    fund = ledger.isf(subject) if subject_kind == "agreement" else ledger.card(subject)
    t = ledger_legs
    query = select(func.coalesce(func.sum(t.c.pence), 0)).where(
        t.c.account == fund,
        t.c.type.in_(RECOVERIES),
        t.c.recorded_at > decided,
    )
    if as_at is not None:
        query = query.where(t.c.recorded_at <= as_at)
    recovered = -from_pence(int(conn.scalar(query) or 0))
    schedules = refs_of(conn, "schedule", **{f"{subject_kind}_id": subject})
    since = sum((s.offsets for s in load(conn, app, "schedule", schedules, as_at).values()), ZERO)
    before = sum(
        (s.offsets for s in load(conn, app, "schedule", schedules, decided).values()), ZERO
    )
    return recovered + since - before
