"""What every card's month raises as exceptions, without building its report.

The exceptions refresh needs thousands of cards' months a refresh, and of most
of them only a balance kind (a surplus, mostly: a card with no schedule has
all of its balance as surplus). So no `CardMonth` is built: the database sums
each card's computed closing (`card_closings`), Python compares it with the
reported closing and the card's surplus threshold in pence, and makes a
Decimal only for an amount raised; the row kinds come from the month's
findings (`row_findings`), for the few cards that have any. What is raised,
amounts and order within a card included, is what `raised_by_card` reads off
the reconciliation (`tests/integration/test_exceptions_current.py`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from sqlalchemy import Connection

from isf_ledger.adapters.card_store.tables import card_month_totals as m
from isf_ledger.projections.ledger_legs import from_pence
from isf_ledger.reports.card_balances import card_closings, month_balance
from isf_ledger.reports.card_reconciliation import issued_by, row_findings, visible
from isf_ledger.reports.exception_rules import Raised, raised_by_balance, raised_by_rows
from isf_ledger.settings import Settings


def raised_by_cards(
    conn: Connection,
    month: str,
    settings: Settings,
    *,
    thresholds: Mapping[str, int],
    issued: Mapping[str, date | None],
    card: str | None = None,
    as_at: str | None = None,
) -> list[Raised]:
    """Every exception the month's reconciliation raises on its cards (or one card).

    `thresholds`: each card's surplus threshold in pence (`card_balances.thresholds`);
    `issued`: the cards issued, with their dates (`issued_cards`), read once a refresh.
    """
    computed, reported = card_closings(conn, month, lambda q: visible(q, as_at, card, m))
    found = row_findings(conn, month, settings, card=card, as_at=as_at)
    with_rows = found.flagged.keys() | found.missing.keys() | found.unexpected.keys()
    # The report lists the cards with sums and those issued by the month's end: a
    # payment to any other card is in no card's month.
    unlisted = with_rows - computed.keys()
    listed = (with_rows - unlisted) | issued_by(
        {c: issued[c] for c in unlisted if c in issued}, month
    )
    raised = []
    for card_id in sorted(listed):
        flagged = found.flagged.get(card_id, ())
        missing = found.missing.get(card_id, ())
        unexpected = found.unexpected.get(card_id, ())
        raised += raised_by_rows(card_id, flagged, missing, unexpected, month)
    return raised + _balances_raised(computed, reported, thresholds, month, None)


def balances_raised(
    conn: Connection,
    month: str,
    thresholds: Mapping[str, int],
    cards: Collection[str],
    *,
    card: str | None = None,
) -> list[Raised]:
    """The balance kinds alone (`BALANCE_KINDS`) the month raises on `cards`."""
    computed, reported = card_closings(conn, month, lambda q: visible(q, None, card, m))
    return _balances_raised(computed, reported, thresholds, month, cards)


def _balances_raised(
    computed: Mapping[str, int],
    reported: Mapping[str, int | None],
    thresholds: Mapping[str, int],
    month: str,
    cards: Collection[str] | None,
) -> list[Raised]:
    raised = []
    for card_id in sorted(computed if cards is None else computed.keys() & cards):
        difference, surplus = month_balance(
            computed[card_id], reported.get(card_id), thresholds.get(card_id, 0)
        )
        if difference or surplus:
            shown = from_pence(difference) if difference else None
            raised += raised_by_balance(card_id, shown, from_pence(surplus), month)
    return raised
