"""The exceptions table, and storing what a refresh raised into it.

`exception_refresh` works out what the reports raise in the months it
examines; `store` brings the table in line with that: new rows in bulk,
changed ones with `ON CONFLICT`, rows as stored not written again, and what
the months examined no longer raise marked gone, with why. A row keeps the
month it was first raised in, and its latest amount.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    String,
    Table,
    Text,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.schema import metadata
from isf_ledger.adapters.statistics import planner_settings
from isf_ledger.domain.exceptions import gone_why
from isf_ledger.projections.ledger_legs import to_pence
from isf_ledger.reports.exception_rules import OF_ITS_ROWS, OF_THE_MONTH, Raised

exceptions = Table(
    "exceptions",
    metadata,
    Column("exception_id", String(24), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("subject_kind", String(16), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("month", String(7), nullable=False),
    Column("raised_on", Date, nullable=False),
    Column("amount", BigInteger),
    Column("detail", Text, nullable=False),
    Column("gone_at", String(32)),
    Column("gone_why", Text),
)


@dataclass(frozen=True)
class Scope:
    """The agreements and cards a change since the last refresh concerns; None: all.
    `card_ids`: of those cards, only the ids from the first up to the second (None: no
    bound), when a month's cards are stored a slice at a time (`card_exceptions`)."""

    agreements: set[str] | None
    cards: set[str] | None
    card_ids: tuple[str | None, str | None] = (None, None)


ALL = Scope(None, None)


def within(scope: Scope, r: Any) -> bool:
    """Is the exception (raised or stored) about a subject in `scope`?"""
    if r.subject_kind == "agreement":
        return scope.agreements is None or r.subject in scope.agreements
    return _card_within(scope, r.subject)


def _card_within(scope: Scope, card_id: str) -> bool:
    low, end = scope.card_ids
    return (
        (scope.cards is None or card_id in scope.cards)
        and (low is None or card_id >= low)
        and (end is None or card_id < end)
    )


def dialect_insert(conn: Connection) -> Any:
    """An INSERT that can say what to do on a conflict, in the database's own dialect."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert


LOOKUP = 500  # ids a query looks up at once
BY_KEY = {"enable_seqscan": "off"}
CHANGEABLE = ("month", "raised_on", "amount", "detail", "gone_at", "gone_why")
# Positions in a row of `exceptions` (its columns' order); `CHANGEABLE` from `MONTH` on.
ID, KIND, MONTH, AMOUNT, GONE_AT = 0, 1, 4, 6, 8


def store(
    conn: Connection,
    raised: dict[str, Raised],
    months: list[str],
    scope: Scope,
    now: str,
    *,
    kinds: Collection[str] | None = None,
) -> None:
    """Add or update what is raised; mark gone what the months examined no longer raise
    about the subjects in `scope`.

    A row keeps the month it was first raised in; its amount is the latest.
    `kinds`: a month at a time, in order (`import_refresh`), and only exceptions of
    these kinds were examined: the stored rows read are those of `months` and kinds,
    and those raised but first raised in another month. Marked gone in one month and
    raised in a later one, a row is current again by the end, as if the months had
    been stored at once.
    """
    e = exceptions
    query = select(e)
    if kinds is not None:
        query = query.where(e.c.kind.in_(sorted(kinds)), e.c.month.in_(months))
    # Raised and gone alike are about subjects in scope.
    if scope.agreements is not None:
        refs = sorted(scope.agreements)
        query = query.where(or_(e.c.subject_kind != "agreement", e.c.subject.in_(refs)))
    if scope.cards is not None:
        refs = sorted(c for c in scope.cards if _card_within(scope, c))
        query = query.where(or_(e.c.subject_kind != "card", e.c.subject.in_(refs)))
    else:
        # Compared as Python compares the slice's bounds, by code point: on PostgreSQL
        # the "C" collation (a database's own may be a language's); SQLite's already.
        low, end = scope.card_ids
        subject = e.c.subject.collate("C") if conn.dialect.name == "postgresql" else e.c.subject
        if low is not None:
            query = query.where(or_(e.c.subject_kind != "card", subject >= low))
        if end is not None:
            query = query.where(or_(e.c.subject_kind != "card", subject < end))
    # Rows as tuples in the table's column order (`ID`, `MONTH`...): most of a month's
    # rows are as stored, and a slice compared is the cheapest way to find that out.
    stored = {row[ID]: row for row in conn.execute(query).all()}
    if kinds is not None:
        # One of the month's own kinds is among the rows read already, if stored at all.
        own = (OF_THE_MONTH | OF_ITS_ROWS) & set(kinds)
        elsewhere = sorted(x for x, r in raised.items() if x not in stored and r.kind not in own)
        # By the key: the rows this refresh added are not in the planner's statistics,
        # and a scan of them for each lookup took seconds at full size.
        with planner_settings(conn, BY_KEY):
            for at in range(0, len(elsewhere), LOOKUP):
                ids = elsewhere[at : at + LOOKUP]
                stored.update((row[ID], row) for row in conn.execute(
                    select(e).where(e.c.exception_id.in_(ids))).all())  # fmt: skip
    new, changed = [], []
    # A month's amounts and days are a few values, each turned once for its thousands.
    pence, iso = lru_cache(maxsize=None)(to_pence), lru_cache(maxsize=None)(date.isoformat)
    for xid, r in sorted(raised.items()):
        was = stored.get(xid)
        amount = None if r.amount is None else pence(r.amount)
        if was is None:  # as `insert_rows` takes it (the date as text)
            on = iso(r.raised_on)
            new.append((xid, r.kind, r.subject_kind, r.subject, r.month, on, amount, r.detail))
            continue
        first = (r.month, r.raised_on) if r.month < was[MONTH] else was[MONTH:AMOUNT]
        row = (xid, r.kind, r.subject_kind, r.subject, *first, amount, r.detail, None, None)
        if row[MONTH:] != was[MONTH:]:  # `CHANGEABLE`
            changed.append(row)
    # New rows in bulk: the state row's lock keeps any other refresh from adding them.
    # Not gone: `gone_at` and `gone_why` are left to their default, null.
    columns = e.c.keys()
    insert_rows(conn, e.name, columns[:GONE_AT], new)
    if changed:
        upsert = dialect_insert(conn)(e)
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=[e.c.exception_id],
                set_={name: upsert.excluded[name] for name in CHANGEABLE},
            ),
            [dict(zip(columns, row, strict=True)) for row in changed],
        )
    examined = set(months)
    gone = [
        {"xid": xid, "why": gone_why(stored[xid][KIND])}
        for xid in sorted(
            xid
            for xid, row in stored.items()
            if row[GONE_AT] is None and row[MONTH] in examined and xid not in raised
        )
        if within(scope, stored[xid])
    ]
    if gone:
        conn.execute(
            update(e)
            .where(e.c.exception_id == bindparam("xid"))
            .values(gone_at=now, gone_why=bindparam("why")),
            gone,
        )
