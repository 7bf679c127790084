"""Tamper evidence: every stored event chained to the one before it.

Each event's seal is a SHA-256 over its predecessor's seal and the event as
stored (position, aggregate id and version, topic, payload bytes: encrypted
ones as encrypted). Seals live in `event_seals`, never rebuilt: written in the
transaction that stores the events (`seal_stored`, an `apply` batch), or just
after it (`seal_new`, for events stored by eventsourcing's own recorder).
Changing, removing, inserting or reordering a stored event breaks the chain
from that point; `verify` names the first break.

The chain has no secret: someone able to rewrite the database could rewrite
the seals too. Hence the head hash `verify` prints, for auditors to keep
outside the system; a later `verify --recorded-head` proves the chain still
passes through it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    String,
    Table,
    select,
    text,
)

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.event_store import LedgerApp, Stored, events_table
from isf_ledger.adapters.schema import metadata
from isf_ledger.domain.ledger import residual

GENESIS = "0" * 64
PAGE = 5000

event_seals = Table(
    "event_seals",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
)


def aggregate_of(note: Any) -> UUID:
    """A stored event's aggregate id (PostgreSQL gives a UUID, SQLite its hex)."""
    key = note.originator_id
    return key if isinstance(key, UUID) else UUID(str(key))


def chain(previous: str, note: Any) -> str:
    """The seal of one stored event, given the seal before it."""
    parts = [
        part.encode()
        for part in (
            str(note.id),
            aggregate_of(note).hex,
            str(note.originator_version),
            note.topic,
        )
    ]
    parts.append(bytes(note.state))
    framed = b"".join(len(data).to_bytes(8, "big") + data for data in parts)
    return hashlib.sha256(previous.encode() + framed).hexdigest()


def _head(conn: Connection) -> tuple[int, str]:
    """The last sealed position and its seal (0 and the genesis seal if none)."""
    last = conn.execute(
        select(event_seals.c.position, event_seals.c.hash)
        .order_by(event_seals.c.position.desc())
        .limit(1)
    ).first()
    return (last.position, last.hash) if last else (0, GENESIS)


def _notes(app: LedgerApp) -> Iterator[Any]:
    """Every stored event, in notification order, a page at a time."""
    after = 0
    while True:
        notes = app.recorder.select_notifications(after + 1, PAGE)
        if not notes:
            return
        yield from notes
        after = notes[-1].id


def seal_stored(conn: Connection, app: LedgerApp, stored: Sequence[Stored]) -> None:
    """Seal events just written in the caller's transaction, from what was written.

    Chained from the events as they were stored, not read back from the log.
    Events stored before them and not yet sealed (a run killed between its
    events and its seals, an older writer) are read and sealed first.
    """
    if not stored:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE event_seals IN EXCLUSIVE MODE"))
    position, previous = _head(conn)
    rows = []
    for note in [*_unsealed(conn, app, position, stored[0].id), *stored]:
        previous = chain(previous, note)
        rows.append((note.id, previous))
    insert_rows(conn, event_seals.name, event_seals.c.keys(), rows)


def _unsealed(conn: Connection, app: LedgerApp, after: int, before: int) -> list[Any]:
    """Stored events between two positions, read in the caller's transaction."""
    if before <= after + 1:
        return []
    position = "notification_id" if conn.dialect.name == "postgresql" else "rowid"
    query = text(
        f"SELECT {position}, originator_id, originator_version, topic, state "
        f"FROM {events_table(app)} WHERE {position} > :after AND {position} < :before "
        f"ORDER BY {position}"
    )
    return [
        Stored(at, UUID(str(originator)), version, topic, bytes(state))
        for at, originator, version, topic, state in conn.execute(
            query, {"after": after, "before": before}
        )
    ]


def seal_new(engine: Engine, app: LedgerApp) -> int:
    """Seal every event stored since the last seal; returns how many."""
    sealed = 0
    while True:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("LOCK TABLE event_seals IN EXCLUSIVE MODE"))
            position, previous = _head(conn)
            notes = app.recorder.select_notifications(position + 1, PAGE)
            if not notes:
                return sealed
            rows = []
            for note in notes:
                previous = chain(previous, note)
                rows.append((note.id, previous))
            insert_rows(conn, event_seals.name, event_seals.c.keys(), rows)
            sealed += len(rows)


@dataclass(frozen=True)
class Problem:
    """One thing `verify` found wrong, and the stored record it is about (when one is)."""

    message: str
    position: int | None = None
    aggregate_id: str | None = None
    version: int | None = None
    type: str | None = None

    @classmethod
    def about(cls, note: Any, what: str) -> Problem:
        kind = note.topic.rsplit(":", 1)[-1]
        aggregate, version = str(aggregate_of(note)), note.originator_version
        return cls(
            f"event at position {note.id} ({kind}, aggregate {aggregate} v{version}) {what}",
            note.id,
            aggregate,
            version,
            kind,
        )


# A check beside the chain: reads the database, returns problems in words.
Check = Callable[[Connection], list[str]]


@dataclass
class Verification:
    """What `verify` found: events walked, the chain head reached, any problems."""

    events: int = 0
    head: str = GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head": self.head,
            "problems": [asdict(p) for p in self.problems],
        }


def verify(
    engine: Engine,
    app: LedgerApp,
    progress: Callable[[int], None] | None = None,
    extra_checks: Sequence[Check] = (),
    recorded_head: str | None = None,
) -> Verification:
    """Walk the whole store: every event against its seal, every movement balanced.

    The walk stops at the first broken link, which it names. `recorded_head`
    is a head printed by an earlier run and kept outside the system: the chain
    must still pass through it, which also catches someone who rewrote the
    seals along with the events. On PostgreSQL an event stored while this
    runs may be reported unsealed for a moment; run it again to be sure.
    """
    result = Verification()
    anchored = recorded_head in (None, GENESIS)
    with engine.connect() as conn:
        ordered = select(event_seals).order_by(event_seals.c.position)
        seals = conn.execution_options(yield_per=PAGE).execute(ordered)
        for note, seal in _side_by_side(_notes(app), iter(seals)):
            problem = _link_problem(result, note, seal) or _content_problem(app, note)
            if problem:
                result.problems.append(problem)
                break
            anchored = anchored or result.head == recorded_head
            if progress:
                progress(note.id)
        if result.ok and not anchored:
            result.problems.append(
                Problem(
                    f"the chain no longer passes through the recorded head {recorded_head}: "
                    "sealed history was rewritten, or the head is not this ledger's"
                )
            )
        for check in extra_checks:
            result.problems.extend(Problem(message) for message in check(conn))
    return result


def _side_by_side(notes: Iterator[Any], seals: Iterator[Any]) -> Iterator[tuple[Any, Any]]:
    """Stored events and seals paired by position; None where either is missing."""
    seal = next(seals, None)
    for note in notes:
        while seal is not None and seal.position < note.id:
            yield None, seal
            seal = next(seals, None)
        if seal is not None and seal.position == note.id:
            yield note, seal
            seal = next(seals, None)
        else:
            yield note, None
    while seal is not None:
        yield None, seal
        seal = next(seals, None)


def _link_problem(result: Verification, note: Any, seal: Any) -> Problem | None:
    """Extend the chain by one event; a problem if it does not match the seal there."""
    if note is None:
        return Problem(
            f"position {seal.position} was sealed but its event is missing: removed",
            seal.position,
        )
    result.events += 1
    if seal is None:
        return Problem.about(note, "has no seal: inserted afterwards")
    head = chain(result.head, note)
    if head != seal.hash:
        return Problem.about(note, "does not match its seal: altered, or moved from elsewhere")
    result.head = head
    return None


def _content_problem(app: LedgerApp, note: Any) -> Problem | None:
    """An event that cannot be decoded, or moves money whose legs do not sum to zero."""
    try:
        event = app.mapper.to_domain_event(note)
    except Exception as e:  # a tampered payload may not even decode
        return Problem.about(note, f"cannot be read: {type(e).__name__}")
    legs = getattr(event, "legs", None)
    if legs and residual(legs.values()) != 0:
        return Problem.about(note, "moves money whose legs do not sum to zero")
    return None
