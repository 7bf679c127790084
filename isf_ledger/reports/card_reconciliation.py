"""The monthly card reconciliation (`reconcile cards`), for every card at once.

No query sums a card's whole history, and one alone goes through the month's rows (the
repeated keys, in the content index):

- each card's opening balance, the month's totals by type and its reported
  closing come from the sums each import kept by card and month
  (`card_store/month_totals`): cards x months x imports rows, not millions;
- the month's findings from its rows (`card_findings`): the loads of the
  month (and the load-matching window either side, when there are payments)
  from an index of loads; the
  rows of blocked merchant categories and the cash of cards over the limit,
  only for the cards whose month sums hold them; and the month's rows whose
  date, card and amount repeat, counted in the content index's order (read
  beside the rest on PostgreSQL, `reads_beside`).

Matching, the cash limit, duplicates and the report's shape are worked out
in Python over those few rows.

- The month is by `posted_on`. Opening is the sum of the card's transactions
  before the month; the computed closing adds the month's, whose totals by
  type are signed as on the card (money out negative).
- Reported closing is the running balance on the month's last row (by
  posted date, then the order rows were stored, which is file order); null
  when that row has none. `difference = reported - computed`.
- Expected loads are payments made to the card effective in the month, net
  of reversals (`card_loads`). A payment with no
  load of the same amount within `load_match_days` is missing; a load with
  no payment is unexpected (see `matching`; payments and loads up to the
  window either side of the month take part, so a payment on the 30th loaded
  on the 2nd is neither).
- Flags: blocked merchant categories; cash (ATM) once the month's total
  passes the monthly limit; possible duplicates (same card, date, type,
  amount and merchant more than once), which are flags, not errors.
- Status is "ok" when the difference is zero or null and no load is missing
  or unexpected.
- `as_at` leaves out transactions whose import was recorded later, payments
  recorded later, and cards issued later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import Connection, select

from isf_ledger.adapters.card_store.tables import (
    card_month_totals,
    card_transactions,
)
from isf_ledger.adapters.read_beside import reads_beside
from isf_ledger.domain import card_checks
from isf_ledger.domain.money import ZERO
from isf_ledger.domain.periods import month_days
from isf_ledger.projections.card_registry import card_registry
from isf_ledger.projections.ledger_legs import from_pence
from isf_ledger.reports.card_balances import (
    ATM,
    NONE,
    OPENING,
    card_totals,
    month_balance,
    pounds_of,
    thresholds,
)
from isf_ledger.reports.card_findings import (
    MonthFindings,
    month_findings,
    month_reads,
    visible,
)
from isf_ledger.reports.card_month import (
    CardMonth,
    CardReconciliation,
)
from isf_ledger.reports.exception_rules import Raised, RefsOf, raised_by_card, raised_by_rows
from isf_ledger.settings import Settings

t = card_transactions
m = card_month_totals


def reconcile_cards(
    conn: Connection,
    month: str,
    settings: Settings,
    *,
    refs: RefsOf,
    card: str | None = None,
    as_at: str | None = None,
    weekly: Mapping[str, Decimal] | None = None,
) -> CardReconciliation:
    """The `reconcile cards` report of every card (or one) for the month, each card
    with the exceptions it raises (their status by `refs`).

    `weekly` is each card's weekly share of its planned payments (see
    `card_surplus`); a card without one has all of its balance as surplus.
    """
    # The month's repeated rows and its loads, its longest reads, run beside the rest on
    # PostgreSQL, as do the cards issued and their openings (while the month's own sums
    # are read), and the marked rows once the month sums name their cards; the cards'
    # figures are made while the repeated rows are still read, and the flags put in
    # after (first among a card's exceptions, as `raised_by_card`). Four at once: with
    # this connection, the engine's pool's five (a sixth would be made and closed each
    # time); the marked rows' read starts once the cards issued or the openings are in.
    with reads_beside(conn, 4) as start:
        reads = month_reads(start, month, settings, as_at=as_at, card=card)
        issued = start(partial(issued_cards, as_at=as_at, card=card))
        totals, reported, mccs = card_totals(
            conn, month, lambda q: visible(q, as_at, card, m), start=start
        )
        cash = {card_id: sums[ATM] for card_id, sums in totals.items()}
        found = month_findings(
            conn, month, settings, reads, cash=cash, mccs=mccs, card=card, as_at=as_at
        )
        cards = _card_months(month, settings, totals, reported, found, issued(), weekly)
        flagged = found.flagged()
    for figures, raised in cards:
        flags = flagged.get(figures["card_id"])
        if flags:
            figures["flagged"] = flags
            raised[:0] = raised_by_rows(figures["card_id"], flags, (), (), month)
    refs_of = refs([r for _, raised in cards for r in raised])
    return CardReconciliation(
        month, tuple(CardMonth(**figures, exceptions=refs_of(raised)) for figures, raised in cards)
    )


def _card_months(
    month: str,
    settings: Settings,
    totals: Mapping[str, Sequence[int]],
    reported: Mapping[str, int | None],
    found: MonthFindings,
    issued: Mapping[str, date | None],
    weekly: Mapping[str, Decimal] | None,
) -> list[tuple[dict[str, Any], list[Raised]]]:
    """Each card's figures (flags aside) and the exceptions they raise, in card order: the
    cards with sums, and those `issued` by the month's end."""
    card_ids = set(totals) | issued_by(issued, month)
    pounds = pounds_of()
    threshold = thresholds(settings.surplus_weeks, weekly or {})
    cards: list[tuple[dict[str, Any], list[Raised]]] = []
    for card_id in sorted(card_ids):
        sums = totals.get(card_id, NONE)
        closing = reported.get(card_id)
        computed = sum(sums)
        difference, surplus = month_balance(computed, closing, threshold.get(card_id, 0))
        missing_loads = tuple(found.missing.get(card_id, ()))
        unexpected_loads = tuple(found.unexpected.get(card_id, ()))
        # `card_balances.NONE`: opening, then the totals in `NAMES` order. A card's
        # opening, closings, difference and surplus are its own: made straight into
        # pounds, not remembered (`pounds` is for the totals, the same few amounts).
        _, loads_in, purchases, refunds, atm, fees, reversals = map(pounds, sums)
        shown = None if difference is None else from_pence(difference)
        above = from_pence(surplus) if surplus else ZERO
        figures = {
            "card_id": card_id,
            "opening_balance": from_pence(sums[OPENING]),
            "loads": loads_in,
            "purchases": purchases,
            "refunds": refunds,
            "atm": atm,
            "fees": fees,
            "reversals": reversals,
            "computed_closing": from_pence(computed),
            "reported_closing": None if closing is None else from_pence(closing),
            "difference": shown,
            "expected_loads": pounds(found.expected.get(card_id, 0)),
            "missing_loads": missing_loads,
            "unexpected_loads": unexpected_loads,
            "flagged": (),
            "status": card_checks.status(shown, len(missing_loads), len(unexpected_loads)),
            "surplus": above,
        }
        raised = raised_by_card(card_id, (), missing_loads, unexpected_loads, shown, above, month)
        cards.append((figures, raised))
    return cards


def known_card(conn: Connection, card: str, as_at: str | None = None) -> bool:
    """Whether the ledger has issued `card` (by `as_at`), or holds transactions of it."""
    query = select(card_registry.c.card_id).where(card_registry.c.card_id == card)
    if as_at is not None:
        query = query.where(card_registry.c.recorded_at <= as_at)
    if conn.execute(query).first() is not None:
        return True
    # Every stored row is in its import's month sums, which are indexed by card.
    return conn.execute(visible(select(m.c.card_id), as_at, card, m).limit(1)).first() is not None


def issued_cards(conn: Connection, as_at: str | None, card: str | None) -> dict[str, date | None]:
    """Every card issued (by `as_at`; or only `card`), with its issue date when known:
    read once for all the months a refresh examines (`issued_by`)."""
    query = select(card_registry.c.card_id, card_registry.c.issued_on)
    if as_at is not None:
        query = query.where(card_registry.c.recorded_at <= as_at)
    if card is not None:
        query = query.where(card_registry.c.card_id == card)
    return dict(conn.execute(query).tuples().all())  # fetched at once: every card


def issued_by(issued: Mapping[str, date | None], month: str) -> set[str]:
    """The cards of `issued` issued on or before the month's last day (or undated)."""
    last = month_days(month)[1]
    return {card_id for card_id, on in issued.items() if on is None or on <= last}
