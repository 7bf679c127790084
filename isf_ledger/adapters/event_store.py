"""The event store: eventsourcing's Application over SQLite or PostgreSQL.

Only persistence lives here: which transcodings events need, and optional
encryption at rest of every payload with a key from the environment.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from json.scanner import make_scanner
from operator import attrgetter
from typing import Any, NamedTuple, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    IntegrityError,
    JSONTranscoder,
    StoredEvent,
    Transcoder,
    Transcoding,
    UUIDAsHex,
)
from eventsourcing.utils import Environment
from sqlalchemy import Connection, TextClause, bindparam, text

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.database import psycopg_errors


class DateAsISO(Transcoding):
    """Business dates travel as `YYYY-MM-DD`."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


# What each transcoding's `decode` calls, to be called without it.
_DIRECT: dict[type[Transcoding], Any] = {
    DecimalAsStr: Decimal,
    DatetimeAsISO: datetime.fromisoformat,
    DateAsISO: date.fromisoformat,
    UUIDAsHex: UUID,
}


class LedgerTranscoder(JSONTranscoder):
    """eventsourcing's JSON transcoder, with fewer Python calls per value decoded.

    Its decoder calls back into Python for every JSON object, and an event
    holds several (its timestamp, each amount, each date). The transcodings
    this ledger registers go straight to what their `decode` methods call
    (`Decimal`, `date.fromisoformat`, ...): a rebuild decodes every event in
    the store.
    """

    def __init__(self) -> None:
        super().__init__()
        self._decoders: dict[str, Any] = {}
        self._scan = make_scanner(cast(Any, self.decoder))  # C, with this object hook

    def decode(self, data: bytes) -> Any:
        """As the JSON decoder does, without its Python frames and whitespace checks.

        Stored state is written by `encode`, one JSON object with nothing
        around it; anything else goes to the JSON decoder, whose error says
        what is wrong.
        """
        text = data.decode("utf8")
        try:
            value, end = self._scan(text, 0)
        except StopIteration:
            end = -1
        return value if end == len(text) else super().decode(data)

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._decoders[transcoding.name] = _DIRECT.get(type(transcoding), transcoding.decode)

    def _decode_obj(self, d: dict[str, Any]) -> Any:
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            decoder = self._decoders.get(d["_type_"])
            if decoder is not None:
                return decoder(d["_data_"])
            return super()._decode_obj(d)  # its error names the unknown type
        return d


class LedgerApp(Application[UUID]):
    """Holds every event of the ledger; `recorder` is the notification log."""

    name = "Ledger"

    def construct_transcoder(self) -> Transcoder:
        transcoder = LedgerTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


class AtRestKeyError(RuntimeError):
    """Stored payloads cannot be decrypted with the key in the environment."""


WRONG_KEY = (
    "stored events cannot be read: ISF_LEDGER_AT_REST_KEY is not the key they were written with"
)


class LedgerCipher(AESCipher):
    """AES-GCM at rest; a bad or wrong key is a plain error, not a cipher traceback."""

    def __init__(self, environment: Environment) -> None:
        try:
            super().__init__(environment)
        except ValueError:  # not base64, or not 16, 24 or 32 bytes
            raise AtRestKeyError(
                "ISF_LEDGER_AT_REST_KEY is not a key: make one with `isf-ledger keys new`"
            ) from None

    def decrypt(self, ciphertext: bytes) -> bytes:
        try:
            return super().decrypt(ciphertext)
        except ValueError:
            raise AtRestKeyError(WRONG_KEY) from None


def new_at_rest_key() -> str:
    """A fresh random AES-256 key, base64, as `ISF_LEDGER_AT_REST_KEY` takes it."""
    return AESCipher.create_key(num_bytes=32)


def at_rest_env(key: str | None) -> dict[str, str]:
    """Environment that turns on AES-GCM encryption of stored payloads.

    Make a key with `isf-ledger keys new` (`new_at_rest_key`).
    """
    if not key:
        return {}
    return {"CIPHER_TOPIC": "isf_ledger.adapters.event_store:LedgerCipher", "CIPHER_KEY": key}


def check_at_rest_key(app: LedgerApp) -> None:
    """Refuse a key, or the lack of one, that does not fit the stored events.

    Checked on opening, before anything is read or (worse) written with a
    different key. Both the oldest and the newest event are looked at, so
    that one of them tampered with is left for `audit verify` to name.
    """
    newest = app.recorder.max_notification_id()
    if not newest:
        return
    ends = [
        *app.recorder.select_notifications(1, 1),
        *app.recorder.select_notifications(newest, 1),
    ]
    in_clear = [_in_clear(note.state) for note in ends]
    cipher = app.mapper.cipher
    if cipher is None and not any(in_clear):
        raise AtRestKeyError(
            "stored events are encrypted: set ISF_LEDGER_AT_REST_KEY to the key "
            "they were written with"
        )
    if cipher is not None and all(in_clear):
        raise AtRestKeyError(
            "stored events are not encrypted: unset ISF_LEDGER_AT_REST_KEY "
            "(encryption at rest is chosen when a ledger is created)"
        )
    if cipher is not None:
        for note in ends:
            try:
                cipher.decrypt(note.state)
                break
            except AtRestKeyError:
                continue
        else:
            raise AtRestKeyError(WRONG_KEY)


def _in_clear(state: bytes) -> bool:
    """Whether a stored payload is plain JSON; a ciphertext is random bytes."""
    try:
        return isinstance(json.loads(bytes(state)), dict)
    except ValueError:  # not UTF-8, or not JSON
        return False


def events_table(app: LedgerApp) -> str:
    """The stored-events table's name (both recorders have one; the protocol doesn't say)."""
    return str(getattr(app.recorder, "events_table_name"))  # noqa: B009


def load_aggregates(
    conn: Connection,
    app: LedgerApp,
    ids: Iterable[UUID],
    *,
    as_at: datetime | None = None,
    without: Sequence[str] = (),
    chunk: int = 500,
) -> dict[UUID, Any]:
    """Rebuild many aggregates with one query per `chunk` ids.

    With `as_at`, events recorded after that instant are left out, so each
    aggregate is exactly as it stood then. Ids with no events are absent.

    Events whose topics are in `without` are not read at all, for a caller
    that takes what they hold from a read model instead; the aggregates then
    lack their effect, so nothing else may be asked of that part of them.
    """
    wanted = sorted(ids, key=attrgetter("int"))  # UUIDs' order, without their `__lt__`
    query = _events_of(events_table(app), skipping=bool(without))
    params: dict[str, Any] = {"without": list(without)} if without else {}
    postgres = conn.dialect.name == "postgresql"
    found: dict[UUID, Any] = {}
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        params["ids"] = part if postgres else [key.hex for key in part]
        for originator_id, version, topic, state in conn.execute(query, params).all():
            stored = StoredEvent(UUID(str(originator_id)), version, topic, bytes(state))
            event: Any = app.mapper.to_domain_event(stored)
            if as_at is not None and event.timestamp > as_at:
                continue
            aggregate = found.get(event.originator_id)
            if without and aggregate is not None:
                aggregate.version = event.originator_version - 1  # past the ones left out
            found[event.originator_id] = event.mutate(aggregate)
    return found


@cache
def _events_of(table: str, *, skipping: bool) -> TextClause:
    """The query `load_aggregates` runs, built once for each table and shape."""
    leave_out = "AND topic NOT IN :without " if skipping else ""
    query = text(
        f"SELECT originator_id, originator_version, topic, state FROM {table} "
        f"WHERE originator_id IN :ids {leave_out}ORDER BY originator_id, originator_version"
    ).bindparams(bindparam("ids", expanding=True))
    if skipping:
        query = query.bindparams(bindparam("without", expanding=True))
    return query


def events_after(conn: Connection, app: LedgerApp, position: int, limit: int) -> list[Any]:
    """The next `limit` events after `position`, decoded, as (position, event) pairs.

    The recorder's `select_notifications` does this on its own connection;
    this reads inside the caller's transaction (each catch-up page, or a whole
    rebuild), and makes each aggregate's id once a page instead of once an event.
    """
    postgres = conn.dialect.name == "postgresql"
    ids: dict[Any, UUID] = {}
    decode = app.mapper.to_domain_event
    page = []
    query = _log_page(events_table(app), postgres)
    rows = conn.execute(query, {"after": position, "limit": limit}).all()
    for at, originator_id, version, topic, state in rows:
        key = ids.get(originator_id)
        if key is None:
            key = ids[originator_id] = UUID(str(originator_id))
        page.append((at, decode(StoredEvent(key, version, topic, bytes(state)))))
    return page


@cache
def _log_page(table: str, postgres: bool) -> TextClause:
    position = "notification_id" if postgres else "rowid"  # what each recorder numbers by
    return text(
        f"SELECT {position}, originator_id, originator_version, topic, state FROM {table} "
        f"WHERE {position} > :after ORDER BY {position} LIMIT :limit"
    )


class Stored(NamedTuple):
    """One event as written: its position in the log and its stored form
    (the attributes of eventsourcing's notifications, which seals chain)."""

    id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


def store_events(conn: Connection, app: LedgerApp, events: Sequence[Any]) -> list[Stored]:
    """Write `events` in the caller's transaction, as eventsourcing's recorder would.

    The same rows in the same table, numbered the same way (SQLite's rowid,
    PostgreSQL's `notification_id`), under the same lock that keeps the log's
    order the commit order (SQLite's write lock, taken at `BEGIN IMMEDIATE`;
    PostgreSQL's `EXCLUSIVE` table lock). Writing them here lets the seals and
    read models go in the same transaction. An aggregate version already
    stored raises eventsourcing's `IntegrityError`, as the recorder does.
    """
    table = events_table(app)
    stored = [app.mapper.to_stored_event(e) for e in events]
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '30s'")
        conn.exec_driver_sql(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    before = _last_position(conn, table, postgres)
    ids = [cast(UUID, s.originator_id) for s in stored]  # the mapper's, from the events
    rows = [
        (key if postgres else key.hex, s.originator_version, s.topic, s.state)
        for key, s in zip(ids, stored, strict=True)
    ]
    key_taken: tuple[type[Exception], ...] = (
        sqlite3.IntegrityError,
        *psycopg_errors("IntegrityError"),
    )
    try:
        insert_rows(conn, table, ("originator_id", "originator_version", "topic", "state"), rows)
    except key_taken as e:
        raise IntegrityError(str(e)) from e
    if postgres:  # the sequence may skip numbers; the rows took them in order
        positions = list(
            conn.exec_driver_sql(
                f"SELECT notification_id FROM {table} WHERE notification_id > {before} "
                "ORDER BY notification_id"
            ).scalars()
        )
    else:  # a rowid table numbers each row one past the largest
        positions = list(range(before + 1, before + 1 + len(rows)))
        if _last_position(conn, table, postgres) != positions[-1]:
            raise RuntimeError(f"{table}: rows were not numbered one after another")
    if len(positions) != len(stored):
        raise RuntimeError(f"{table}: stored {len(stored)} events, found {len(positions)}")
    return [
        Stored(at, key, s.originator_version, s.topic, s.state)
        for at, key, s in zip(positions, ids, stored, strict=True)
    ]


def _last_position(conn: Connection, table: str, postgres: bool) -> int:
    position = "notification_id" if postgres else "rowid"
    return int(conn.exec_driver_sql(f"SELECT max({position}) FROM {table}").scalar() or 0)
