"""The exceptions refresh after card imports alone: what they can change, and no more.

A card import only adds rows (and their month sums) to cards' months. Of one
card, a month X's exceptions read (`card_reconciliation`, `exception_rules`):

- the flags (blocked merchant, cash over limit, possible duplicate): X's own
  rows (the cash limit: X's cash);
- missing and unexpected loads: the card's loads and payments from X's first
  day less `load_match_days` to its last day plus them;
- balance-difference: X's reported closing (its last row) and computed
  closing (the sums of every month before X and of X); surplus: the computed
  closing and the card's weekly share (schedules and budgets, which an import
  does not touch).

So rows added to a card on day d change, of that card only: every kind in the
months from month_of(d - window) to month_of(d + window); in later months,
the balance kinds alone (their opening moved); nothing in earlier months. No
agreement's statement reads card rows.

Hence, when every audit trail row since the last refresh is a card import and
no month is added to those examined: the cards the imports added rows to
(their month sums, by import, say which cards and months) are examined, in
full (`card_exceptions`) in the months around those months (widened by the
window), and for `BALANCE_KINDS` only, from the month sums with no pass over
rows, in every other month after the first of them up to the last examined.
A stored exception of another kind in such a month stands as it is. All
within the months examined before; a month the imports add to those (rows
after the horizon) is new, so `exception_refresh` examines it for every
subject.
The months are raised and stored one at a time, and of each a slice of
cards at a time (`CardExceptions.slices`), so memory stays flat.
`tests/integration/test_import_refresh.py` checks the result against a full
refresh.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import Connection, select

from isf_ledger.adapters.card_store.tables import card_imports, card_month_totals
from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.domain.periods import month_days
from isf_ledger.projections.audit_trail import audit_trail
from isf_ledger.reports.card_exceptions import CardExceptions
from isf_ledger.reports.card_surplus import weekly_shares
from isf_ledger.reports.exception_rules import BALANCE_KINDS, CARD_KINDS, Raised
from isf_ledger.reports.exception_span import CARD_IMPORT, Span, month_of, months_from
from isf_ledger.settings import Settings


def imported_months(conn: Connection, after: int) -> dict[str, set[str]] | None:
    """The months each card had rows added to by the audit trail's rows after `after`,
    when every one of them is a card import; None when any is not (or there are none)."""
    t = audit_trail
    rows = conn.execute(select(t.c.type, t.c.data).where(t.c.position > after)).all()
    if not rows or any(row.type != CARD_IMPORT for row in rows):
        return None
    ids = sorted({json.loads(row.data)["card_import_id"] for row in rows})
    m, i = card_month_totals, card_imports
    query = (
        select(m.c.card_id, m.c.month)
        .join(i, i.c.id == m.c.import_id)
        .where(i.c.card_import_id.in_(ids))
        .distinct()
    )
    touched: dict[str, set[str]] = {}
    for card_id, month in conn.execute(query):
        touched.setdefault(card_id, set()).add(month)
    return touched


def _full_months(months: set[str], window: timedelta) -> set[str]:
    """The months whose loads matching can reach rows of `months` (every kind can move)."""
    full: set[str] = set()
    for month in months:
        first, last = month_days(month)
        full.update(months_from(month_of(first - window), month_of(last + window)))
    return full


def raised_after_import(
    conn: Connection,
    app: LedgerApp,
    settings: Settings,
    touched: dict[str, set[str]],
    span: Span,
    size: int,
) -> Iterator[tuple[str, tuple[str | None, str | None], dict[str, Raised], frozenset[str]]]:
    """(month, a slice's card ids, what it raises about the touched cards in it, the
    kinds examined) for each month the imports can have changed, in order (see the
    module's note), a slice of about `size` exceptions at a time
    (`CardExceptions.slices`)."""
    added = set().union(*touched.values())
    if not added or not span.first:
        return
    full = _full_months(added, timedelta(days=settings.load_match_days))
    months = [
        month
        for month in months_from(max(span.first, min(full)), span.through)
        if month in full or month > min(added)
    ]
    one = next(iter(touched)) if len(touched) == 1 else None
    weekly = weekly_shares(conn, app, one, None)
    by_cards = CardExceptions(conn, settings, weekly, card=one)
    for month in months:
        rows = month in full  # else the balance kinds alone
        kinds = CARD_KINDS if rows else BALANCE_KINDS
        for card_ids, raised in by_cards.slices(month, size, touched.keys(), rows=rows):
            yield month, card_ids, {r.exception_id: r for r in raised}, kinds
