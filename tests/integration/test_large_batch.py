"""One very large batch is stored whole, in one transaction, on both databases.

On PostgreSQL eventsourcing's own recorder sends a batch in pipeline mode,
which hung for ever on a 20,000-command file; the ledger's recorder does not.
"""

from __future__ import annotations

import threading
import uuid

from eventsourcing.persistence import StoredEvent

from isf_ledger.adapters.postgres_recorder import LedgerPostgresRecorder
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings

EVENTS = 40_000


def test_postgres_uses_the_recorder_without_pipeline_mode(pg_url):
    ledger = init_ledger(Settings(db_url=pg_url))
    try:
        assert isinstance(ledger.app.recorder, LedgerPostgresRecorder)
    finally:
        ledger.close()


def test_forty_thousand_events_in_one_batch_are_stored_together(ledger):
    batch = [StoredEvent(uuid.uuid4(), 1, "bench:Big", b"x" * 600) for _ in range(EVENTS)]
    stored: list[object] = []
    writer = threading.Thread(
        target=lambda: stored.append(ledger.app.recorder.insert_events(batch)), daemon=True
    )
    writer.start()
    # Generous: it is here to catch a hang, and a loaded 2-core machine is slow.
    writer.join(timeout=900)
    assert not writer.is_alive(), "the batch did not finish in fifteen minutes"
    assert ledger.app.recorder.max_notification_id() == EVENTS
