"""Fresh planner statistics on PostgreSQL after bulk changes.

Where autovacuum is off (some managed and test servers have it so), a table
filled in bulk is never analysed. The planner then guesses tens of thousands
of events per aggregate and hands a ten-row lookup to parallel workers: a
person statement took 12 ms instead of 7. So after a batch of commands, an
import or a rebuild, every table of the ledger's schema that has grown by
more than a tenth (and 64 kB) since it was last analysed is vacuumed and
analysed now. The vacuum marks the new pages all-visible, so the readers that
follow (the exceptions refresh, the reconciliation's counts of repeated card
rows) read the content index alone instead of visiting every row: reconciling
every card of 600,000 rows went from 2.9-3.2x the time of one aggregate
SELECT to 2.5-2.6x, for 0.1 s a 300,000-row import (whose refresh gained more).
Growth is read from the table's size on disk, which is always current; the
activity counters autovacuum uses reach other sessions only seconds later.
With autovacuum on, this rarely finds a table to analyse.

The sample is a tenth of PostgreSQL's default (3,000 rows, not 30,000): what
the planner needs from these statistics is the size of each table and how
many rows a key has, which a small sample gives as well; analysing at the
default took 6% of a 20,000-command batch into a new ledger.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

_STALE = text(
    """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
      AND pg_relation_size(c.oid) / current_setting('block_size')::int
          > 1.1 * greatest(c.relpages, 0) + 8
    ORDER BY c.relname"""
)

SAMPLE_TARGET = 10  # ANALYZE samples 300 rows per unit of the target


def refresh_statistics(engine: Engine) -> list[str]:
    """Analyse the tables whose statistics are stale; returns their names."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.begin() as conn:
        stale = list(conn.scalars(_STALE))
    # Each in a transaction of its own (autocommit): a statement holds its table's lock
    # until commit, and holding one table's while waiting for another's (a batch
    # writing the event store, then its seals) deadlocked with that batch.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f"SET default_statistics_target = {SAMPLE_TARGET}")
        try:
            for table in stale:
                conn.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')
        finally:
            conn.exec_driver_sql("RESET default_statistics_target")
    return stale


@contextmanager
def fresh_statistics(engine: Engine) -> Iterator[None]:
    """Statistics of what was just written before the work inside (the exceptions
    refresh: its queries are planned with them), and of what it wrote after."""
    refresh_statistics(engine)
    yield
    refresh_statistics(engine)


# For a query grouping many card rows into many groups (a month's content, an
# import's sums by card and month): with the default 4 MB the grouping spills to
# disk in batches; a parallel plan of a join to it has every worker build the
# whole grouping again (several times the work on a busy machine); and the
# planner's high cost estimate has JIT compile it, which took longer than the
# query.
GROUPING = {"max_parallel_workers_per_gather": "0", "work_mem": "64MB", "jit": "off"}


@contextmanager
def planner_settings(conn: Connection, settings: dict[str, str]) -> Iterator[None]:
    """PostgreSQL settings for the queries run inside, as they were afterwards
    (`SET LOCAL`, so never past the caller's transaction); nothing on SQLite."""
    if conn.dialect.name != "postgresql":
        yield
        return
    # One round trip to read them and one to set them (and one to put them back): a
    # report setting three pays for three statements, not nine.
    names = list(settings)
    read = ", ".join(f"current_setting(:n{i})" for i in range(len(names)))
    params = {f"n{i}": name for i, name in enumerate(names)}
    was = dict(zip(names, conn.execute(text(f"SELECT {read}"), params).one(), strict=True))
    _set(conn, settings)
    try:
        yield
    finally:
        _set(conn, was)


def _set(conn: Connection, settings: dict[str, str]) -> None:
    """`SET LOCAL` each of `settings`, in one statement."""
    calls = ", ".join(f"set_config(:n{i}, :v{i}, true)" for i in range(len(settings)))
    params: dict[str, str] = {}
    for i, (name, value) in enumerate(settings.items()):
        params |= {f"n{i}": name, f"v{i}": value}
    conn.execute(text(f"SELECT {calls}"), params)
