"""Each card's balances for a month, from the month sums alone (`card_store/month_totals`).

Opening, the month's totals by type and the reported closing are read from
the sums each import kept by card and month, never from the rows: the
reconciliation reads them so, and so does the exceptions refresh after an
import for the months after those it added rows to, where only balances can
have moved (`import_refresh`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, func, select

from isf_ledger.adapters.card_store.month_totals import TOTALS
from isf_ledger.adapters.card_store.tables import card_month_totals as m
from isf_ledger.domain.surplus import surplus_above
from isf_ledger.projections.ledger_legs import from_pence

NAMES = [name for name, _ in TOTALS]
# A card's sums: [opening, then the month's totals in `NAMES` order], in pence. A list
# by position: thousands of cards' months, each read in full, no name looked up.
OPENING, ATM = 0, 1 + NAMES.index("atm")
NONE = (0,) * (1 + len(NAMES))  # a card with no sums (issued, never used)


class _Pounds(dict[int, Decimal]):
    """Amounts already turned into pounds; a miss is worked out once (`__missing__`)."""

    def __missing__(self, pence: int) -> Decimal:
        found = self[pence] = from_pence(pence)
        return found


def pounds_of() -> Callable[[int], Decimal]:
    """`from_pence`, remembering what it gave: thousands of cards' months ask for the
    same few amounts (nothing, most of all) tens of thousands of times. A dict's own
    lookup, called as a function: no Python frame for a hit."""
    return _Pounds().__getitem__


def card_totals(
    conn: Connection, month: str, visible: Callable[[Select[Any]], Select[Any]]
) -> tuple[dict[str, list[int]], dict[str, int | None]]:
    """(each card's sums: opening, then month totals (see `NONE`), its reported closing),
    from the import-time sums by card and month, not the rows; `visible` narrows a query
    of the sums (`as_at`, one card)."""
    query = select(m.c.card_id, func.sum(m.c.pence)).where(m.c.month < month)
    query = visible(query).group_by(m.c.card_id)
    totals = {card_id: [int(pence), *NONE[1:]] for card_id, pence in conn.execute(query).all()}
    query = select(
        m.c.card_id, m.c.last_posted, m.c.last_id, m.c.last_balance, *(m.c[n] for n in NAMES)
    ).where(m.c.month == month)
    last: dict[str, tuple[date, int, int | None]] = {}
    for card_id, posted, last_id, balance, *by_type in conn.execute(visible(query)).all():
        sums = totals.get(card_id)
        if sums is None:
            sums = totals[card_id] = list(NONE)
        for at, pence in enumerate(by_type, start=1):
            sums[at] += pence
        latest = (posted, last_id, balance)
        if card_id not in last or latest[:2] > last[card_id][:2]:
            last[card_id] = latest
    return totals, {card_id: balance for card_id, (_, _, balance) in last.items()}


def month_balance(
    sums: Sequence[int],
    closing: int | None,
    threshold: Decimal,
    pounds: Callable[[int], Decimal],
) -> tuple[Decimal, Decimal | None, Decimal]:
    """(computed closing, difference from the reported `closing`, surplus above
    `threshold`) of one card's sums (see `NONE`)."""
    computed = sum(sums)
    computed_closing = pounds(computed)
    difference = None if closing is None else pounds(closing - computed)
    return computed_closing, difference, surplus_above(computed_closing, threshold)
