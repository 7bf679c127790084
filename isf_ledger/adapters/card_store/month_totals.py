"""Each import's card rows summed by card and posted month, for the reconciliation.

Reconciling every card for a month needs each card's opening balance, which
is every row it has before the month: summed on each reconciliation, that is
a pass over millions of rows. The sums change only when an import adds rows,
so the import sums its own rows (one GROUP BY over them, in its transaction,
`add_month_totals`) and the reconciliation reads cards x months x imports
rows instead.

- Keyed by import, so `--as-at` (the imports recorded by then) is as exact
  from the sums as from the rows.
- Each group keeps its last row by (posted date, id) and that row's running
  balance: the month's reported closing is the latest of its groups'.
- Nothing but an import adds card rows and nothing changes or removes them;
  `rebuild_month_totals` makes the sums again from `card_transactions`, and
  the migration that added the table filled it the same way.
"""

from __future__ import annotations

from sqlalchemy import Connection, case, delete, func, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from isf_ledger.adapters.card_store.tables import card_month_totals, card_transactions

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


def month_of(conn: Connection, day: ColumnElement[object]) -> ColumnElement[str]:
    """`YYYY-MM` of a date column, in the database's own words."""
    if conn.dialect.name == "postgresql":
        return func.to_char(day, "YYYY-MM")
    return func.substr(day, 1, 7)  # SQLite keeps dates as ISO text


def add_month_totals(conn: Connection, import_id: int | None = None) -> int:
    """Sum one import's rows (every import's, when None) by card and month into
    `card_month_totals`, in the caller's transaction; returns how many rows were summed."""
    month = month_of(conn, t.c.posted_on)
    sums = select(
        t.c.import_id,
        t.c.card_id,
        month,
        func.count(),
        func.sum(t.c.pence),
        *(func.sum(case((t.c.type == kind, t.c.pence), else_=0)) for _, kind in TOTALS),
        func.max(t.c.posted_on),
        func.max(t.c.id),  # a placeholder until the last day's last row is known
    ).group_by(t.c.import_id, t.c.card_id, month)
    mine = m.c.import_id == import_id
    if import_id is not None:
        sums = sums.where(t.c.import_id == import_id)
    names = ["import_id", "card_id", "month", "row_count", "pence", *(n for n, _ in TOTALS)]
    conn.execute(insert(m).from_select([*names, "last_posted", "last_id"], sums))
    last_id = (
        select(func.max(t.c.id))
        .where(
            t.c.card_id == m.c.card_id,
            t.c.posted_on == m.c.last_posted,
            # `+ 0`: the import's index would find every row of the import, not the day's.
            t.c.import_id + 0 == m.c.import_id,
        )
        .scalar_subquery()
    )
    balance = select(t.c.balance_pence).where(t.c.id == m.c.last_id).scalar_subquery()
    for values in ({"last_id": last_id}, {"last_balance": balance}):
        query = update(m).values(**values)
        conn.execute(query if import_id is None else query.where(mine))
    total = select(func.coalesce(func.sum(m.c.row_count), 0))
    return int(conn.scalar(total if import_id is None else total.where(mine)) or 0)


def rebuild_month_totals(conn: Connection) -> int:
    """Every import's sums again from the stored rows; returns how many rows were summed."""
    conn.execute(delete(m))
    return add_month_totals(conn)
