"""Each card's balances for a month, from the month sums alone (`card_store/month_totals`).

Opening, the month's totals by type and the reported closing are read from
the sums each import kept by card and month, never from the rows: the
reconciliation reads them so, and so does the exceptions refresh after an
import for the months after those it added rows to, where only balances can
have moved (`import_refresh`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Select, func, select

from isf_ledger.adapters.card_store.month_totals import TOTALS
from isf_ledger.adapters.card_store.tables import card_month_totals as m
from isf_ledger.domain.surplus import surplus_above
from isf_ledger.projections.ledger_legs import from_pence

NAMES = [name for name, _ in TOTALS]


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
) -> tuple[dict[str, dict[str, int]], dict[str, int | None]]:
    """(each card's opening and month totals, its reported closing), from the import-time
    sums by card and month, not the rows; `visible` narrows a query of the sums (`as_at`,
    one card)."""
    query = select(m.c.card_id, func.sum(m.c.pence)).where(m.c.month < month)
    query = visible(query).group_by(m.c.card_id)
    totals: dict[str, dict[str, int]] = {
        card_id: {"opening": int(pence)} for card_id, pence in conn.execute(query).all()
    }
    query = select(
        m.c.card_id, m.c.last_posted, m.c.last_id, m.c.last_balance, *(m.c[n] for n in NAMES)
    ).where(m.c.month == month)
    last: dict[str, tuple[date, int, int | None]] = {}
    # Plain tuples by position: a named lookup per total per row costs more than the sums.
    for card_id, posted, last_id, balance, *by_type in conn.execute(visible(query)).all():
        sums = totals.get(card_id)
        if sums is None:
            sums = totals[card_id] = {"opening": 0}
        for name, pence in zip(NAMES, by_type, strict=True):
            sums[name] = sums.get(name, 0) + pence
        at = (posted, last_id, balance)
        if card_id not in last or at[:2] > last[card_id][:2]:
            last[card_id] = at
    return totals, {card_id: balance for card_id, (_, _, balance) in last.items()}


def month_balance(
    sums: dict[str, int],
    closing: int | None,
    threshold: Decimal,
    pounds: Callable[[int], Decimal],
) -> tuple[list[int], Decimal, Decimal | None, Decimal]:
    """(the month's totals by type in `NAMES` order, computed closing, difference from the
    reported `closing`, surplus above `threshold`) of one card's sums."""
    by_type = [sums.get(name, 0) for name in NAMES]
    computed = sums.get("opening", 0) + sum(by_type)
    computed_closing = pounds(computed)
    difference = None if closing is None else pounds(closing - computed)
    return by_type, computed_closing, difference, surplus_above(computed_closing, threshold)
