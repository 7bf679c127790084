"""What every card's month raises as exceptions, without building its report.

The exceptions refresh needs thousands of cards' months a refresh, and of most
of them only a balance kind (a surplus, mostly: a card with no schedule has
all of its balance as surplus). So no `CardMonth` is built: the database sums
each card's computed closing (`card_balances.Closings`), Python compares it
with the reported closing and the card's surplus threshold in pence, and makes
a Decimal only for an amount raised; the row kinds come from the month's
findings (`row_findings`), for the few cards that have any. The rules are the
reconciliation's own (`raised_by_rows`, `raised_by_balance`, which
`raised_by_card` puts together as a `CardMonth` is built), so the table and
the report's exception ids cannot disagree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal

from sqlalchemy import Connection

from isf_ledger.adapters.card_store.tables import card_month_totals as m
from isf_ledger.projections.ledger_legs import from_pence
from isf_ledger.reports.card_balances import Closings, month_balance, thresholds
from isf_ledger.reports.card_findings import row_findings, visible
from isf_ledger.reports.card_reconciliation import issued_by, issued_cards
from isf_ledger.reports.exception_rules import Raised, raised_by_balance, raised_by_rows
from isf_ledger.settings import Settings


class CardExceptions:
    """What the cards (or one card) raise, month after month in order, for one refresh:
    the cards issued and their surplus thresholds read once, the closings kept running."""

    def __init__(
        self,
        conn: Connection,
        settings: Settings,
        weekly: Mapping[str, Decimal],
        *,
        card: str | None = None,
        as_at: str | None = None,
    ):
        self._conn, self._settings, self._card, self._as_at = conn, settings, card, as_at
        self._thresholds = thresholds(settings.surplus_weeks, weekly)
        self._issued = issued_cards(conn, as_at, card)
        self._closings = Closings(conn, lambda q: visible(q, as_at, card, m))

    def raised(self, month: str) -> list[Raised]:
        """Every exception the month's reconciliation raises on its cards."""
        computed, reported, cash = self._closings.of(month)
        found = row_findings(
            self._conn,
            month,
            self._settings,
            cash=cash,
            mccs=self._closings.codes,
            card=self._card,
            as_at=self._as_at,
            has_rows=bool(reported),  # a card's month with rows has a reported closing
        )
        with_rows = found.flagged.keys() | found.missing.keys() | found.unexpected.keys()
        # The report lists the cards with sums and those issued by the month's end: a
        # payment to any other card is in no card's month.
        unlisted = with_rows - computed.keys()
        issued = {c: self._issued[c] for c in unlisted if c in self._issued}
        raised = []
        for card_id in sorted((with_rows - unlisted) | issued_by(issued, month)):
            flagged = found.flagged.get(card_id, ())
            missing = found.missing.get(card_id, ())
            unexpected = found.unexpected.get(card_id, ())
            raised += raised_by_rows(card_id, flagged, missing, unexpected, month)
        return raised + self._balances(month, computed, reported, None)

    def balances_raised(self, month: str, cards: Collection[str]) -> list[Raised]:
        """The balance kinds alone (`BALANCE_KINDS`) the month raises on `cards`."""
        computed, reported, _ = self._closings.of(month)
        return self._balances(month, computed, reported, cards)

    def _balances(
        self,
        month: str,
        computed: Mapping[str, int],
        reported: Mapping[str, int | None],
        cards: Collection[str] | None,
    ) -> list[Raised]:
        raised = []
        limits = self._thresholds
        for card_id in sorted(computed if cards is None else computed.keys() & cards):
            difference, surplus = month_balance(
                computed[card_id], reported.get(card_id), limits.get(card_id, 0)
            )
            if difference or surplus:
                shown = from_pence(difference) if difference else None
                raised += raised_by_balance(card_id, shown, from_pence(surplus), month)
        return raised
