"""What a month's card rows say, by card: loads missing and unexpected, and flags.

The reconciliation (`card_reconciliation`) and the exceptions refresh
(`card_exceptions`) both read a month's findings here, in a few queries of
only the rows they concern:

- the loads of the month, and of the load-matching window either side when
  there are payments to match, from the index of loads alone;
- the rows of blocked merchant categories and the cash, only of the cards
  whose month sums hold a blocked code or cash past the limit, by card and
  day (most months, none);
- the month's rows whose date, card and amount repeat, counted in the
  content index's order.

Matching, the cash limit and duplicates are worked out in Python over those
few rows (see `card_reconciliation` for the rules).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import Connection, Select, Table, and_, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from isf_ledger.adapters.card_store.tables import card_imports, card_transactions
from isf_ledger.adapters.read_beside import Start, inline
from isf_ledger.adapters.statistics import GROUPING, planner_settings
from isf_ledger.domain import card_checks
from isf_ledger.domain.card_matching import Load, Payment, match
from isf_ledger.domain.periods import month_days
from isf_ledger.projections.ledger_legs import from_pence
from isf_ledger.reports.card_balances import over_cash_limit, pounds_of
from isf_ledger.reports.card_loads import card_payments
from isf_ledger.reports.card_month import CardTransaction, Flag, MissingLoad, UnexpectedLoad
from isf_ledger.settings import Settings

t = card_transactions


def visible(
    query: Select[Any], as_at: str | None, card: str | None, table: Table = card_transactions
) -> Select[Any]:
    """Only transactions (or month sums) imported by `as_at`, of one card if asked."""
    if as_at is not None:
        query = query.where(
            table.c.import_id.in_(
                select(card_imports.c.id).where(card_imports.c.recorded_at <= as_at)
            )
        )
    if card is not None:
        query = query.where(table.c.card_id == card)
    return query


@dataclass(frozen=True)
class RowFindings:
    """What the month's rows (and payments) say, by card: loads missing and unexpected,
    the loads expected (pence) and the transactions flagged. Cards with nothing to say
    are not there: most cards, most months."""

    missing: dict[str, list[MissingLoad]]
    unexpected: dict[str, list[UnexpectedLoad]]
    expected: dict[str, int]
    flagged: dict[str, tuple[Flag, ...]]


def row_findings(
    conn: Connection,
    month: str,
    settings: Settings,
    *,
    cash: Mapping[str, int],
    mccs: Mapping[str, str],
    card: str | None,
    as_at: str | None,
    has_rows: bool = True,
) -> RowFindings:
    """The month's findings from its rows, for every card (or one): a few queries of
    only the rows they concern, on `conn` (see `month_findings`)."""
    reads = month_reads(inline(conn), month, settings, as_at=as_at, card=card)
    found = month_findings(
        conn, month, settings, reads, cash=cash, mccs=mccs, card=card, as_at=as_at
    )
    return RowFindings(found.missing, found.unexpected, found.expected, found.flagged(has_rows))


@dataclass(frozen=True)
class MonthReads:
    """The month's longer reads, started (`reads_beside`): each gives its rows when asked;
    `start` starts those that need the month sums first (`month_findings`)."""

    # The payments of the month and the matching window, and the loads they may meet.
    loads: Callable[[], tuple[list[Payment], list[Load]]]
    repeated: Callable[[], list[list[Any]]]  # the month's possible duplicates
    start: Start


def month_reads(
    start: Start, month: str, settings: Settings, *, as_at: str | None, card: str | None
) -> MonthReads:
    """Start the month's longer reads: they need nothing from the month sums, so a report
    can start them first (`start`: `reads_beside`, or `inline`)."""
    first, last = month_days(month)
    end = last + timedelta(days=1)
    window = timedelta(days=settings.load_match_days)
    return MonthReads(
        start(partial(_payments_and_loads, start=first, end=end, window=window, as_at=as_at,
                      card=card)),
        start(partial(_repeated, start=first, end=end, as_at=as_at, card=card)),
        start,
    )  # fmt: skip


@dataclass(frozen=True)
class MonthFindings:
    """The loads the month's rows and payments leave missing and unexpected and those
    expected (pence), by card; its flags when asked for (`flagged`), as the reads of the
    repeated and the marked rows may still be running."""

    missing: dict[str, list[MissingLoad]]
    unexpected: dict[str, list[UnexpectedLoad]]
    expected: dict[str, int]
    marked: Callable[[], list[Any]]  # the rows of blocked categories and cash over the limit
    reads: MonthReads
    settings: Settings

    def flagged(self, has_rows: bool = True) -> dict[str, tuple[Flag, ...]]:
        """The transactions flagged, by card. `has_rows` False (the month sums have none
        in the month: a refresh examines many such months) skips the read of the
        month's own rows for repeats."""
        return _flags(self.settings, self.marked(), self.reads.repeated() if has_rows else [])


def month_findings(
    conn: Connection,
    month: str,
    settings: Settings,
    reads: MonthReads,
    *,
    cash: Mapping[str, int],
    mccs: Mapping[str, str],
    card: str | None,
    as_at: str | None,
) -> MonthFindings:
    """The month's findings from its rows (`reads`, started) and payments, for every card
    (or one). `cash` and `mccs`: each card's cash in the month and its merchant category
    codes (comma-separated), from the month sums. The marked rows are read beside the
    loads' matching (`reads.start`): only the flags need them."""
    first, last = month_days(month)
    end = last + timedelta(days=1)
    over = over_cash_limit(cash, int(settings.monthly_cash_limit * 100))
    blocked = settings.blocked_mccs
    with_blocked = [
        c for c, codes in mccs.items() if not blocked.keys().isdisjoint(codes.split(","))
    ]
    marked = reads.start(partial(_marked, start=first, end=end, settings=settings,
                                 over_cash_limit=over, with_blocked=with_blocked, as_at=as_at,
                                 card=card))  # fmt: skip
    payments, loads = reads.loads()
    missing, unexpected, expected = _loads(first, end, settings, payments, loads)
    return MonthFindings(missing, unexpected, expected, marked, reads, settings)


def _payments_and_loads(
    conn: Connection,
    *,
    start: date,
    end: date,
    window: timedelta,
    as_at: str | None,
    card: str | None,
) -> tuple[list[Payment], list[Load]]:
    """The payments to cards effective in [start, end) and the matching `window` either
    side, and the loads they may meet: those posted in [start, end), and in the window
    either side only when there are payments (such a load is never reported, only met),
    from the index of loads alone (a few rows in a hundred): no pass over the others."""
    payments = card_payments(conn, start - window, end + window, as_at=as_at, card=card)
    if payments:
        start, end = start - window, end + window
    query = select(t.c.card_id, t.c.posted_on, t.c.pence, t.c.id, t.c.description).where(
        _posted(start, end, card), t.c.type == "LOAD"
    )
    # Fetched at once and made loads by position: tens of thousands of rows.
    return payments, list(map(Load._make, conn.execute(visible(query, as_at, card)).all()))


# Cards whose month's rows of blocked codes are read by card and day (a lookup each in
# the content key); more than this, and the month's rows are read by date alone.
BY_CARD_AND_DAY = 200


def _marked(
    conn: Connection,
    *,
    start: date,
    end: date,
    settings: Settings,
    over_cash_limit: list[str],
    with_blocked: list[str],
    as_at: str | None,
    card: str | None,
) -> list[Any]:
    """The month's rows of blocked merchant categories and the cash of the cards whose
    month's cash passes the limit (no other cash is flagged): the cash from the index
    of cash by card, the blocked rows only for the cards whose month sums hold such a
    code (most months, none)."""
    marked: list[Any] = []
    if over_cash_limit:
        query = select(*_FLAG_COLUMNS).where(
            t.c.type == "ATM",
            t.c.card_id.in_(over_cash_limit),
            t.c.posted_on >= start,
            t.c.posted_on < end,
        )
        marked += conn.execute(visible(query, as_at, card)).all()
    if with_blocked:
        if card is None and len(with_blocked) <= BY_CARD_AND_DAY:
            days = [start + timedelta(days=n) for n in range((end - start).days)]
            posted = and_(t.c.posted_on.in_(days), t.c.card_id.in_(with_blocked))
        else:
            posted = and_(_posted(start, end, card), t.c.card_id.in_(with_blocked))
        # The cash rows of blocked codes are among the cash above already.
        query = select(*_FLAG_COLUMNS).where(posted, t.c.mcc.in_(sorted(settings.blocked_mccs)))
        if over_cash_limit:
            query = query.where(or_(t.c.type != "ATM", t.c.card_id.not_in(over_cash_limit)))
        marked += conn.execute(visible(query, as_at, card)).all()
    return marked


def _loads(
    start: date, end: date, settings: Settings, payments: list[Payment], loads: list[Load]
) -> tuple[dict[str, list[MissingLoad]], dict[str, list[UnexpectedLoad]], dict[str, int]]:
    """(missing loads, unexpected loads, expected total), by card."""
    unmatched_payments, unmatched_loads = match(payments, loads, settings.load_match_days)
    expected: dict[str, int] = defaultdict(int)
    for payment in payments:
        if start <= payment.on < end:
            expected[payment.card_id] += payment.pence
    missing: dict[str, list[MissingLoad]] = defaultdict(list)
    for payment in unmatched_payments:
        if start <= payment.on < end:
            missing[payment.card_id].append(
                MissingLoad(payment.on, from_pence(payment.pence), payment.ref)
            )
    unexpected: dict[str, list[UnexpectedLoad]] = defaultdict(list)
    pounds = pounds_of()
    # Records of equal loads are one (they are frozen): a month's tens of thousands of
    # loads are of a few days, amounts and descriptions, on thousands of cards.
    made: dict[tuple[date, int, str], UnexpectedLoad] = {}
    # The month's among them, in date order: no date compared a load.
    in_month = slice(*(bisect_left(unmatched_loads, day, key=_POSTED) for day in (start, end)))
    for card_id, posted_on, pence, _, description in unmatched_loads[in_month]:
        seen = (posted_on, pence, description)
        load = made.get(seen)
        if load is None:
            load = made[seen] = UnexpectedLoad(posted_on, pounds(pence), description)
        unexpected[card_id].append(load)
    return missing, unexpected, expected


_POSTED = attrgetter("posted_on")


_FLAG_COLUMNS = (
    t.c.id,
    t.c.card_id,
    t.c.posted_on,
    t.c.type,
    t.c.pence,
    t.c.merchant,
    t.c.description,
    t.c.mcc,
)
# A flagged row's fields by position (tens of thousands a month at full size: a `Row`'s
# attribute costs several times its index).
ID, CARD, POSTED, TYPE, PENCE, MERCHANT, DESCRIPTION, MCC = range(len(_FLAG_COLUMNS))
_BY_DATE = itemgetter(POSTED, ID)


def _flags(
    settings: Settings, marked: list[Any], repeated: list[list[Any]]
) -> dict[str, tuple[Flag, ...]]:
    """Transactions that need a look (the `marked` ones, the `repeated` groups), by
    card, in date (then storage) order."""
    # Each card's flags as (posted date, row id, kind of flag, why, row): sorted as
    # tuples, by the first three (no two flags share them), with no key to make.
    found: dict[str, list[tuple[date, int, int, str, Any]]] = defaultdict(list)
    blocked = settings.blocked_mccs
    cash_rows: dict[str, list[Any]] = defaultdict(list)
    for row in marked:
        if row[MCC] in blocked:
            why = card_checks.blocked_category(row[MCC], blocked[row[MCC]])
            found[row[CARD]].append((row[POSTED], row[ID], 0, why, row))
        if row[TYPE] == "ATM":
            cash_rows[row[CARD]].append(row)
    limit = int(settings.monthly_cash_limit * 100)
    shown_limit = from_pence(limit)
    for card_id, rows in cash_rows.items():
        if -sum(row[PENCE] for row in rows) <= limit:
            continue
        cash = 0
        for row in sorted(rows, key=_BY_DATE):
            cash -= row[PENCE]
            if cash > limit:
                why = card_checks.cash_over_limit(from_pence(cash), shown_limit)
                found[card_id].append((row[POSTED], row[ID], 1, why, row))
    duplicate = card_checks.DUPLICATE
    for rows in repeated:  # a group's rows are of one card
        found[rows[0][CARD]] += [(row[POSTED], row[ID], 2, duplicate, row) for row in rows]

    pounds = pounds_of()  # a month's duplicates are of a few amounts
    flagged = {}
    for card_id, items in found.items():
        items.sort()
        flagged[card_id] = tuple(
            [
                Flag(CardTransaction(r[POSTED], r[TYPE], pounds(r[PENCE]), r[MERCHANT],
                                     r[DESCRIPTION], r[MCC]), why)
                for _, _, _, why, r in items
            ]
        )  # fmt: skip
    return flagged


# The month's keys counted in the content index's order as it streams, and only the
# repeated ones looked up again. PostgreSQL would rather hash every key of the month,
# or count them with a window, buffering each row: a third slower or more.
IN_INDEX_ORDER = {
    **GROUPING,
    **{
        f"enable_{plan}": "off"
        for plan in ("hashagg", "hashjoin", "mergejoin", "seqscan", "bitmapscan")
    },
}


def _repeated(
    conn: Connection, *, start: date, end: date, as_at: str | None, card: str | None
) -> list[list[Any]]:
    """Groups of the month's rows, loads aside, with the same card, date, type, amount and
    merchant. Candidates share the content index's date, card and amount, counted in
    the index's order as it streams (no hash of the month's rows)."""
    groups: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    with planner_settings(conn, IN_INDEX_ORDER):
        rows = conn.execute(_repeated_query(start, end, as_at, card)).all()
    for row in rows:
        if row[TYPE] != "LOAD":
            groups[(row[CARD], row[POSTED], row[TYPE], row[PENCE], row[MERCHANT])].append(row)
    return [rows for rows in groups.values() if len(rows) > 1]


def _repeated_query(start: date, end: date, as_at: str | None, card: str | None) -> Select[Any]:
    """The month's rows whose date, card and amount repeat: counted from the content
    index (from the index alone, on SQLite, and on PostgreSQL once a VACUUM has marked
    the pages visible), then only those rows fetched, by the same index."""
    in_month = _posted(start, end, card)
    key = (t.c.posted_on, t.c.card_id, t.c.pence)
    candidates = (
        visible(select(*key).where(in_month), as_at, card)
        .group_by(*key)
        .having(func.count() > 1)
        .subquery()
    )
    on = and_(*(column == candidates.c[column.name] for column in key))
    return visible(select(*_FLAG_COLUMNS).join(candidates, on).where(in_month), as_at, card)


def _posted(start: date, end: date, card: str | None) -> ColumnElement[bool]:
    """Rows posted in [start, end): by the day when one card is asked, so the content
    index (posted date, then card) finds its rows day by day, not the whole range's."""
    if card is None:
        return and_(t.c.posted_on >= start, t.c.posted_on < end)
    return t.c.posted_on.in_([start + timedelta(days=n) for n in range((end - start).days)])
