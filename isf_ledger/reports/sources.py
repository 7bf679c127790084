"""Where reports get their facts: aggregates as they stood, legs summed in SQL.

Aggregates answer questions whose rules live in the domain (which terms were
in force, when an agreement was active); money comes from the ledger legs,
summed by account and event type in the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select

from isf_ledger.adapters.event_store import LedgerApp, load_aggregates
from isf_ledger.domain.base import aggregate_id
from isf_ledger.domain.flows import flow_of
from isf_ledger.projections.audit_trail import audit_subjects
from isf_ledger.projections.ledger_legs import from_pence, ledger_legs


def instant_of(as_at: str | None) -> datetime | None:
    """The fixed-width UTC text of `--as-at` back as a datetime."""
    if as_at is None:
        return None
    return datetime.strptime(as_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def load_each(
    conn: Connection,
    app: LedgerApp,
    wanted: Iterable[tuple[str, str]],
    as_at: str | None,
    *,
    without: Sequence[str] = (),
) -> dict[tuple[str, str], Any]:
    """Aggregates by (kind, caller id), as they stood at `as_at`, in one read.

    Events with topics in `without` are left out (see `load_aggregates`).
    """
    ids = {aggregate_id(kind, ref): (kind, ref) for kind, ref in wanted}
    found = load_aggregates(conn, app, ids, as_at=instant_of(as_at), without=without)
    return {ids[key]: aggregate for key, aggregate in found.items()}


def load(
    conn: Connection,
    app: LedgerApp,
    kind: str,
    refs: Iterable[str],
    as_at: str | None,
    *,
    without: Sequence[str] = (),
) -> dict[str, Any]:
    """Aggregates of one kind by caller id, as they stood at `as_at`."""
    found = load_each(conn, app, ((kind, ref) for ref in refs), as_at, without=without)
    return {ref: aggregate for (_, ref), aggregate in found.items()}


def refs_of(conn: Connection, kind: str, **where: str) -> list[str]:
    """Caller ids of every aggregate of `kind` concerning the given subjects."""
    s = audit_subjects
    query = select(s.c.ref).where(s.c.kind == kind).order_by(s.c.ref)
    for column, value in where.items():
        query = query.where(s.c[column] == value)
    return list(conn.scalars(query))


_PERSONS_SUBJECTS = (
    select(audit_subjects.c.kind, audit_subjects.c.ref, audit_subjects.c.budget_id)
    .where(
        audit_subjects.c.person_id == bindparam("person_id"),
        audit_subjects.c.kind.in_(bindparam("kinds", expanding=True)),
    )
    .order_by(audit_subjects.c.ref)
)  # built once: a person statement is small enough that building its queries shows


def persons_subjects(
    conn: Connection, person_id: str, kinds: Sequence[str]
) -> list[tuple[str, str, str | None]]:
    """(kind, caller id, budget id) of the person's aggregates of these kinds."""
    rows = conn.execute(_PERSONS_SUBJECTS, {"person_id": person_id, "kinds": list(kinds)}).all()
    return [(kind, ref, budget_id) for kind, ref, budget_id in rows]


@dataclass(frozen=True)
class Window:
    """Which legs count: effective dates, and what was recorded by when."""

    since: date | None = None  # effective on or after
    before: date | None = None  # effective before
    as_at: str | None = None  # recorded at or before
    recorded_after: str | None = None  # recorded strictly after


def within(query: Select[Any], window: Window) -> Select[Any]:
    """`query` over the ledger legs, kept to the legs within `window`."""
    t = ledger_legs
    if window.since is not None:
        query = query.where(t.c.effective >= window.since)
    if window.before is not None:
        query = query.where(t.c.effective < window.before)
    if window.as_at is not None:
        query = query.where(t.c.recorded_at <= window.as_at)
    if window.recorded_after is not None:
        query = query.where(t.c.recorded_at > window.recorded_after)
    return query


def flows(
    conn: Connection, accounts: Iterable[str], window: Window
) -> dict[str, dict[str, Decimal]]:
    """account -> flow -> total of its legs within `window`."""
    t = ledger_legs
    accounts = list(accounts)
    totals: dict[str, dict[str, Decimal]] = defaultdict(dict)
    if not accounts:
        return totals
    query = (
        select(t.c.account, t.c.type, func.sum(t.c.pence))
        .where(t.c.account.in_(accounts))
        .group_by(t.c.account, t.c.type)
    )
    for account, event_type, pence in conn.execute(within(query, window)):
        flow = flow_of(event_type)
        totals[account][flow] = totals[account].get(flow, Decimal("0.00")) + from_pence(pence)
    return totals


@dataclass(frozen=True)
class Movement:
    """One money event's legs on one account: what moved, when, by which command."""

    account: str
    effective: date
    event_type: str
    command_id: str
    amount: Decimal


def movements(
    conn: Connection, accounts: Iterable[str], types: Iterable[str], window: Window
) -> list[Movement]:
    """Each event of `types`: its net legs on each account within `window`, oldest first."""
    t = ledger_legs
    query = (
        select(t.c.account, t.c.effective, t.c.type, t.c.command_id, func.sum(t.c.pence))
        .where(t.c.account.in_(list(accounts)), t.c.type.in_(list(types)))
        .group_by(t.c.account, t.c.position, t.c.effective, t.c.type, t.c.command_id)
        .order_by(t.c.effective, t.c.position)
    )
    return [
        Movement(account, effective, event_type, command_id, from_pence(pence))
        for account, effective, event_type, command_id, pence in conn.execute(within(query, window))
    ]


def total(by_flow: dict[str, Decimal]) -> Decimal:
    return sum(by_flow.values(), Decimal("0.00"))
