"""Which months a change to the ledger can alter, for the exceptions refresh.

From the audit trail's rows since the last refresh: their business dates (a
card import's first posting too), the day a row with none was recorded, and
whether one reaches back (see `exception_refresh`'s note).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, case, func, select

from isf_ledger.projections.audit_trail import audit_trail
from isf_ledger.projections.schedule_periods import schedule_periods
from isf_ledger.settings import Settings

CARD_IMPORT = "CardImport.TransactionsImported"
# A top-up is due from the start of the payment period it began in, and the arrears
# rule counts a period in each month before it: agreeing one (no business date)
# changes months before the day it was agreed, back to its agreement's first.
REACHES_BACK = "TopUp.Agreed"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + 1:04d}-01" if number == 12 else f"{year:04d}-{number + 1:02d}"


def months_from(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included."""
    months = []
    while first <= last:
        months.append(first)
        first = next_month(first)
    return months


@dataclass(frozen=True)
class Span:
    """The months to examine, and the earliest a change since the last refresh touches."""

    first: str
    through: str
    changed: str


def _dates(conn: Connection, after: int, as_at: str | None) -> tuple[list[date], list[date], bool]:
    """The first and last business dates of the audit trail's rows after `after` (by
    `as_at`; a card import's first posting too), the first day a row with none was
    recorded on, and whether one reaches back (`REACHES_BACK`): summed in SQL."""
    t = audit_trail
    undated = case((t.c.effective.is_(None), t.c.recorded_at))
    back = func.max(case((t.c.type == REACHES_BACK, 1), else_=0))
    summary = select(func.min(t.c.effective), func.max(t.c.effective), func.min(undated), back)
    imports = select(t.c.data).where(t.c.type == CARD_IMPORT)
    summary, imports = (q.where(t.c.position > after) for q in (summary, imports))
    if as_at is not None:
        summary, imports = (q.where(t.c.recorded_at <= as_at) for q in (summary, imports))
    low, high, undated_at, reaches = conn.execute(summary).one()
    business = [day for day in (low, high) if day is not None]
    for (data,) in conn.execute(imports):
        first = json.loads(data).get("first_posted")
        if first:
            business.append(date.fromisoformat(first))
    recorded = [date.fromisoformat(undated_at[:10])] if undated_at else []
    return business, recorded, bool(reaches)


def horizon_of(conn: Connection, today: date) -> str | None:
    """Today's month, but no later than the month after the last period starts."""
    last_start = conn.scalar(select(func.max(schedule_periods.c.start)))
    if last_start is None:
        return None
    return min(month_of(today), next_month(month_of(last_start)))


def span_of(
    conn: Connection, after: int, settings: Settings, today: date, as_at: str | None = None
) -> Span | None:
    """The months to examine given the audit trail's rows after position `after`
    (recorded by `as_at`)."""
    business, recorded, back = _dates(conn, after, as_at)
    if not business and not recorded:
        return None
    horizon = horizon_of(conn, today)
    margin = timedelta(days=settings.load_match_days)
    changed = "" if back else month_of(min(business + recorded) - margin)  # "": every month
    if not business:  # a change with no date of its own: examined from when it was made
        return Span("", horizon or "", changed)
    last = month_of(max(business))
    return Span(month_of(min(business)), max(last, horizon) if horizon else last, changed)
