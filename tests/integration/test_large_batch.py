"""One very large batch is stored whole, in one transaction, on both databases.

On PostgreSQL eventsourcing's own recorder sends a batch in pipeline mode,
which hung for ever on a 20,000-command file; the ledger's recorder does not.
"""

from __future__ import annotations

import threading
import uuid

from eventsourcing.persistence import StoredEvent

from isf_ledger.adapters.postgres_recorder import LedgerPostgresRecorder

EVENTS = 40_000


def test_postgres_uses_the_recorder_without_pipeline_mode(pg_url, ledger_factory):
    ledger = ledger_factory(pg_url)
    assert isinstance(ledger.app.recorder, LedgerPostgresRecorder)


def test_forty_thousand_events_in_one_batch_are_stored_together(db_url, ledger_factory):
    ledger = ledger_factory(db_url)
    batch = [StoredEvent(uuid.uuid4(), 1, "bench:Big", b"x" * 600) for _ in range(EVENTS)]
    stored: list[object] = []
    writer = threading.Thread(
        target=lambda: stored.append(ledger.app.recorder.insert_events(batch)), daemon=True
    )
    writer.start()
    writer.join(timeout=120)
    assert not writer.is_alive(), "the batch did not finish in two minutes"
    assert ledger.app.recorder.max_notification_id() == EVENTS
