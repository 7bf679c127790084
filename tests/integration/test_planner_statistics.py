"""PostgreSQL's planner has statistics for the ledger's tables after a batch.

Without them (autovacuum off, as on this machine) it sent a ten-row event
lookup to parallel workers; `refresh_statistics` analyses grown tables.
"""

from __future__ import annotations

import json

from sqlalchemy import text

from isf_ledger.adapters.statistics import refresh_statistics
from isf_ledger.application.apply import apply_lines
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings

TABLES = ("ledger_events", "audit_trail", "audit_commands")


def _register(n: int) -> str:
    command = {"command_id": f"p{n}", "type": "RegisterPerson", "person_id": f"P{n}"}
    return json.dumps(command | {"authority": "CITY"})


def _rows_known_to_planner(ledger) -> dict[str, float]:  # type: ignore[no-untyped-def]
    with ledger.engine.connect() as conn:
        return dict(
            conn.execute(
                text(
                    "SELECT c.relname, c.reltuples FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relname = ANY(:t)"
                ).bindparams(t=list(TABLES))
            ).all()
        )


def test_a_batch_of_commands_leaves_the_planner_statistics_of_its_tables(pg_url):
    ledger = init_ledger(Settings(db_url=pg_url))
    try:
        with ledger.engine.begin() as conn:
            for table in TABLES:  # as if autovacuum were off, wherever this runs
                conn.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        lines = [_register(n) for n in range(600)]
        result = apply_lines(ledger, list(enumerate(lines, start=1)))
        assert not result.errors
        assert _rows_known_to_planner(ledger) == {
            "ledger_events": 1200,
            "audit_trail": 600,
            "audit_commands": 600,
        }
        assert refresh_statistics(ledger.engine) == []  # nothing grew since
    finally:
        ledger.close()


def test_sqlite_has_nothing_to_refresh(sqlite_url):
    ledger = init_ledger(Settings(db_url=sqlite_url))
    try:
        assert refresh_statistics(ledger.engine) == []
    finally:
        ledger.close()
