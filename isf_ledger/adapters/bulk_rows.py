"""Many rows into one table at once, the fastest way each database takes them.

SQLAlchemy's `insert()` with a list of dicts processes every parameter of
every row in Python, which is most of the cost when a rebuild projects
hundreds of thousands of events or an import stages millions of card rows.
These go straight to the driver inside the caller's transaction: SQLite's
`executemany` and PostgreSQL's `COPY`. Values are plain: text, integers,
`None`, and dates as ISO text (what SQLite stores and `COPY` reads).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert `rows` (tuples in the order of `columns`) into `table`."""
    if not rows:
        return
    driver: Any = conn.connection.driver_connection
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        with driver.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    cur = driver.cursor()
    try:
        cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    finally:
        cur.close()


def plain_row(values: Iterable[Any]) -> tuple[Any, ...]:
    """A row's values as `insert_rows` takes them: dates as ISO text."""
    return tuple(v.isoformat() if isinstance(v, date) else v for v in values)
