"""A report's reads run beside the rest (`adapters/read_beside`): on PostgreSQL each on
a connection of its own, started before it is asked for; on SQLite on the caller's
connection, when asked. Its result, or its error, is the read's own."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from isf_ledger.adapters.read_beside import reads_beside
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings


def test_reads_run_beside_on_postgres_and_inline_on_sqlite(db_url):
    ledger = init_ledger(Settings(db_url=db_url))
    postgres = ledger.engine.dialect.name == "postgresql"
    session = "SELECT pg_backend_pid()" if postgres else "SELECT 1"
    started = [threading.Event(), threading.Event()]

    def read(n, conn):
        started[n].set()
        return threading.current_thread(), conn.execute(text(session)).scalar_one()

    try:
        with ledger.engine.connect() as conn:
            mine = conn.execute(text(session)).scalar_one()
            with reads_beside(conn, 2) as start:
                results = [start(lambda c, n=n: read(n, c)) for n in range(2)]
                # Started before they are asked for on PostgreSQL; not on SQLite.
                for event in started:
                    assert event.wait(5) if postgres else not event.is_set()
                found = [result() for result in results]
            for thread, theirs in found:
                assert (thread is threading.current_thread()) is not postgres
                assert (theirs != mine) is postgres

            def fails(_):
                raise LookupError("the read's own error")

            with pytest.raises(LookupError, match="own error"), reads_beside(conn, 1) as start:
                start(fails)()
    finally:
        ledger.close()
