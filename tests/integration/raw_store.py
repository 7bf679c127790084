"""Every byte a ledger's database holds, to search it or to prove nothing changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

from isf_ledger.adapters.database import parse_url


def raw_store(url: str) -> bytes:
    """Every byte the database holds for the ledger, as near as we can read it."""
    db = parse_url(url)
    if not db.is_postgres:
        with sqlite3.connect(db.path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # The file and its log; not the -shm file, an index of the log that
        # every connection rewrites.
        files = sorted(Path(db.path).parent.glob(Path(db.path).name + "*"))
        return b"".join(f.read_bytes() for f in files if not f.name.endswith("-shm"))
    # Tables by name and rows sorted: PostgreSQL promises no order for either,
    # and a catalog row rewritten by ANALYZE moves its table in pg_tables.
    dump = []
    with psycopg.connect(host=db.host, port=db.port, user=db.user, dbname=db.dbname) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
            (db.schema,),
        ).fetchall()
        assert len(tables) > 5
        for (table,) in tables:
            rows = conn.execute(f'SELECT * FROM "{db.schema}"."{table}"').fetchall()
            dump += [table.encode(), *sorted(b"\x1f".join(_cell(v) for v in row) for row in rows)]
    return b"\n".join(dump)


def _cell(value: object) -> bytes:
    return bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
