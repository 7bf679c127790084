"""Keeping read models current from the notification log, exactly once.

Each projection remembers the last notification it has seen. `catch_up` reads
the log after the lowest position in pages, hands each projection the events
it has not seen, and commits the projection rows together with the new
positions in one transaction; a crash loses nothing and doubles nothing.
Concurrent runners are serialised by the lock on the positions (PostgreSQL
`FOR UPDATE`; SQLite takes its write lock at `BEGIN IMMEDIATE`).
`project_stored` does the same inside the transaction that stores a batch,
from the events as they were written.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError as SQLIntegrityError
from sqlalchemy.exc import InterfaceError, OperationalError

from isf_ledger.adapters.database import psycopg_errors
from isf_ledger.adapters.event_store import LedgerApp, events_after
from isf_ledger.adapters.schema import projection_positions

BASE_FIELDS = ("originator_id", "originator_version", "timestamp", "originator_topic")


@dataclass(frozen=True, slots=True)
class Recorded:
    """One event as read from the log: where it is and when it was written.

    The recording time and type name are worked out once here, not by each
    projection, because a rebuild reads every event in the store.
    """

    position: int
    event: Any
    recorded_at: str = field(init=False)
    type: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "recorded_at", instant(self.event.timestamp))
        object.__setattr__(self, "type", type(self.event).__qualname__)

    @property
    def data(self) -> dict[str, Any]:
        """The event's own fields (not the framework's), as plain values."""
        loaded: dict[str, Any] = json.loads(self.data_json())
        return loaded

    def data_json(self, leave_out: tuple[str, ...] = ()) -> str:
        """The event's own fields but `leave_out`, as JSON: money and dates as strings."""
        data = vars(self.event).copy()  # a copy in C, then a few keys out
        for key in BASE_FIELDS + leave_out:
            data.pop(key, None)
        return to_json(data)


class Projection(Protocol):
    name: str
    tables: tuple[Table, ...]
    reads: tuple[Table, ...]  # looked up while projecting, so a rebuild keeps their indexes

    def project(self, conn: Connection, batch: Sequence[Recorded]) -> None: ...


def instant(moment: datetime) -> str:
    """A recording time as fixed-width UTC text, so text order is time order."""
    # isoformat, not strftime: it is several times faster, and a rebuild calls this per event.
    return moment.astimezone(UTC).isoformat(timespec="microseconds").removesuffix("+00:00") + "Z"


def _as_text(value: Any) -> str:
    """What JSON has no type for: money, dates and ids, as text."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON data")


# One encoder, in C, made once: `JSONEncoder.encode` makes one a call, through two
# Python frames, which was a third of the time of a small event's data. Every event's
# data goes through it (an `apply` batch, a rebuild); data holds no cycles to look for.
_ENCODE = c_make_encoder(None, _as_text, encode_basestring, None, ":", ",", True, False, True)


def to_json(data: Any) -> str:
    """`data` as compact JSON, keys sorted, text as it is (not escaped to ASCII)."""
    return "".join(_ENCODE(data, 0))


def _positions(conn: Connection, projections: Sequence[Projection]) -> dict[str, int]:
    query = select(projection_positions.c.name, projection_positions.c.position)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    found: dict[str, int] = {name: pos for name, pos in conn.execute(query)}
    for p in projections:
        if p.name not in found:
            conn.execute(insert(projection_positions).values(name=p.name, position=0))
            found[p.name] = 0
    return found


def catch_up(
    engine: Engine,
    app: LedgerApp,
    projections: Sequence[Projection],
    *,
    page: int = 2000,
    fresh: Sequence[Recorded] = (),
) -> int:
    """Bring every projection up to the end of the log; returns events read.

    `fresh` are events this process has just stored, in order: when they
    follow on from the projections' positions they are used as they are,
    saving a read and a decode of each.
    """
    read = 0
    while True:
        with engine.begin() as conn:
            positions = _positions(conn, projections)
            start = min(positions[p.name] for p in projections)
            if fresh and fresh[0].position == start + 1:
                batch, fresh = list(fresh[:page]), fresh[page:]
            else:
                fresh = ()
                batch = _read(conn, app, start, page)
                if not batch:
                    return read
            _feed(conn, projections, positions, batch)
        read += len(batch)


def _database_down() -> tuple[type[Exception], ...]:
    """Errors raised through SQLAlchemy or, by bulk writes, straight from the driver."""
    return (OperationalError, InterfaceError, sqlite3.OperationalError,
            *psycopg_errors("OperationalError"))  # fmt: skip


def _key_taken() -> tuple[type[Exception], ...]:
    return (SQLIntegrityError, sqlite3.IntegrityError, *psycopg_errors("IntegrityError"))


class Unprojectable(RuntimeError):
    """Events the read models cannot take: they must not be stored."""


def project_stored(
    conn: Connection, app: LedgerApp, projections: Sequence[Projection], fresh: Sequence[Recorded]
) -> None:
    """Project events just stored, in the transaction that stored them.

    A read model that cannot take them (a number too large for its column)
    fails the transaction, so the events are not stored either: an event
    stored that a read model cannot take would stop every later catch-up,
    rebuild and report. Events stored before them that a projection has not
    seen yet are projected first, read from the log.
    """
    if not fresh:
        return
    positions = _positions(conn, projections)
    start = min(positions[p.name] for p in projections)
    while start < fresh[0].position - 1:
        earlier = [r for r in _read(conn, app, start, 2000) if r.position < fresh[0].position]
        if not earlier:
            break  # positions a rolled-back writer used and never filled (PostgreSQL)
        _feed(conn, projections, positions, earlier)
        start = earlier[-1].position
    with _refusing():
        _feed(conn, projections, positions, fresh)


def check_projectable(
    conn: Connection, projections: Sequence[Projection], events: Sequence[Any]
) -> None:
    """Project `events` as a trial, then undo it; refuses them if any projection fails.

    For events stored in another transaction than the read models' (a card
    import's event is written after its file's transaction commits): tried
    first in that transaction, they are stored only if this passes. Trial
    positions are below zero: they never meet a real one.
    """
    batch = [Recorded(n - len(events), e) for n, e in enumerate(events)]
    trial = conn.begin_nested()
    try:
        with _refusing():
            for p in projections:
                p.project(conn, batch)
    finally:
        trial.rollback()


@contextmanager
def _refusing() -> Iterator[None]:
    """A projection's failure as `Unprojectable`, or, for rows another writer
    projected first, as the event store's `IntegrityError` (retry)."""
    try:
        yield
    except _database_down():
        raise  # the database, not the events
    except _key_taken() as e:
        # Rows another writer projected since we read the ledger: it stored the
        # same commands or aggregates first, and a caller that retries sees them.
        raise IntegrityError(str(e)) from e
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise Unprojectable(f"the read models cannot take it ({type(e).__name__}: {first})") from e


def _feed(
    conn: Connection,
    projections: Sequence[Projection],
    positions: dict[str, int],
    batch: Sequence[Recorded],
) -> None:
    """Hand each projection the events of `batch` it has not seen; move its position."""
    last = batch[-1].position
    for p in projections:
        unseen = [r for r in batch if r.position > positions[p.name]]
        if unseen:
            p.project(conn, unseen)
            conn.execute(
                update(projection_positions)
                .where(projection_positions.c.name == p.name)
                .values(position=last)
            )
            positions[p.name] = last


def rebuild(
    engine: Engine,
    app: LedgerApp,
    projections: Sequence[Projection],
    *,
    page: int = 20_000,
    cache_mb: int = 512,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Empty every read model and project the whole log again; returns events read.

    All in one transaction: stopped part-way, it leaves the read models as
    they were, and no report ever sees them half built. Indexes that only
    reports use are dropped first and built again at the end, from all the
    rows at once, which is several times cheaper than keeping them in order
    row by row. On SQLite the transaction may keep `cache_mb` of pages in
    memory: the command records' key is written in random order, and with
    the default cache most of those writes go out to the log and back.
    The cycle collector is paused: a rebuild makes millions of short-lived
    objects and keeps none, and the collector's passes over them cost about
    a fifth of its time.
    """
    total = app.recorder.max_notification_id() or 0
    with engine.connect() as conn, page_cache(conn, cache_mb), paused_collector(), conn.begin():
        _positions(conn, projections)  # takes the lock live runners wait on
        indexes = _report_indexes(conn, projections)
        for name, _ in indexes:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        for p in projections:
            for table in reversed(p.tables):
                conn.execute(delete(table))
        read = last = 0
        while batch := _read(conn, app, last, page):
            for p in projections:
                p.project(conn, batch)
            last = batch[-1].position
            read += len(batch)
            if progress:
                progress(read, total)
        names = [p.name for p in projections]
        conn.execute(
            update(projection_positions)
            .where(projection_positions.c.name.in_(names))
            .values(position=last)
        )
        for _, create in indexes:
            conn.exec_driver_sql(create)
    return read


def _read(conn: Connection, app: LedgerApp, after: int, page: int) -> list[Recorded]:
    """The next page of the log after position `after`, read in the caller's transaction."""
    return [Recorded(position, event) for position, event in events_after(conn, app, after, page)]


@contextmanager
def paused_collector(*, kept: bool = False) -> Iterator[None]:
    """Python's cycle collector off for a while: its passes over the millions of
    short-lived objects a rebuild or a large batch makes, none of them cycles
    worth finding, cost about a fifth of the time.

    `kept`: what the block made is mostly kept (a report's tens of thousands of
    records), so it joins the oldest objects (`freeze`, then `unfreeze`) instead
    of being gone through as young ones the moment the collector is back: 4-6 ms
    for 5,000 cards' records. Cycles made in the block wait for the next full pass.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if kept:
                gc.freeze()
            gc.enable()
            if kept:
                gc.unfreeze()


@contextmanager
def page_cache(conn: Connection, megabytes: int) -> Iterator[None]:
    """SQLite's page cache at `megabytes` for a while, then as it was (connections are pooled).

    Set on the driver's connection, outside any transaction.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    driver: Any = conn.connection.driver_connection
    (before,) = driver.execute("PRAGMA cache_size").fetchone()
    driver.execute(f"PRAGMA cache_size = -{int(megabytes) * 1024}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size = {int(before)}")


def _report_indexes(conn: Connection, projections: Sequence[Projection]) -> list[tuple[str, str]]:
    """Name and definition of each plain index on a table no projection reads from."""
    read = {t.name for p in projections for t in p.reads}
    tables = sorted({t.name for p in projections for t in p.tables} - read)
    if conn.dialect.name == "postgresql":
        query = text(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename IN :tables "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint) "
            "AND indexdef NOT LIKE 'CREATE UNIQUE %' ORDER BY indexname"
        )
    else:  # indexes made by a constraint have no `sql`
        query = text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN :tables "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %' ORDER BY name"
        )
    query = query.bindparams(bindparam("tables", expanding=True))
    return [(name, sql) for name, sql in conn.execute(query, {"tables": tables})]
