"""Keeping the exceptions read model current when each write returns.

Decisions (see README "Corrections and exceptions"):
- Exceptions are read off the reports' own records (`exception_rules`): a
  refresh runs every month's provider statements, and the card
  reconciliation's findings and balances without its report
  (`card_exceptions`).
  `Ledger.catch_up` calls `refresh` after the read models it reads are
  current, so `apply`, `cards import` and a payment run return with the
  table current; listing calls it too, and finds nothing to do unless a
  crash came between the two or a month has turned since.
- Only the months a change could alter are examined again: from the month
  of the earliest business date among the audit trail's rows since the last
  refresh (a card import's first posting; the recording day of a row with no
  business date), less the days a card load is matched across, on to the
  last month. An earlier month's statements cannot move, so its exceptions
  stand as they are; but agreeing a top-up moves its agreement's earlier
  months (`REACHES_BACK`), so then every month is examined for what it concerns.
  After card imports alone, only their cards, in the months they can change
  (`import_refresh`), and any month newly examined for every subject; a month
  at a time, and of it a slice of cards (`SLICE` exceptions or so), stored as
  it goes, so memory grows neither with the months nor with a month's cards.
- The months run from the first business date in the audit trail to the
  last, and on to today's month while anything is scheduled (to the month
  after the last period starts): arrears grow, and a surplus sits, in months
  where nothing happens.
- What is no longer raised in a month examined is marked gone, with why:
  an exception closing itself. It stays gone, with its id and reason, after
  a rebuild (which examines every month again).
- One refresh at a time: each takes the lock on the one row of
  `exceptions_refreshed` (PostgreSQL `FOR UPDATE`; SQLite's write lock at
  `BEGIN IMMEDIATE`), so two processes refreshing at once neither clash on a
  key nor lose a row: new rows go in in bulk, changed ones with `ON CONFLICT`,
  and rows that are as stored are not written again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    String,
    Table,
    select,
    update,
)

from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.adapters.schema import metadata, projection_positions
from isf_ledger.domain.exceptions import KINDS
from isf_ledger.projections.audit_trail import AuditTrail, audit_subjects, audit_trail
from isf_ledger.reports.card_exceptions import CardExceptions
from isf_ledger.reports.card_surplus import weekly_shares
from isf_ledger.reports.exception_rules import Raised, raised_by_isf
from isf_ledger.reports.exception_span import (
    CARD_IMPORT,
    Span,
    horizon_of,
    month_of,
    months_from,
    next_month,
    span_of,
)
from isf_ledger.reports.exception_store import ALL, Scope, dialect_insert, store, within
from isf_ledger.reports.fund_endings import load_related
from isf_ledger.reports.import_refresh import imported_months, raised_after_import
from isf_ledger.reports.provider_statement import isf_months_over, load_agreements
from isf_ledger.reports.sources import refs_of
from isf_ledger.settings import Settings

exceptions_refreshed = Table(
    "exceptions_refreshed",
    metadata,
    Column("name", String(16), primary_key=True),
    Column("position", BigInteger, nullable=False),  # the read models' position, or -1
    Column("first", String(7), nullable=False),  # the months examined, first and last
    Column("through", String(7), nullable=False),
    Column("checked", String(7), nullable=False),  # today's month when last refreshed
)
STATE = "exceptions"


def _scope(conn: Connection, after: int) -> Scope:
    """Whose exceptions the audit trail's rows after `after` can change: the
    agreements and cards they name, and those of every budget they name (a budget's
    choice, schedules, payments and contributions reach its agreements and cards);
    every card after a card import."""
    t = audit_trail
    rows = conn.execute(
        select(t.c.type, t.c.budget_id, t.c.agreement_id, t.c.card_id).where(t.c.position > after)
    ).all()
    budgets = {r.budget_id for r in rows if r.budget_id}
    s = audit_subjects

    def named(kind: str, column: str) -> set[str]:
        refs = {getattr(r, column) for r in rows if getattr(r, column)}
        query = select(s.c.ref).where(s.c.kind == kind, s.c.budget_id.in_(budgets))
        return refs | set(conn.scalars(query))

    cards = None if any(r.type == CARD_IMPORT for r in rows) else named("card", "card_id")
    return Scope(named("agreement", "agreement_id"), cards)


def raised_in(
    conn: Connection,
    app: LedgerApp,
    settings: Settings,
    months: list[str],
    as_at: str | None = None,
    scope: Scope = ALL,
) -> dict[str, Raised]:
    """Every exception the reports raise (as at `as_at`) in `months` about the
    subjects in `scope`: when one is raised in several, as first raised, with the
    latest amount."""
    found: dict[str, Raised] = {}
    for _, _, raised in raised_by_month(conn, app, settings, months, as_at, scope):
        for xid, r in raised.items():
            first = found.get(xid)
            found[xid] = r if first is None else _later(first, r)
    return found


# About how many of a month's card exceptions are raised and stored at once: a month at
# full size raises a hundred thousand, nearly all unexpected loads.
SLICE = 20_000


def raised_by_month(
    conn: Connection,
    app: LedgerApp,
    settings: Settings,
    months: list[str],
    as_at: str | None = None,
    scope: Scope = ALL,
    size: int | None = None,
) -> Iterator[tuple[str, Scope, dict[str, Raised]]]:
    """(month, a part of the subjects in `scope`, what the reports raise in the month
    about them) for each of `months`, in order; what is read for every month
    (agreements, cards issued, their thresholds, the cards' running closings) read
    once. `size`: a month's cards in slices of about that many exceptions
    (`CardExceptions.slices`), the first with the agreements; None: a month at once."""
    if not months:
        return
    refs = refs_of(conn, "agreement")
    if scope.agreements is not None:
        refs = [ref for ref in refs if ref in scope.agreements]
    agreements = load_agreements(conn, app, refs, as_at)
    loaded = load_related(conn, app, agreements.values(), as_at)
    cards = scope.cards is None or bool(scope.cards)
    # One card (a payment, a top-up): its own reconciliation, not every card's.
    one = next(iter(scope.cards)) if scope.cards and len(scope.cards) == 1 else None
    if cards:
        weekly = weekly_shares(conn, app, one, as_at, loaded.found)  # budgets read once
        by_cards = CardExceptions(conn, settings, weekly, card=one, as_at=as_at)
    # Every provider's statements at once: the same records, a few queries a month.
    isfs = isf_months_over(conn, app, settings, agreements, months, loaded, as_at=as_at)
    for month, isf_month in isfs:
        raised = [r for isf in isf_month for r in raised_by_isf(isf, month)]
        slices = by_cards.slices(month, size, None) if cards else [((None, None), [])]
        for n, (card_ids, of_cards) in enumerate(slices):
            part = Scope(scope.agreements if n == 0 else set(), scope.cards, card_ids)
            found: dict[str, Raised] = {}
            for r in raised + of_cards:
                if not within(part, r):
                    continue
                first = found.get(r.exception_id)
                found[r.exception_id] = r if first is None else _later(first, r)
            yield month, part, found
            raised = []


def _later(first: Raised, later: Raised) -> Raised:
    return first._replace(amount=later.amount, detail=later.detail)


def raised_as_at(
    conn: Connection, app: LedgerApp, settings: Settings, as_at: str
) -> dict[str, Raised]:
    """Every exception the reports raised as the ledger stood at `as_at`."""
    span = span_of(conn, -1, settings, date.fromisoformat(as_at[:10]), as_at)
    if span is None:
        return {}
    return raised_in(conn, app, settings, months_from(span.first, span.through), as_at)


def _state(conn: Connection) -> Any:
    """The refresh's state row, locked until the transaction ends."""
    s = exceptions_refreshed
    new = {"name": STATE, "position": -1, "first": "", "through": "", "checked": ""}
    conn.execute(dialect_insert(conn)(s).values(**new).on_conflict_do_nothing())
    query = select(s).where(s.c.name == STATE)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).one()


def refresh(
    conn: Connection,
    app: LedgerApp,
    settings: Settings,
    *,
    today: date,
    now: str,
    full: bool = False,
) -> None:
    """Bring the table in line with what the reports raise (see the module's note)."""
    state = _state(conn)
    # The audit trail's position: its rows after the last refresh's are what changed
    # (every read model is caught up to the same position in one transaction).
    p = projection_positions
    position = int(conn.scalar(select(p.c.position).where(p.c.name == AuditTrail.name)) or 0)
    checked = month_of(today)
    after = -1 if full else state.position
    if after == position and state.checked == checked:
        return
    span = span_of(conn, after, settings, today)
    scope, imported = ALL, None
    if after >= 0 and state.first:
        # What was examined before, widened by what changed since.
        was = Span(state.first, state.through, next_month(state.through))
        horizon = horizon_of(conn, today)
        span = Span(
            min(was.first, span.first or was.first) if span else was.first,
            max(was.through, span.through if span else "", horizon or ""),
            min(was.changed, span.changed) if span else was.changed,
        )
        touched = imported_months(conn, after)
        imported = None if touched is None else (touched, span, was.through)
        if span.through == was.through:  # no new month: only what the change concerns
            scope = _scope(conn, after)
    if imported is not None:  # card imports alone: see `import_refresh`
        _after_imports(conn, app, settings, *imported, now)
    elif span is not None and span.first:
        months = months_from(max(span.first, span.changed), span.through)
        store(conn, raised_in(conn, app, settings, months, scope=scope), months, scope, now)
    conn.execute(
        update(exceptions_refreshed)
        .where(exceptions_refreshed.c.name == STATE)
        .values(
            position=position,
            first=span.first if span else "",
            through=span.through if span else "",
            checked=checked,
        )
    )


def _after_imports(
    conn: Connection,
    app: LedgerApp,
    settings: Settings,
    touched: dict[str, set[str]],
    span: Span,
    was: str,
    now: str,
) -> None:
    """Card imports' cards in the months up to `was` (the last examined before) that
    they can change, then each month after it for every subject; a month, and of it a
    slice of cards (`SLICE`), at a time."""
    cards = set(touched)
    before = Span(span.first, was, span.changed)
    parts = raised_after_import(conn, app, settings, touched, before, SLICE)
    for month, card_ids, raised, kinds in parts:
        store(conn, raised, [month], Scope(set(), cards, card_ids), now, kinds=kinds)
    after = months_from(next_month(was), span.through)
    for month, part, raised in raised_by_month(conn, app, settings, after, size=SLICE):
        store(conn, raised, [month], part, now, kinds=KINDS)
