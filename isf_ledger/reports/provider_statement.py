"""The provider's monthly statement: each person's ISF, individually.

For every agreement the provider holds: opening balance, money in (payments,
top-ups), money out (hours delivered × rate, other costs, recoveries), closing
balance, planned and delivered hours, surplus above the agreement's threshold
and flex flags. Hours and their charges count in the month their week starts.

Corrections effective before the month but recorded after last month's
statement was issued change the opening balance; they are shown as
`prior_period_adjustments`, so opening = last month's closing as issued +
adjustments. Last month's statement counts as issued when the month began,
unless `previous_as_at` says when it really was.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.domain import ledger
from isf_ledger.domain.base import aggregate_id
from isf_ledger.domain.errors import NotFound
from isf_ledger.domain.flex import review_flex
from isf_ledger.domain.money import ZERO, fmt
from isf_ledger.projections.agreement_weeks import HOURS_RECORDED_TOPIC, Week, weeks_of
from isf_ledger.projections.runner import instant
from isf_ledger.reports.sources import Window, flows, load, refs_of, total
from isf_ledger.settings import Settings

MONEY_IN = ("payments_in", "top_ups_in")
MONEY_OUT = ("charges_hours", "charges_other", "recovered")


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of `YYYY-MM`."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def mondays(first: date, last: date) -> list[date]:
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    return [day + timedelta(weeks=n) for n in range((last - day).days // 7 + 1) if day <= last]


def provider_statement(
    conn: Connection,
    app: LedgerApp,
    settings: Settings,
    provider_id: str,
    month: str,
    *,
    as_at: str | None = None,
    previous_as_at: str | None = None,
) -> dict[str, Any]:
    first, last = month_bounds(month)
    refs = refs_of(conn, "agreement", provider_id=provider_id)
    # Weeks of hours come from their read model, not from replaying every week.
    agreements = load(conn, app, "agreement", refs, as_at, without=[HOURS_RECORDED_TOPIC])
    if not agreements and not load(conn, app, "provider", [provider_id], as_at):
        raise NotFound(f"no provider {provider_id}")
    looked_back = max((a.review_weeks for a in agreements.values()), default=1) - 1
    keys = {ref: aggregate_id("agreement", ref).hex for ref in agreements}
    weeks_by_key = weeks_of(
        conn, keys.values(), since=first - timedelta(weeks=looked_back), as_at=as_at
    )
    accounts = {ref: ledger.isf(ref) for ref in agreements}
    opening = flows(conn, accounts.values(), Window(before=first, as_at=as_at))
    during = flows(
        conn, accounts.values(), Window(since=first, before=last + timedelta(1), as_at=as_at)
    )
    issued = previous_as_at or instant_of_day(first)
    late = flows(conn, accounts.values(), Window(before=first, as_at=as_at, recorded_after=issued))
    # A fund with nothing recorded when last month's statement was issued was on no
    # statement: its earlier months were entered late, not corrected.
    known = flows(conn, accounts.values(), Window(as_at=min(issued, as_at or issued)))
    rows = []
    for ref, agreement in sorted(agreements.items()):
        if agreement.start > last:
            continue
        account = accounts[ref]
        moved = during.get(account, {})
        opening_balance = total(opening.get(account, {}))
        line = {name: moved.get(name, ZERO) for name in MONEY_IN}
        line |= {name: -moved.get(name, ZERO) for name in MONEY_OUT}
        closing = opening_balance + total(moved)
        threshold = agreement.surplus_threshold_on(last)
        recorded = weeks_by_key.get(keys[ref], [])
        weeks = [w for w in recorded if first <= w.week_start <= last]
        planned = sum(
            (
                agreement.terms_on(m).planned_weekly_hours
                for m in mondays(first, last)
                if agreement.is_active_on(m)
            ),
            Decimal(0),
        )
        rows.append(
            {
                "agreement_id": ref,
                "person_id": agreement.person_id,
                "opening_balance": fmt(opening_balance),
                **{name: fmt(value) for name, value in line.items()},
                "hours_planned": _hours(planned),
                "hours_delivered": _hours(sum((w.delivered_hours for w in weeks), Decimal(0))),
                "closing_balance": fmt(closing),
                "surplus": fmt(max(ZERO, closing - threshold)),
                "flex_flags": _flex_flags(agreement, recorded, first, last, settings),
                "prior_period_adjustments": fmt(total(late.get(account, {}))),
                "entered_after_last_statement": account not in known,
            }
        )
    return {"provider_id": provider_id, "month": month, "agreements": rows} | (
        {"as_at": as_at} if as_at else {}
    )


def instant_of_day(day: date) -> str:
    """Midnight UTC at the start of `day`, as recording times are written."""
    return instant(datetime(day.year, day.month, day.day, tzinfo=UTC))


def _hours(hours: Decimal) -> str:
    return f"{hours.quantize(Decimal('0.01')):f}"


def _flex_flags(
    agreement: Any, recorded: list[Week], first: date, last: date, settings: Settings
) -> list[str]:
    """This month's weekly flags, then any sustained variance whose review ends in it.

    `recorded` holds the agreement's first week and every week from the
    earliest start of a review that can end in this month, oldest first.
    """
    flags = [
        f"week of {w.week_start}: {w.delivered_hours} hours against {w.planned_hours} planned, "
        f"{flag}"
        for w in recorded
        if first <= w.week_start <= last
        for flag in w.flags
    ]
    reviews = review_flex(
        [(w.week_start, w.planned_hours, w.delivered_hours) for w in recorded],
        agreement.review_weeks,
        settings.flex_variance_threshold,
        ending_from=first,
    )
    for review in reviews:
        if review.flag and review.weeks[-1] <= last:
            flags.append(review.flag)
    return flags
