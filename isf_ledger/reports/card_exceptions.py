"""What every card's month raises as exceptions, without building its report.

The exceptions refresh needs thousands of cards' months a refresh, and of most
of them only a balance kind (a surplus, mostly: a card with no schedule has
all of its balance as surplus). So no `CardMonth` is built: the database sums
each card's computed closing (`card_balances.Closings`), Python compares it
with the reported closing and the card's surplus threshold in pence, and makes
a Decimal only for an amount raised; the row kinds come from the month's
findings (`row_findings`), for the few cards that have any. The rules are the
reconciliation's own (`raised_by_card`, as a `CardMonth` is built), so the
table and the report's exception ids cannot disagree.

A month at full size raises a hundred thousand exceptions (every load of a
card with no payments is unexpected), so they come a slice of cards at a
time (`slices`), each card's made as it comes: a refresh stores a slice and
lets it go, and holds only the month's findings, not its exceptions.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from decimal import Decimal

from sqlalchemy import Connection

from isf_ledger.adapters.card_store.tables import card_month_totals as m
from isf_ledger.projections.ledger_legs import from_pence
from isf_ledger.reports.card_balances import Closings, month_balance, thresholds
from isf_ledger.reports.card_findings import RowFindings, row_findings, visible
from isf_ledger.reports.card_reconciliation import issued_by, issued_cards
from isf_ledger.reports.exception_rules import Raised, raised_by_card
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

    def slices(
        self, month: str, size: int | None, cards: Collection[str] | None, *, rows: bool = True
    ) -> Iterator[tuple[tuple[str | None, str | None], list[Raised]]]:
        """What the month raises on `cards` (None: all; `rows` False: the balance kinds
        alone) a slice of cards at a time: ((the slice's first card id, the first id
        after it; None: no bound), about `size` exceptions (None: all), a card's all in
        one slice).
        The slices' ids cover every card id, raising anything or not, so storing each
        with its own `Scope.card_ids` marks gone what the month no longer raises, and a
        refresh never holds a month's exceptions at once."""
        first: str | None = None
        raised: list[Raised] = []
        for card_id, of_card in self._by_card(month, cards, rows=rows):
            if size is not None and len(raised) >= size:
                yield (first, card_id), raised
                first, raised = card_id, []
            raised += of_card
        yield (first, None), raised

    def _by_card(
        self, month: str, cards: Collection[str] | None, *, rows: bool
    ) -> Iterator[tuple[str, list[Raised]]]:
        """(card id, what the month raises on it), in card id order, for each card with
        sums or findings (of `cards`, or all); `rows` False: the balance kinds alone.
        A card's exceptions are made as it comes: the findings are the smaller."""
        computed, reported, cash = self._closings.of(month)
        found, with_rows = self._findings(month, computed, reported, cash) if rows else NONE
        keys = computed.keys() | with_rows
        limits = self._thresholds
        for card_id in sorted(keys if cards is None else keys & set(cards)):
            difference: int | None = None
            surplus = 0
            if card_id in computed:
                difference, surplus = month_balance(
                    computed[card_id], reported.get(card_id), limits.get(card_id, 0)
                )
            listed = card_id in with_rows  # the others raise no row kinds
            if not (listed or difference or surplus):
                yield card_id, []  # most cards, most months: no Decimal made
                continue
            of = found if listed else NONE[0]
            shown = from_pence(difference) if difference else None
            flagged, missing = of.flagged.get(card_id, ()), of.missing.get(card_id, ())
            unexpected = of.unexpected.get(card_id, ())
            raised = raised_by_card(
                card_id, flagged, missing, unexpected, shown, from_pence(surplus), month
            )
            yield card_id, raised

    def _findings(
        self,
        month: str,
        computed: Mapping[str, int],
        reported: Mapping[str, int | None],
        cash: Mapping[str, int],
    ) -> tuple[RowFindings, set[str]]:
        """The month's findings from its rows and loads (`row_findings`), and the cards
        whose findings are raised."""
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
        return found, (with_rows - unlisted) | issued_by(issued, month)


NONE = (RowFindings({}, {}, {}, {}), set[str]())  # no findings: the balance kinds alone
