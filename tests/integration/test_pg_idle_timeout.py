"""A large batch on a busy PostgreSQL server is not cut off by an idle-in-transaction timeout.

eventsourcing sets 5 s on its connections, and a 40,000-event batch lost its
connection while the client, short of CPU, was still building its INSERT
inside the transaction. The ledger sets its own, from the settings.
"""

from __future__ import annotations

import pytest

from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings, settings_from_env


def _session_timeout(settings: Settings) -> str:
    ledger = init_ledger(settings)
    try:
        datastore = ledger.app.recorder.datastore  # type: ignore[attr-defined]
        with datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute("SHOW idle_in_transaction_session_timeout")
            return str(curs.fetchone()["idle_in_transaction_session_timeout"])
    finally:
        ledger.close()


def test_the_default_gives_a_batch_ten_minutes_not_five_seconds(pg_url):
    assert _session_timeout(Settings(db_url=pg_url)) == "10min"


@pytest.mark.parametrize(("value", "shown"), [("45", "45s"), ("0", "0")])
def test_the_timeout_is_a_setting(pg_url, monkeypatch, value, shown):
    monkeypatch.setenv("ISF_LEDGER_PG_IDLE_IN_TRANSACTION_S", value)
    assert _session_timeout(settings_from_env(pg_url)) == shown
