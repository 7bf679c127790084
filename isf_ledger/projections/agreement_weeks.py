"""Weeks of hours: each agreement's recorded weeks as plain rows.

A corrected week (`HoursCorrected`) adds a row of its own; the week is the
latest row recorded by the instant asked about, so `--as-at` still reads the
hours a statement was issued with.

A provider statement needs the weeks of one month (and the few before it
that a flex review looks back over), not years of them. Reading them here
spares it rebuilding every agreement from every `HoursRecorded` event, which
was nine tenths of its time. Hours are kept as decimal text, exactly as
recorded; rows are keyed by the agreement's aggregate id (hex).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from eventsourcing.utils import get_topic
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Index,
    String,
    Table,
    Text,
    func,
    or_,
    select,
)

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.schema import metadata
from isf_ledger.domain.agreement import Agreement
from isf_ledger.projections.runner import Recorded, to_json

HOURS_RECORDED = "Agreement.HoursRecorded"
WEEK_EVENTS = (HOURS_RECORDED, "Agreement.HoursCorrected")
HOURS_RECORDED_TOPIC = f"{get_topic(Agreement)}.HoursRecorded"  # as stored

agreement_weeks = Table(
    "agreement_weeks",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("originator_id", String(32), nullable=False),
    Column("week_start", Date, nullable=False),
    Column("planned_hours", String(16), nullable=False),
    Column("delivered_hours", String(16), nullable=False),
    Column("flags", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Index("ix_agreement_weeks_originator_week", "originator_id", "week_start"),
)


class Week(NamedTuple):
    """One recorded week of one agreement, as the statement reads it."""

    week_start: date
    planned_hours: Decimal
    delivered_hours: Decimal
    flags: tuple[str, ...]


@dataclass
class AgreementWeeks:
    name: str = "agreement_weeks"
    tables: tuple[Table, ...] = (agreement_weeks,)
    reads: tuple[Table, ...] = ()

    def project(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        rows = [
            (
                rec.position,
                rec.event.originator_id.hex,
                rec.event.effective.isoformat(),
                str(rec.event.planned_hours),
                str(rec.event.delivered_hours),
                to_json(rec.event.flags) if rec.event.flags else "[]",  # most weeks: none
                rec.recorded_at,
            )
            for rec in batch
            if rec.type in WEEK_EVENTS
        ]
        insert_rows(conn, agreement_weeks.name, agreement_weeks.c.keys(), rows)


def weeks_of(
    conn: Connection,
    ids: Iterable[str],
    *,
    since: date,
    until: date | None = None,
    as_at: str | None = None,
) -> dict[str, list[Week]]:
    """Weeks of each agreement from `since` on (to `until`, if given), and its
    first week, oldest first.

    The first recorded week anchors the agreement's flex review blocks, so it
    comes too however long ago it was. With `as_at`, only weeks recorded by then.
    """
    w = agreement_weeks
    first = agreement_weeks.alias("first")
    earliest = select(func.min(first.c.week_start)).where(
        first.c.originator_id == w.c.originator_id
    )
    query = select(
        w.c.originator_id, w.c.week_start, w.c.planned_hours, w.c.delivered_hours, w.c.flags
    ).where(w.c.originator_id.in_(list(ids)))
    if as_at is not None:
        query = query.where(w.c.recorded_at <= as_at)
        earliest = earliest.where(first.c.recorded_at <= as_at)
    query = query.where(or_(w.c.week_start >= since, w.c.week_start == earliest.scalar_subquery()))
    if until is not None:
        query = query.where(w.c.week_start <= until)
    found: dict[str, list[Week]] = defaultdict(list)
    rows = conn.execute(query.order_by(w.c.originator_id, w.c.week_start, w.c.position)).all()
    for originator_id, week_start, planned, delivered, flags in rows:  # fetched at once
        marked = () if flags == "[]" else tuple(json.loads(flags))  # most weeks: none
        week = Week(week_start, Decimal(planned), Decimal(delivered), marked)
        weeks = found[originator_id]
        if weeks and weeks[-1].week_start == week_start:
            weeks[-1] = week  # corrected later
        else:
            weeks.append(week)
    return found


def weeks_within(weeks: list[Week], since: date, until: date) -> list[Week]:
    """What `weeks_of` gives for `since` to `until`, out of what it gave for a wider
    span around them (read once for many months): the first week, and those between."""
    anchor = weeks[0].week_start if weeks else None
    return [
        w
        for w in weeks
        if w.week_start <= until and (w.week_start >= since or w.week_start == anchor)
    ]
