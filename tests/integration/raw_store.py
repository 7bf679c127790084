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
    dump = []
    with psycopg.connect(host=db.host, port=db.port, user=db.user, dbname=db.dbname) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (db.schema,)
        ).fetchall()
        assert len(tables) > 5
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM "{db.schema}"."{table}"'):
                dump += [
                    bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row
                ]
    return b"\n".join(dump)
