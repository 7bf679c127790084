"""Card transactions for other reports: the person statement's spending, the journal.

The journal export takes every card transaction except loads. A load is the
card's side of a payment the ledger already holds (council -> `card:<id>`
in `ledger_legs`), so exporting it too would count the money twice; a load
with no payment behind it is what `reconcile cards` reports as unexpected,
and stays out of the journal until the payment is recorded. Every other row
moves money between the card and what its holder spent: `card:<id>` takes
the row's signed amount and `cardspend:<id>` the opposite (a purchase of
12.50 is card -12.50, cardspend +12.50; a refund the reverse).

`card_transactions` has no index by card (its content key leads with the
posted date, for imports), so one card's history is read from the sums each
import kept by card and month (`card_month_totals`, indexed by card), and its
rows only on the days named.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select

from isf_ledger.adapters.card_store.tables import (
    card_imports,
    card_month_totals,
    card_transactions,
)
from isf_ledger.adapters.journal import JournalEntry
from isf_ledger.domain.ledger import card, cardspend
from isf_ledger.projections.ledger_legs import from_pence

t = card_transactions
m = card_month_totals
SPENDING = (
    ("purchases", "PURCHASE"),
    ("atm", "ATM"),
    ("fees", "FEE"),
    ("refunds", "REFUND"),
    ("reversals", "REVERSAL"),
)


def _as_at(query: Select[Any], as_at: str | None) -> Select[Any]:
    if as_at is None:
        return query
    return query.where(t.c.import_id.in_(_imported_by(as_at)))


def _imported_by(as_at: Any) -> Select[Any]:
    """Ids of the imports recorded by `as_at` (text, or a bound parameter)."""
    return select(card_imports.c.id).where(card_imports.c.recorded_at <= as_at)


def card_journal(conn: Connection, as_at: str | None = None) -> Iterator[JournalEntry]:
    """Every card transaction but loads as a journal entry, in (posted date, id) order."""
    query = _as_at(
        select(
            t.c.id, t.c.card_id, t.c.posted_on, t.c.type, t.c.pence, t.c.merchant, t.c.description
        )
        .where(t.c.type != "LOAD", t.c.pence != 0)
        .order_by(t.c.posted_on, t.c.id),
        as_at,
    )
    for row in conn.execute(query.execution_options(yield_per=5000)):
        amount = from_pence(row.pence)
        what = row.merchant or row.description
        yield JournalEntry(
            date=row.posted_on,
            narration=f"Card {row.type.lower()}{': ' + what if what else ''}",
            legs=((card(row.card_id), amount), (cardspend(row.card_id), -amount)),
            ref=f"card-{row.id}",
        )


def card_spending_by_month(
    conn: Connection, card_ids: Iterable[str], *, as_at: str | None = None
) -> dict[str, Decimal]:
    """What the cards' holders spent, net, by posted month (`YYYY-MM`), imported by `as_at`.

    Purchases, cash and fees less refunds and reversals; loads are not spending.
    Every month with a row of the cards is there, from the month sums.
    """
    ids = sorted(set(card_ids))
    if not ids:
        return {}
    months: dict[str, Decimal] = {}
    query = _spending_query(as_at is not None)
    for row in conn.execute(query, {"ids": ids, "as_at": as_at}).all():
        sums = {name: int(row[i + 1] or 0) for i, (name, _) in enumerate(SPENDING)}
        pence = {
            name: value if name in ("refunds", "reversals") else -value
            for name, value in sums.items()
        }
        months[row.month] = _in_pounds(pence)["spent"]
    return months


@cache
def _spending_query(as_at: bool) -> Select[Any]:
    """The spending query of each shape, built once: building it costs more than running it."""
    columns = [func.coalesce(func.sum(m.c[name]), 0).label(name) for name, _ in SPENDING]
    query = select(m.c.month, *columns).where(m.c.card_id.in_(bindparam("ids", expanding=True)))
    if as_at:
        query = query.where(m.c.import_id.in_(_imported_by(bindparam("as_at"))))
    return query.group_by(m.c.month).order_by(m.c.month)


def _in_pounds(pence: dict[str, int]) -> dict[str, Decimal]:
    totals = {name: from_pence(value) for name, value in pence.items()}
    totals["spent"] = (
        totals["purchases"]
        + totals["atm"]
        + totals["fees"]
        - totals["refunds"]
        - totals["reversals"]
    )
    return totals


def card_balance(conn: Connection, card_id: str, on: date, as_at: str | None = None) -> Decimal:
    """What a card holds on `on` by its provider's exports: its transactions posted
    up to then (imported by `as_at`, when given). The months before from their sums,
    the month's days up to `on` from the rows, day by day."""
    first = on.replace(day=1)
    days = [first + timedelta(days=n) for n in range(on.day)]
    params = {"card": card_id, "month": first.strftime("%Y-%m"), "days": days, "as_at": as_at}
    pence = conn.scalar(_balance_query(as_at is not None), params)
    return from_pence(int(pence or 0))


@cache
def _balance_query(as_at: bool) -> Select[Any]:
    before = select(func.coalesce(func.sum(m.c.pence), 0)).where(
        m.c.card_id == bindparam("card"), m.c.month < bindparam("month")
    )
    within = select(func.coalesce(func.sum(t.c.pence), 0)).where(
        t.c.posted_on.in_(bindparam("days", expanding=True)), t.c.card_id == bindparam("card")
    )
    if as_at:
        imported = _imported_by(bindparam("as_at"))
        before = before.where(m.c.import_id.in_(imported))
        within = within.where(t.c.import_id.in_(imported))
    return select(before.scalar_subquery() + within.scalar_subquery())
