"""Server-side sessions in the ledger's own database, through Flask-Session.

Flask-Session does the session work (random ids, the cookie, msgspec
serialisation, regeneration at login); this class only tells it where rows
live: the `portal_sessions` table, through the application's account use
cases. Its own SQLAlchemy backend would need Flask-SQLAlchemy, a second
engine beside the ledger's, and would create its table outside the
migrations and reach the database around the application layer.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask_session.base import ServerSideSession, ServerSideSessionInterface

from isf_ledger.application.accounts import Accounts


class LedgerSessions(ServerSideSessionInterface):
    """Flask-Session's interface over the ledger's session table; rows expire with the session."""

    ttl = False

    def __init__(self, app: Flask, accounts: Accounts) -> None:
        self.accounts = accounts
        super().__init__(app, key_prefix="", sid_length=32, cleanup_n_requests=None)

    def _retrieve_session_data(self, store_id: str) -> dict[str, Any] | None:
        data = self.accounts.session(store_id)
        return None if data is None else self.serializer.decode(data)  # type: ignore[union-attr]

    def _delete_session(self, store_id: str) -> None:
        self.accounts.end_session(store_id)

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        data = self.serializer.encode(session)  # type: ignore[union-attr]
        self.accounts.keep_session(store_id, data, session_lifetime)

    def _delete_expired_sessions(self) -> None:
        self.accounts.end_expired_sessions()
