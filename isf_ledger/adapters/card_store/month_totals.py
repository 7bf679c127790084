"""Each import's card rows summed by card and posted month, for the reconciliation.

Reconciling every card for a month needs each card's opening balance, which
is every row it has before the month: summed on each reconciliation, that is
a pass over millions of rows. The sums change only when an import adds rows,
so the import sums its own rows as it stores them (`month_sums`, in its
transaction) and the reconciliation reads cards x months x imports rows
instead.

- Keyed by import, so `--as-at` (the imports recorded by then) is as exact
  from the sums as from the rows.
- Each group keeps its last row by (posted date, id) and that row's running
  balance: the month's reported closing is the latest of its groups'.
- Each group keeps the set of its rows' merchant category codes (`mccs`): the
  reconciliation reads the rows of a blocked category only for the cards whose
  month holds one.
- Nothing but an import adds card rows and nothing changes or removes them;
  `rebuild_month_totals` makes the sums again from `card_transactions` (one
  GROUP BY, `add_month_totals`, and one for the codes, `add_month_mccs`), and
  the migrations that added the table and the codes filled them the same way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Integer,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.sql.elements import ColumnElement

from isf_ledger.adapters.card_store.tables import card_month_totals, card_transactions
from isf_ledger.adapters.statistics import GROUPING, planner_settings

# The month's totals by type, as the reconciliation reports them.
TOTALS = (
    ("loads", "LOAD"),
    ("purchases", "PURCHASE"),
    ("refunds", "REFUND"),
    ("atm", "ATM"),
    ("fees", "FEE"),
    ("reversals", "REVERSAL"),
)

t = card_transactions
m = card_month_totals


# An id is below 2**40, so day x 2**40 + id orders rows by (posted date, id) in one
# integer, and the largest of a group gives its last row's id back.
_ID_BITS = 2**40


def _month_key(conn: Connection, day: ColumnElement[Any]) -> ColumnElement[Any]:
    """The month of a date, as cheap to group by as the database has: PostgreSQL's
    `to_char` costs more than the rest of the grouping, so it runs once a group."""
    if conn.dialect.name == "postgresql":
        return func.date_trunc("month", cast(day, DateTime))
    return func.substr(day, 1, 7)  # SQLite keeps dates as ISO text: already `YYYY-MM`


def _month_text(conn: Connection, key: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.to_char(key, "YYYY-MM") if conn.dialect.name == "postgresql" else key


def _day_number(conn: Connection, day: ColumnElement[Any]) -> ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return day - literal_column("DATE '0001-01-01'")
    return cast(func.julianday(day), Integer)


def add_month_totals(conn: Connection) -> int:
    """Sum every import's rows by card and month into `card_month_totals`, in the
    caller's transaction; returns how many rows were summed.

    One grouping pass over the rows, and a lookup by id for each group's
    last row's balance."""
    key = _month_key(conn, t.c.posted_on)
    order = _day_number(conn, t.c.posted_on) * _ID_BITS + t.c.id
    sums = select(
        t.c.import_id,
        t.c.card_id,
        key.label("key"),
        func.count().label("row_count"),
        func.sum(t.c.pence).label("pence"),
        *(func.sum(case((t.c.type == kind, t.c.pence), else_=0)).label(n) for n, kind in TOTALS),
        func.max(t.c.posted_on).label("last_posted"),
        (func.max(order) % _ID_BITS).label("last_id"),
    ).group_by(t.c.import_id, t.c.card_id, key)
    g = sums.subquery()
    # A lookup by id for each group (a join here is planned as a scan of every row).
    balance = select(t.c.balance_pence).where(t.c.id == g.c.last_id).scalar_subquery()
    rows = select(
        g.c.import_id,
        g.c.card_id,
        _month_text(conn, g.c.key),
        g.c.row_count,
        g.c.pence,
        *(g.c[n] for n, _ in TOTALS),
        g.c.last_posted,
        g.c.last_id,
        balance,
    )
    names = ["import_id", "card_id", "month", "row_count", "pence", *(n for n, _ in TOTALS)]
    with planner_settings(conn, GROUPING):
        conn.execute(
            insert(m).from_select([*names, "last_posted", "last_id", "last_balance"], rows)
        )
    return int(conn.scalar(select(func.coalesce(func.sum(m.c.row_count), 0))) or 0)


def add_month_mccs(conn: Connection) -> None:
    """Fill each group's `mccs` from its stored rows, in the caller's transaction: the
    codes sorted on PostgreSQL; SQLite's `group_concat` keeps no order (a set either
    way, as the reconciliation reads it). Apart from `add_month_totals`, which the
    migration that added the table runs before the column was there."""
    key = _month_key(conn, t.c.posted_on)
    codes: ColumnElement[Any] = (
        literal_column("string_agg(DISTINCT mcc, ',' ORDER BY mcc)")
        if conn.dialect.name == "postgresql"
        else func.group_concat(t.c.mcc.distinct())
    )
    g = (
        select(t.c.import_id, t.c.card_id, key.label("key"), codes.label("mccs"))
        .group_by(t.c.import_id, t.c.card_id, key)
        .subquery()
    )
    found = (m.c.import_id == g.c.import_id, m.c.card_id == g.c.card_id)
    with planner_settings(conn, GROUPING):
        conn.execute(
            update(m).values(mccs=g.c.mccs).where(*found, m.c.month == _month_text(conn, g.c.key))
        )


def rebuild_month_totals(conn: Connection) -> int:
    """Every import's sums again from the stored rows; returns how many rows were summed."""
    conn.execute(delete(m))
    summed = add_month_totals(conn)
    add_month_mccs(conn)
    return summed
