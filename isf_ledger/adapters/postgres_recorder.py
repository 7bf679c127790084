"""eventsourcing's PostgreSQL recorder, writing a batch without pipeline mode.

eventsourcing 9.5 sends a batch's table lock, notification and one INSERT of
every event in a psycopg pipeline. With a large batch (one `apply` of 20,000
commands is about 40,000 events in one transaction) psycopg 3.3 can wait for
results while part of the INSERT is still unsent, and the server waits for
the rest: both sides hang for ever (the shape of psycopg/psycopg#685). Here
the same three statements run one after another in one transaction, so the
lock, the ordering of notification ids and all-or-nothing are unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry


class LedgerPostgresRecorder(PostgresApplicationRecorder):
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return None
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
