"""Every schedule period and whether it is due, paid or withheld.

`payments due` reads this to find the periods starting in a window that are
still to pay, without loading every schedule; the schedules it finds then
decide, with their own rules, which can be paid and for how much.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Index,
    Integer,
    String,
    Table,
    and_,
    bindparam,
    select,
    update,
)

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.schema import metadata
from isf_ledger.projections.runner import Recorded

schedule_periods = Table(
    "schedule_periods",
    metadata,
    Column("originator_id", String(32), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("schedule_id", String(64), nullable=False),
    Column("start", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Index("ix_schedule_periods_start", "start"),
)

STATUS_AFTER = {
    "Schedule.PaymentMade": "paid",
    "Schedule.PaymentWithheld": "withheld",
    "Schedule.PaymentReversed": "due",
}


class SchedulePeriods:
    name = "schedule_periods"
    tables: tuple[Table, ...] = (schedule_periods,)
    reads: tuple[Table, ...] = ()

    def project(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        # A period scheduled in this batch goes in with its latest status; a stored
        # one's status is updated to its latest (one update each, not one an event).
        rows: dict[tuple[str, int], list[object]] = {}
        changes: dict[tuple[str, int], str] = {}
        for rec in batch:
            if rec.type == "Schedule.Scheduled":
                key = rec.event.originator_id.hex
                for p in rec.event.periods:
                    start = p["start"].isoformat()
                    rows[key, p["number"]] = [key, p["number"], rec.event.schedule_id, start, "due"]
            elif rec.type in STATUS_AFTER:
                period = (rec.event.originator_id.hex, rec.event.period)
                if period in rows:
                    rows[period][4] = STATUS_AFTER[rec.type]
                else:
                    changes[period] = STATUS_AFTER[rec.type]
        columns = ("originator_id", "number", "schedule_id", "start", "status")
        insert_rows(conn, "schedule_periods", columns, [tuple(r) for r in rows.values()])
        if changes:
            t = schedule_periods
            conn.execute(
                update(t)
                .where(and_(t.c.originator_id == bindparam("key"), t.c.number == bindparam("n")))
                .values(status=bindparam("s")),
                [{"key": key, "n": n, "s": status} for (key, n), status in changes.items()],
            )


def open_periods(conn: Connection, since: date, until: date) -> list[tuple[str, int]]:
    """(schedule_id, period) of every period starting in the window, neither paid nor
    withheld, in schedule and period order."""
    return periods_starting(conn, since, until, status="due")


def periods_starting(
    conn: Connection, since: date, until: date, *, status: str | None = None
) -> list[tuple[str, int]]:
    """(schedule_id, period) of every period starting in the window (with `status`, only
    those with it now), in schedule and period order. A period's start never changes, so
    this also finds the periods of an earlier instant; their status then is the schedule's."""
    t = schedule_periods
    query = (
        select(t.c.schedule_id, t.c.number)
        .where(t.c.start.between(since, until))
        .order_by(t.c.schedule_id, t.c.number)
    )
    if status is not None:
        query = query.where(t.c.status == status)
    return [(s, n) for s, n in conn.execute(query)]
