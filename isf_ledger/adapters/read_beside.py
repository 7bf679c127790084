"""A report's longer reads run beside the rest of it, on PostgreSQL.

A report that is mostly Python over a few reads (the card reconciliation:
5,000 cards' records built from its queries) waits on each read in turn, and
the database waits on Python in between. On PostgreSQL the reads the rest
does not need at once (the month's repeated card rows, its loads) can run on
connections of their own, in threads that mostly wait on the server, while
the report goes on; each costs a connection from the pool and a thread.

That changes nothing a reader could see: at PostgreSQL's read-committed
level each statement already reads what was committed when it began, on one
connection or several. Not for a read that must see its own transaction's
uncommitted rows (the exceptions refresh, inside an import or a batch), and
not on SQLite, whose reads within a transaction share one snapshot and which
runs one statement at a time: there a read runs on the caller's connection
when its result is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import Connection

# Starts a read (a function of a connection) and gives a function for its result.
Start = Callable[[Callable[[Connection], Any]], Callable[[], Any]]


def inline(conn: Connection) -> Start:
    """Reads run on `conn` when their result is asked for."""
    return lambda read: partial(read, conn)


@contextmanager
def reads_beside(conn: Connection, reads: int) -> Iterator[Start]:
    """Starts up to `reads` reads at once: on PostgreSQL each at once on another
    connection of `conn`'s engine (its result waited for when asked; the block's end
    waits for them all); elsewhere `inline`."""
    if conn.dialect.name != "postgresql":
        yield inline(conn)
        return

    def run(read: Callable[[Connection], Any]) -> Any:
        with conn.engine.connect() as other:
            return read(other)

    with ThreadPoolExecutor(max_workers=reads, thread_name_prefix="read-beside") as pool:
        yield lambda read: pool.submit(run, read).result
