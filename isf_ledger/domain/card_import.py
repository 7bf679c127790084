"""One import of a card export that added transactions, as a fact in the event store.

The transactions themselves live in the `card_transactions` table (millions of
rows do not belong in events); the event records that they were added, by
which file and profile, how many, and a digest of exactly the rows added, so
an auditor can hold the table to what the event says.

Its id is derived from the file's digest, the profile and the rows' digest:
the same import writes the same id, so writing it twice (after a crash between
the database commit and the event) collides instead of doubling.
"""

from __future__ import annotations

import hashlib
from datetime import date

from eventsourcing.domain import event

from isf_ledger.domain.base import LedgerAggregate


def card_import_id(file_sha256: str, profile: str, rows_digest: str) -> str:
    """The caller-style id of an import: 32 hex characters, the same for the same import."""
    text = f"{file_sha256}\x1f{profile}\x1f{rows_digest}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class CardImport(LedgerAggregate):
    KIND = "card_import"

    @staticmethod
    def create_id(card_import_id: str, **_: object) -> object:  # type: ignore[override]
        return CardImport.id_for(card_import_id)

    @event("TransactionsImported")
    def __init__(
        self,
        card_import_id: str,
        file_name: str,
        file_sha256: str,
        profile: str,
        imported: int,
        duplicates: int,
        rejected: int,
        skipped_pending: int,
        rows_digest: str,
        first_posted: date | None,
        command_id: str,
        effective: date | None,
    ) -> None:
        self.ref = card_import_id
        self.file_sha256 = file_sha256
        self.profile = profile
        self.imported = imported
        self.rows_digest = rows_digest
