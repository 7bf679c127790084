"""Personal data sealed with a key of the person's own (crypto-shredding).

A name is encrypted (AES-GCM) before it goes into an event. The key lives in
`person_keys`, outside the event store; `forget` deletes it, after which the
sealed name in the events is unreadable for good while every event, balance
and hash still stands.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from isf_ledger.adapters.schema import person_keys

FORGOTTEN = "(forgotten)"


class KeyTaken(Exception):
    """Another process wrote a person's key first; the batch must be sealed again."""


class PersonKeys:
    """Seals and unseals personal data; new keys are written only on `flush`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pending: dict[str, bytes] = {}

    def _key(self, person_id: str) -> bytes | None:
        if person_id in self._pending:
            return self._pending[person_id]
        with self.engine.connect() as conn:
            return conn.scalar(
                select(person_keys.c.key).where(person_keys.c.person_id == person_id)
            )

    def seal(self, person_id: str, text: str) -> str:
        key = self._key(person_id)
        if key is None:
            key = self._pending[person_id] = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        sealed = nonce + AESGCM(key).encrypt(nonce, text.encode(), person_id.encode())
        return base64.b64encode(sealed).decode()

    def unseal(self, person_id: str, sealed: str | None) -> str | None:
        """The clear text, `FORGOTTEN` if the key is gone, None if nothing was sealed."""
        if sealed is None:
            return None
        key = self._key(person_id)
        if key is None:
            return FORGOTTEN
        raw = base64.b64decode(sealed)
        return AESGCM(key).decrypt(raw[:12], raw[12:], person_id.encode()).decode()

    @property
    def pending(self) -> bool:
        """Whether new keys wait to be written."""
        return bool(self._pending)

    def flush(self) -> list[str]:
        """Write new keys (before their events are saved); returns their owners.

        Raises `KeyTaken`, writing none of them, when another process has just
        written a key for one of these people: what was sealed with ours must
        be sealed again with theirs.
        """
        written = list(self._pending)
        try:
            if written:
                with self.engine.begin() as conn:
                    conn.execute(
                        insert(person_keys),
                        [{"person_id": p, "key": k} for p, k in self._pending.items()],
                    )
        except IntegrityError as e:
            raise KeyTaken(f"a key for one of {written} was written meanwhile") from e
        finally:
            self._pending.clear()
        return written

    def discard(self) -> None:
        """Drop the new keys of a batch that will not be stored.

        Keys already written stay: once written, another process may have
        sealed a name with one (and a key with nothing sealed is harmless; a
        run of the same batch again uses it).
        """
        self._pending.clear()

    def forget(self, person_id: str) -> bool:
        """Destroy the person's key; True if there was one.

        On SQLite the key's bytes are zeroed in the file (`secure_delete`) and
        the write-ahead log emptied, so no copy lingers there. PostgreSQL keeps
        a deleted row until vacuumed; backups keep what they hold: expire them.
        """
        sqlite = self.engine.dialect.name == "sqlite"
        with self.engine.begin() as conn:
            if sqlite:
                conn.exec_driver_sql("PRAGMA secure_delete = ON")
            result = conn.execute(delete(person_keys).where(person_keys.c.person_id == person_id))
        if sqlite:
            raw = self.engine.raw_connection()  # a checkpoint cannot run inside a transaction
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
        return bool(result.rowcount)
