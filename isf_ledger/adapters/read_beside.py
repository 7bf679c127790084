"""One read of a report run beside the rest of it, on PostgreSQL.

A report that is mostly Python over a few reads (the card reconciliation:
5,000 cards' records built from its queries) waits on each read in turn, and
the database waits on Python in between. On PostgreSQL a long read that the
rest does not need until late (the month's repeated card rows) can run on a
connection of its own, in a thread that mostly waits on the server, while
the report goes on; it costs a connection from the pool and a thread.

That changes nothing a reader could see: at PostgreSQL's read-committed
level each statement already reads what was committed when it began, on one
connection or two. Not for a read that must see its own transaction's
uncommitted rows (the exceptions refresh, inside an import or a batch), and
not on SQLite, whose reads within a transaction share one snapshot and which
runs one statement at a time: there the read runs on the caller's connection
when its result is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection

T = TypeVar("T")


@contextmanager
def read_beside(conn: Connection, read: Callable[[Connection], T]) -> Iterator[Callable[[], T]]:
    """A function giving `read`'s result: on PostgreSQL, `read` started now on another
    connection of `conn`'s engine (the result waited for when asked; the block's end
    waits for it too); elsewhere, `read(conn)` when asked."""
    if conn.dialect.name != "postgresql":
        yield lambda: read(conn)
        return

    def run() -> T:
        with conn.engine.connect() as other:
            return read(other)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-beside") as pool:
        yield pool.submit(run).result
