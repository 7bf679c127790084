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

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.domain import ledger
from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.base import aggregate_id
from isf_ledger.domain.errors import NotFound
from isf_ledger.domain.flex import review_flex, weekly_flags
from isf_ledger.domain.flows import COST_REVERSED, HOURS_CORRECTED, TOPUP_REVERSED
from isf_ledger.domain.money import PENNY, ZERO
from isf_ledger.domain.periods import month_days
from isf_ledger.projections.agreement_weeks import (
    HOURS_RECORDED_TOPIC,
    Week,
    weeks_of,
    weeks_within,
)
from isf_ledger.projections.runner import instant
from isf_ledger.reports.exception_refs import ExceptionRef
from isf_ledger.reports.fund_endings import Loaded, Related, related_of
from isf_ledger.reports.records import report_json
from isf_ledger.reports.sources import Movement, Window, flows, load, movements, refs_of, total
from isf_ledger.settings import Settings

MONEY_IN = ("payments_in", "top_ups_in", "contributions_in")
MONEY_OUT = ("charges_hours", "charges_other", "recovered")


@dataclass(frozen=True)
class Adjustment:
    """A change to an earlier month recorded after its statement was issued."""

    effective: date
    what: str
    command_id: str
    amount: Decimal  # into the ISF: a smaller charge is positive


ADJUSTMENT_WORDS = {
    HOURS_CORRECTED: "hours corrected",
    COST_REVERSED: "cost reversed",
    TOPUP_REVERSED: "top-up reversed",
    "Agreement.FlexApprovedAfterHours": "flexed hours approved",
}


@dataclass(frozen=True)
class IsfMonth:
    """One person's ISF for the month: money and hours to the penny and the quarter hour."""

    agreement_id: str
    person_id: str
    opening_balance: Decimal
    payments_in: Decimal
    top_ups_in: Decimal
    charges_hours: Decimal
    charges_other: Decimal
    recovered: Decimal
    hours_planned: Decimal
    hours_delivered: Decimal
    closing_balance: Decimal
    surplus: Decimal
    flex_flags: tuple[str, ...]
    prior_period_adjustments: Decimal
    entered_after_last_statement: bool
    contributions_in: Decimal  # the person's assessed contribution received: money in
    contribution_arrears: Decimal  # contribution due by the month's end less received
    hours_awaiting_approval: Decimal  # above the flex cap, not charged until approved
    hours_declined: Decimal  # above the flex cap, declined: never charged to the ISF
    status: str  # at the month's end: active, suspended, not yet signed, terminated, ended
    due_back: Decimal  # once ended: the whole positive balance, owed back to the council
    surplus_basis: str  # how `surplus` was worked out
    surplus_on_payments: Decimal | None  # on the other basis, when it gives another figure
    top_up_arrears: Decimal = ZERO  # top-ups due by the month's end less received
    adjustments: tuple[Adjustment, ...] = ()  # the prior-period adjustments, one a change
    exceptions: tuple[ExceptionRef, ...] = ()  # each flag's exception id and status


@dataclass(frozen=True)
class ProviderStatement:
    provider_id: str
    month: str
    agreements: tuple[IsfMonth, ...]
    as_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The contract's shape: every amount and hour as a two-place decimal string."""
        return report_json(self)


def provider_statement(
    conn: Connection,
    app: LedgerApp,
    settings: Settings,
    provider_id: str,
    month: str,
    *,
    as_at: str | None = None,
    previous_as_at: str | None = None,
) -> ProviderStatement:
    refs = refs_of(conn, "agreement", provider_id=provider_id)
    agreements = load_agreements(conn, app, refs, as_at)
    if not agreements and not load(conn, app, "provider", [provider_id], as_at):
        raise NotFound(f"no provider {provider_id}")
    isfs = isf_months(
        conn, app, settings, agreements, month, as_at=as_at, previous_as_at=previous_as_at
    )
    return ProviderStatement(provider_id, month, isfs, as_at)


def load_agreements(
    conn: Connection, app: LedgerApp, refs: list[str], as_at: str | None
) -> dict[str, Agreement]:
    """The agreements as at `as_at`, without their weeks of hours, which come from
    their read model instead of replaying every week."""
    return load(conn, app, "agreement", refs, as_at, without=[HOURS_RECORDED_TOPIC])


@dataclass(frozen=True)
class MonthReads:
    """What one month's ISFs are worked out from, for every agreement."""

    first: date
    last: date
    weeks: dict[str, list[Week]]  # by agreement key, as `weeks_of` gives them
    opening: dict[str, Decimal]  # by account
    during: dict[str, dict[str, Decimal]]  # by account, then flow
    related: Related
    # For a statement only (the exceptions do not read them): None leaves them out.
    late: dict[str, dict[str, Decimal]] | None = None
    late_lines: dict[str, tuple[Adjustment, ...]] | None = None
    known: dict[str, dict[str, Decimal]] | None = None


def isf_months(
    conn: Connection,
    app: LedgerApp,
    settings: Settings,
    agreements: dict[str, Agreement],
    month: str,
    *,
    as_at: str | None = None,
    previous_as_at: str | None = None,
) -> tuple[IsfMonth, ...]:
    """Each agreement's ISF for the month (those started by its end), in id order: a
    provider's statement."""
    first, last = month_days(month)
    keys = _keys(agreements)
    # Weeks after the month cannot change it: its flags are of reviews ending by `last`.
    weeks = weeks_of(conn, keys.values(), since=_since(agreements, first), until=last, as_at=as_at)
    accounts = [ledger.isf(ref) for ref in agreements]
    opening = flows(conn, accounts, Window(before=first, as_at=as_at))
    during = flows(conn, accounts, Window(since=first, before=last + timedelta(1), as_at=as_at))
    issued = previous_as_at or instant_of_day(first)
    late_window = Window(before=first, as_at=as_at, recorded_after=issued)
    # A fund with nothing recorded when last month's statement was issued was on no
    # statement: its earlier months were entered late, not corrected.
    reads = MonthReads(
        first,
        last,
        weeks,
        {account: total(by_flow) for account, by_flow in opening.items()},
        during,
        related_of(conn, app, agreements.values(), last, as_at),
        flows(conn, accounts, late_window),
        _adjustments(movements(conn, accounts, ADJUSTMENT_WORDS, late_window)),
        flows(conn, accounts, Window(as_at=min(issued, as_at or issued))),
    )
    return _isf_rows(agreements, keys, reads, settings)


def isf_months_over(
    conn: Connection,
    app: LedgerApp,
    settings: Settings,
    agreements: dict[str, Agreement],
    months: list[str],
    loaded: Loaded,
    *,
    as_at: str | None = None,
) -> Iterator[tuple[str, tuple[IsfMonth, ...]]]:
    """Every provider's ISFs for each of `months` (consecutive), as the exceptions read
    them: the weeks are read once for them all, and each month opens with the last's
    closing balance. Only what exceptions are read off is worked out (see `MonthReads`):
    no planned hours, weekly flags, prior-period adjustments or late entries.
    (`loaded`: the agreements' related aggregates, read once for many months.)"""
    if not months:
        return
    keys = _keys(agreements)
    first, until = month_days(months[0])[0], month_days(months[-1])[1]
    every_week = weeks_of(
        conn, keys.values(), since=_since(agreements, first), until=until, as_at=as_at
    )
    accounts = [ledger.isf(ref) for ref in agreements]
    opening = flows(conn, accounts, Window(before=first, as_at=as_at))
    balances = {account: total(by_flow) for account, by_flow in opening.items()}
    for month in months:
        first, last = month_days(month)
        window = Window(since=first, before=last + timedelta(1), as_at=as_at)
        during = flows(conn, accounts, window)
        since = _since(agreements, first)
        weeks = {key: weeks_within(w, since, last) for key, w in every_week.items()}
        related = related_of(conn, app, agreements.values(), last, as_at, loaded)
        reads = MonthReads(first, last, weeks, balances, during, related)
        yield month, _isf_rows(agreements, keys, reads, settings)
        balances = {
            account: balances.get(account, ZERO) + total(during.get(account, {}))
            for account in set(balances) | set(during)
        }


def _keys(agreements: dict[str, Agreement]) -> dict[str, str]:
    """Each agreement's aggregate id (hex), as its weeks are keyed."""
    return {ref: aggregate_id("agreement", ref).hex for ref in agreements}


def _since(agreements: dict[str, Agreement], first: date) -> date:
    """The earliest week a flex review ending in the month from `first` can start."""
    looked_back = max((a.review_weeks for a in agreements.values()), default=1) - 1
    return first - timedelta(weeks=looked_back)


def _isf_rows(
    agreements: dict[str, Agreement], keys: dict[str, str], reads: MonthReads, settings: Settings
) -> tuple[IsfMonth, ...]:
    """Each agreement's ISF for the month read in `reads`, in id order."""
    first, last, related = reads.first, reads.last, reads.related
    statement = reads.known is not None
    rows = []
    for ref, agreement in sorted(agreements.items()):
        if agreement.start > last:
            continue
        account = ledger.isf(ref)
        moved = reads.during.get(account, {})
        opening_balance = reads.opening.get(account, Decimal("0.00"))
        closing = opening_balance + total(moved)
        recorded = reads.weeks.get(keys[ref], [])
        weeks = [w for w in recorded if first <= w.week_start <= last]
        ending = related.ending(agreement)
        planned = agreement.planned_hours(first, last) if statement else ZERO
        rows.append(
            IsfMonth(
                agreement_id=ref,
                person_id=agreement.person_id,
                opening_balance=opening_balance,
                payments_in=moved.get("payments_in", ZERO),
                top_ups_in=moved.get("top_ups_in", ZERO),
                charges_hours=-moved.get("charges_hours", ZERO),
                charges_other=-moved.get("charges_other", ZERO),
                recovered=-moved.get("recovered", ZERO),
                hours_planned=planned.quantize(PENNY),
                hours_delivered=sum((w.delivered_hours for w in weeks), Decimal(0)).quantize(PENNY),
                closing_balance=closing,
                surplus=ending.surplus(closing),
                flex_flags=_flex_flags(agreement, recorded, first, last, settings, statement),
                prior_period_adjustments=total((reads.late or {}).get(account, {})),
                entered_after_last_statement=statement and account not in (reads.known or {}),
                contributions_in=moved.get("contributions_in", ZERO),
                contribution_arrears=related.arrears(ref),
                hours_awaiting_approval=sum(
                    (
                        agreement.hours_awaiting_approval(w.week_start, w.delivered_hours)
                        for w in weeks
                    ),
                    Decimal(0),
                ).quantize(PENNY),
                hours_declined=sum(
                    (agreement.hours_declined(w.week_start, w.delivered_hours) for w in weeks),
                    Decimal(0),
                ).quantize(PENNY),
                status=ending.status,
                due_back=ending.due_back(closing),
                surplus_basis=ending.basis,
                surplus_on_payments=ending.other_surplus(closing),
                top_up_arrears=related.topup_arrears(agreement),
                adjustments=(reads.late_lines or {}).get(account, ()),
            )
        )
    return tuple(rows)


def _adjustments(moved: list[Movement]) -> dict[str, tuple[Adjustment, ...]]:
    """Each account's late corrections as lines naming what changed and the command.

    Only corrections are named: a ledger recorded in bulk after the fact has
    every earlier movement late, and those are facts, not corrections.
    """
    lines: dict[str, list[Adjustment]] = {}
    for m in moved:
        what = ADJUSTMENT_WORDS[m.event_type]
        lines.setdefault(m.account, []).append(
            Adjustment(m.effective, what, m.command_id, m.amount)
        )
    return {account: tuple(found) for account, found in lines.items()}


def instant_of_day(day: date) -> str:
    """Midnight UTC at the start of `day`, as recording times are written."""
    return instant(datetime(day.year, day.month, day.day, tzinfo=UTC))


def _flex_flags(
    agreement: Agreement,
    recorded: list[Week],
    first: date,
    last: date,
    settings: Settings,
    weekly: bool = True,
) -> tuple[str, ...]:
    """This month's weekly flags (unless not `weekly`), then any sustained variance
    whose review ends in it.

    `recorded` holds the agreement's first week and every week from the
    earliest start of a review that can end in this month, oldest first.
    """
    # Each week's flag as the agreement stands now: hours above the cap may have
    # been approved or declined since they were recorded.
    flags = [
        f"week of {w.week_start}: {w.delivered_hours} hours against {w.planned_hours} planned, "
        f"{flag}"
        for w in recorded
        if weekly and first <= w.week_start <= last
        for flag in weekly_flags(
            w.delivered_hours,
            w.planned_hours,
            agreement.terms_on(w.week_start).flex_cap_hours,
            agreement.approval_of(w.week_start),
        )
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
    return tuple(flags)
