"""A report's read run beside the rest (`adapters/read_beside`): on PostgreSQL on a
connection of its own, started before it is asked for; on SQLite on the caller's
connection, when asked. Its result, or its error, is the read's own."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from isf_ledger.adapters.read_beside import read_beside
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings


def test_the_read_runs_beside_on_postgres_and_inline_on_sqlite(db_url):
    ledger = init_ledger(Settings(db_url=db_url))
    postgres = ledger.engine.dialect.name == "postgresql"
    session = "SELECT pg_backend_pid()" if postgres else "SELECT 1"
    started = threading.Event()

    def read(conn):
        started.set()
        return threading.current_thread(), conn.execute(text(session)).scalar_one()

    try:
        with ledger.engine.connect() as conn:
            mine = conn.execute(text(session)).scalar_one()
            with read_beside(conn, read) as result:
                # Started before it is asked for on PostgreSQL; not on SQLite.
                assert started.wait(5) if postgres else not started.is_set()
                thread, theirs = result()
            assert (thread is threading.current_thread()) is not postgres
            assert (theirs != mine) is postgres

            def fails(_):
                raise LookupError("the read's own error")

            with pytest.raises(LookupError, match="own error"), read_beside(conn, fails) as result:
                result()
    finally:
        ledger.close()
