"""Fresh planner statistics on PostgreSQL after bulk changes.

Where autovacuum is off (some managed and test servers have it so), a table
filled in bulk is never analysed. The planner then guesses tens of thousands
of events per aggregate and hands a ten-row lookup to parallel workers: a
person statement took 12 ms instead of 7. So after a batch of commands, an
import or a rebuild, every table of the ledger's schema that has grown by
more than a tenth (and 64 kB) since it was last analysed is analysed now.
Growth is read from the table's size on disk, which is always current; the
activity counters autovacuum uses reach other sessions only seconds later.
With autovacuum on, this rarely finds a table to analyse.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

_STALE = text(
    """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind = 'r'
      AND pg_relation_size(c.oid) / current_setting('block_size')::int
          > 1.1 * greatest(c.relpages, 0) + 8
    ORDER BY c.relname"""
)


def refresh_statistics(engine: Engine) -> list[str]:
    """Analyse the tables whose statistics are stale; returns their names."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.begin() as conn:
        stale = list(conn.scalars(_STALE))
        for table in stale:
            conn.exec_driver_sql(f'ANALYZE "{table}"')
    return stale
