"""Card transactions for other reports: the person statement's spending, the journal.

The journal export takes every card transaction except loads. A load is the
card's side of a payment the ledger already holds (council -> `card:<id>`
in `ledger_legs`), so exporting it too would count the money twice; a load
with no payment behind it is what `reconcile cards` reports as unexpected,
and stays out of the journal until the payment is recorded. Every other row
moves money between the card and what its holder spent: `card:<id>` takes
the row's signed amount and `cardspend:<id>` the opposite (a purchase of
12.50 is card -12.50, cardspend +12.50; a refund the reverse).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, case, func, select

from isf_ledger.adapters.card_store.tables import card_imports, card_transactions
from isf_ledger.adapters.journal import JournalEntry
from isf_ledger.domain.ledger import card, cardspend
from isf_ledger.projections.ledger_legs import from_pence

t = card_transactions
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
    """
    months: dict[str, Decimal] = {}
    for day, pence in sorted(_spending_by_day(conn, card_ids, as_at).items()):
        key = day.strftime("%Y-%m")
        months[key] = months.get(key, Decimal(0)) + _in_pounds(pence)["spent"]
    return months


def _spending_by_day(
    conn: Connection, card_ids: Iterable[str], as_at: str | None
) -> dict[date, dict[str, int]]:
    """Pence by kind and posted day, every kind positive in its own direction."""
    ids = sorted(set(card_ids))
    if not ids:
        return {}
    query = _spending_query(as_at is not None)
    days = {}
    for row in conn.execute(query, {"ids": ids, "as_at": as_at}).all():
        sums = {name: int(row[i + 1] or 0) for i, (name, _) in enumerate(SPENDING)}
        days[row.posted_on] = {
            name: value if name in ("refunds", "reversals") else -value
            for name, value in sums.items()
        }
    return days


@cache
def _spending_query(as_at: bool) -> Select[Any]:
    """The spending query of each shape, built once: building it costs more than running it."""
    columns = [
        func.coalesce(func.sum(case((t.c.type == kind, t.c.pence), else_=0)), 0).label(name)
        for name, kind in SPENDING
    ]
    query = select(t.c.posted_on, *columns).where(t.c.card_id.in_(bindparam("ids", expanding=True)))
    if as_at:
        query = query.where(t.c.import_id.in_(_imported_by(bindparam("as_at"))))
    return query.group_by(t.c.posted_on)


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
    up to then (imported by `as_at`, when given)."""
    query = select(func.coalesce(func.sum(t.c.pence), 0)).where(
        t.c.card_id == card_id, t.c.posted_on <= on
    )
    pence = conn.scalar(_as_at(query, as_at))
    return from_pence(int(pence or 0))
