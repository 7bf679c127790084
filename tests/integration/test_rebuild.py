"""`projections rebuild` is one transaction giving back the same read models, on both databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Connection, Table, delete, inspect, select, update

from isf_ledger.adapters.event_store import LedgerTranscoder, new_at_rest_key
from isf_ledger.adapters.schema import projection_positions
from isf_ledger.application.apply import apply_lines
from isf_ledger.bootstrap import Ledger, init_ledger
from isf_ledger.projections import runner
from isf_ledger.projections.audit_trail import audit_subjects
from isf_ledger.projections.ledger_legs import ledger_legs
from isf_ledger.settings import Settings
from tests.integration.test_tamper_evidence import LEDGER, lines

MORE = [
    {"command_id": "c8", "type": "RecordPayment", "schedule_id": "S1", "period": 2,
     "paid_on": "2026-05-06", "actor": "finance.officer", "reason": "May"},
    {"command_id": "c9", "type": "ReviseBudget", "budget_id": "B1", "amount": "15000.00",
     "effective": "2026-07-01", "reason": "reassessed again"},
]  # fmt: skip


@pytest.fixture(params=["in clear", "encrypted at rest"])
def ledger(db_url: str, request: pytest.FixtureRequest) -> Iterator[Ledger]:
    key = new_at_rest_key() if request.param == "encrypted at rest" else None
    ledger = init_ledger(Settings(db_url=db_url, at_rest_key=key))
    assert not apply_lines(ledger, lines(LEDGER + MORE)).errors
    yield ledger
    ledger.close()


def read_models(ledger: Ledger) -> dict[str, Any]:
    """Every row, index and position of every read model."""
    found: dict[str, Any] = {}
    with ledger.engine.connect() as conn:
        for p in ledger.projections:
            for t in p.tables:
                found[t.name] = conn.execute(select(t).order_by(*t.primary_key.columns)).all()
                found[f"{t.name} indexes"] = sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in inspect(conn).get_indexes(t.name)
                )
        found["positions"] = conn.execute(select(projection_positions)).all()
    return found


def test_a_rebuild_a_few_events_at_a_time_gives_the_same_rows_indexes_and_positions(ledger):
    before = read_models(ledger)
    assert before["audit_trail"] and before["ledger_legs"] and before["audit_trail indexes"]
    with ledger.engine.begin() as conn:  # a read model gone wrong, for the rebuild to mend
        conn.execute(update(ledger_legs).values(pence=ledger_legs.c.pence + 1))
        conn.execute(delete(audit_subjects))
    # Pages of three: aggregates, parents and commands are met in earlier pages.
    read = runner.rebuild(ledger.engine, ledger.app, ledger.projections, page=3)
    assert isinstance(ledger.app.mapper.transcoder, LedgerTranscoder)  # what decoded them
    assert read == len(before["audit_trail"]) + len(before["audit_commands"])
    assert read_models(ledger) == before


@dataclass
class Probe:
    """A projection with no tables that hands each page's connection to `on_page`."""

    on_page: Callable[[Connection], None]
    name: str = "probe"
    tables: tuple[Table, ...] = ()
    reads: tuple[Table, ...] = ()

    def project(self, conn: Connection, batch: Sequence[runner.Recorded]) -> None:
        self.on_page(conn)


def test_a_rebuild_stopped_part_way_leaves_the_read_models_as_they_were(ledger):
    before = read_models(ledger)
    pages = []

    def give_up_on_the_second_page(conn: Connection) -> None:  # as a killed rebuild would
        pages.append(conn)
        if len(pages) == 2:
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        probe = Probe(give_up_on_the_second_page)
        runner.rebuild(ledger.engine, ledger.app, (*ledger.projections, probe), page=3)
    assert read_models(ledger) == before


def cache_size(conn: Connection) -> tuple[int, int]:
    """Which pooled connection this is, and its SQLite page cache setting."""
    driver = conn.connection.driver_connection
    return id(driver), int(conn.exec_driver_sql("PRAGMA cache_size").scalar() or 0)


def test_a_rebuild_gives_the_pooled_connection_its_page_cache_back(sqlite_url):
    ledger = init_ledger(Settings(db_url=sqlite_url))
    try:
        assert not apply_lines(ledger, lines(LEDGER)).errors
        with ledger.engine.connect() as conn:
            connection, before = cache_size(conn)
        seen = []
        probe = Probe(lambda conn: seen.append(cache_size(conn)))
        runner.rebuild(ledger.engine, ledger.app, (*ledger.projections, probe), cache_mb=64)
        assert seen and set(seen) == {(connection, -64 * 1024)} and before != -64 * 1024
        with ledger.engine.connect() as conn:
            assert cache_size(conn) == (connection, before)
    finally:
        ledger.close()
