"""Each card's balances for a month, from the month sums alone (`card_store/month_totals`).

Opening, the month's totals by type and the reported closing are read from
the sums each import kept by card and month, never from the rows: the
reconciliation reads them so. The exceptions refresh needs only each card's
closings and cash (`Closings`), month after month, and compares them in
pence (`month_balance`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from operator import add
from typing import Any

from sqlalchemy import BigInteger, Connection, Select, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from isf_ledger.adapters.card_store.month_totals import TOTALS
from isf_ledger.adapters.card_store.tables import card_month_totals as m
from isf_ledger.adapters.read_beside import Start, inline
from isf_ledger.projections.ledger_legs import from_pence, to_pence

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


def _sum(pence: ColumnElement[int]) -> ColumnElement[int]:
    """A sum of pence as an integer: PostgreSQL sums `bigint` as `numeric`, and
    thousands of cards' sums read as Decimals cost more than the sums."""
    return cast(func.sum(pence), BigInteger)


def card_totals(
    conn: Connection,
    month: str,
    visible: Callable[[Select[Any]], Select[Any]],
    *,
    start: Start | None = None,
) -> tuple[dict[str, list[int]], dict[str, int | None], dict[str, str]]:
    """(each card's sums: opening, then month totals (see `NONE`), its reported closing,
    its month's merchant category codes (`codes_by_card`)), from the import-time sums by
    card and month, not the rows; `visible` narrows a query of the sums (`as_at`, one
    card). `start` starts the read of the openings (every earlier month's sums) beside
    the month's own (`reads_beside`); by default both are read on `conn`."""
    openings = (start or inline(conn))(partial(_openings, month=month, visible=visible))
    query = select(
        m.c.card_id,
        m.c.last_posted,
        m.c.last_id,
        m.c.last_balance,
        m.c.mccs,
        *(m.c[n] for n in NAMES),
    ).where(m.c.month == month)
    rows = conn.execute(visible(query)).all()
    opening: dict[str, int] = openings()
    totals: dict[str, list[int]] = {}
    for card_id, _, _, _, _, *by_type in rows:
        sums = totals.get(card_id)
        if sums is None:  # most cards' months: one import's group
            totals[card_id] = [opening.get(card_id, 0), *by_type]
        else:
            sums[1:] = map(add, sums[1:], by_type)
    for card_id, pence in opening.items():
        if card_id not in totals:  # no rows in the month
            totals[card_id] = [pence, *NONE[1:]]
    return totals, _reported(rows), codes_by_card(rows)


def _openings(
    conn: Connection, *, month: str, visible: Callable[[Select[Any]], Select[Any]]
) -> dict[str, int]:
    """Each card's balance before `month`: the sum of every earlier month's sums."""
    query = select(m.c.card_id, _sum(m.c.pence)).where(m.c.month < month)
    return dict(conn.execute(visible(query).group_by(m.c.card_id)).tuples().all())


class Closings:
    """Each card's computed and reported closing (pence) month after month, from the
    month sums: all the balance kinds of exceptions need (`card_exceptions`).

    A refresh examines months in order, most with no rows at all: the first month
    sums every month up to it, each later one adds only the months since. The
    database sums and Python keeps one running total a card."""

    def __init__(self, conn: Connection, visible: Callable[[Select[Any]], Select[Any]]):
        self._conn, self._visible = conn, visible
        self._month: str | None = None
        self._computed: dict[str, int] = {}
        self.codes: dict[str, str] = {}

    def of(self, month: str) -> tuple[dict[str, int], dict[str, int | None], dict[str, int]]:
        """(computed closings, reported closings, cash) of `month`, by card; the computed
        are kept, and change with the next month asked, as do the month's merchant
        category codes by card (`codes`, see `codes_by_card`)."""
        query = select(m.c.card_id, _sum(m.c.pence)).where(m.c.month <= month)
        if self._month is not None and self._month <= month:
            query = query.where(m.c.month > self._month)
        else:
            self._computed = {}
        computed = self._computed
        for card_id, pence in self._conn.execute(self._visible(query).group_by(m.c.card_id)):
            computed[card_id] = computed.get(card_id, 0) + pence
        self._month = month
        query = select(
            m.c.card_id, m.c.last_posted, m.c.last_id, m.c.last_balance, m.c.mccs, m.c.atm
        )
        rows = self._conn.execute(self._visible(query.where(m.c.month == month))).all()
        cash: dict[str, int] = {}
        for card_id, _, _, _, _, atm in rows:
            cash[card_id] = cash.get(card_id, 0) + atm
        self.codes = codes_by_card(rows)
        return computed, _reported(rows), cash


def _reported(rows: Sequence[Any]) -> dict[str, int | None]:
    """Each card's reported closing: the balance on the latest (posted date, id) of
    its month's groups, rows of (card, last posted, last id, last balance, ...)."""
    last: dict[str, tuple[date, int, int | None]] = {}
    for card_id, posted, last_id, balance, *_ in rows:
        latest = (posted, last_id, balance)
        if card_id not in last or latest[:2] > last[card_id][:2]:
            last[card_id] = latest
    return {card_id: balance for card_id, (_, _, balance) in last.items()}


def codes_by_card(rows: Sequence[Any]) -> dict[str, str]:
    """Each card's merchant category codes in the month, comma-separated (a code may
    repeat), from rows of (card, last posted, last id, last balance, codes, ...): the
    reconciliation reads the rows of a blocked code only for the cards that have one."""
    codes: dict[str, str] = {}
    for card_id, _, _, _, mccs, *_ in rows:
        codes[card_id] = f"{codes[card_id]},{mccs}" if card_id in codes else mccs
    return codes


def thresholds(weeks: int, weekly: Mapping[str, Decimal]) -> dict[str, int]:
    """Each card's surplus threshold in pence: `weeks` of its weekly share (`card_surplus`).
    A card without a share has none: all of its balance is surplus."""
    return {card_id: to_pence(weeks * share) for card_id, share in weekly.items()}


def month_balance(computed: int, closing: int | None, threshold: int) -> tuple[int | None, int]:
    """(difference of the reported `closing` from the `computed` one, surplus above
    `threshold`), in pence: `domain.surplus.surplus_above` on a card's whole pence, for
    thousands of cards' months with no Decimal but for the figures shown."""
    return None if closing is None else closing - computed, max(0, computed - threshold)


def over_cash_limit(cash: Mapping[str, int], limit: int) -> list[str]:
    """The cards whose cash in the month (ATM, money out: each card's sum, negative)
    passes `limit` pence, sorted: only their cash rows are read (`card_reconciliation`)."""
    return sorted(card_id for card_id, pence in cash.items() if -pence > limit)
