"""The audit trail: every recorded change, who made it, why, and when.

One row per event, oldest first, with its recording time, business date,
type, actor, reason and command id. Each row also names the person, budget,
agreement and card it concerns, so auditors can follow one person or one card:
an aggregate's subjects are resolved once, from the ids in its first event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple, TypedDict, Unpack

from eventsourcing.utils import resolve_topic
from sqlalchemy import BigInteger, Column, Connection, Date, String, Table, Text, select

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.schema import metadata
from isf_ledger.projections.runner import Recorded

SUBJECTS = ("person_id", "provider_id", "budget_id", "agreement_id", "card_id")
PARENTS = ("agreement_id", "card_id", "budget_id")  # what a new aggregate may hang from
_NOT_DATA = ("command_id", "effective")  # columns of their own
COMMAND_ACCEPTED = "CommandRecord.Accepted"

audit_subjects = Table(
    "audit_subjects",
    metadata,
    Column("originator_id", String(32), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("ref", String(64), nullable=False),
    Column("person_id", String(64)),
    Column("provider_id", String(64)),
    Column("budget_id", String(64)),
    Column("agreement_id", String(64)),
    Column("card_id", String(64)),
)

audit_commands = Table(
    "audit_commands",
    metadata,
    Column("command_id", String(64), primary_key=True),
    Column("command_type", String(64), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("actor", Text),
    Column("reason", Text),
    Column("recorded_at", String(32), nullable=False),
)

audit_trail = Table(
    "audit_trail",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("recorded_at", String(32), nullable=False, index=True),
    Column("effective", Date),
    Column("type", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ref", String(64), nullable=False),
    Column("person_id", String(64), index=True),
    Column("provider_id", String(64), index=True),
    Column("budget_id", String(64), index=True),
    Column("agreement_id", String(64), index=True),
    Column("card_id", String(64), index=True),
    Column("command_id", String(64), nullable=False),
    Column("actor", Text),
    Column("reason", Text),
    Column("data", Text, nullable=False),
)


@dataclass
class AuditTrail:
    name: str = "audit_trail"
    tables: tuple[Table, ...] = (audit_subjects, audit_commands, audit_trail)
    reads: tuple[Table, ...] = (audit_subjects, audit_commands)

    def project(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        # The commands' rows as they are written (a batch may hold tens of thousands).
        commands = {
            rec.event.command_id: _command(rec) for rec in batch if rec.type == COMMAND_ACCEPTED
        }
        changes = [rec for rec in batch if rec.type != COMMAND_ACCEPTED]
        # What the changes need from earlier batches, in one query each: the
        # subjects of aggregates begun before, and commands recorded before.
        keys = [rec.event.originator_id.hex for rec in changes]  # once each: not a cheap call
        begun = {
            key for key, r in zip(keys, changes, strict=True) if r.event.originator_version == 1
        }
        subjects = _rows_by(conn, audit_subjects, set(keys) - begun)
        command_ids = {rec.event.command_id for rec in changes}
        said = {  # who asked and why, by command id: earlier commands, then the batch's
            command_id: (row["actor"], row["reason"])
            for command_id, row in _rows_by(
                conn, audit_commands, command_ids - commands.keys()
            ).items()
        }
        said.update((row.command_id, (row.actor, row.reason)) for row in commands.values())
        parents = {
            value
            for rec in changes
            if rec.event.originator_version == 1
            for field in PARENTS
            if (value := getattr(rec.event, field, None))
        }
        by_ref = _subjects_by_ref(conn, parents)  # and the new ones, as they come
        new: list[dict[str, Any]] = []
        rows = []
        for key, rec in zip(keys, changes, strict=True):
            event = rec.event
            if event.originator_version == 1:
                kind = resolve_topic(event.originator_topic).KIND
                # Its ids as the event holds them: text, no need to encode them.
                subject = subjects[key] = _subject(by_ref, key, kind, vars(event))
                by_ref[kind, subject["ref"]] = subject
                new.append(subject)
            else:
                subject = subjects[key]
            actor, reason = said.get(event.command_id, (None, None))
            effective = event.effective
            rows.append(
                (
                    rec.position,
                    rec.recorded_at,
                    effective.isoformat() if effective else None,
                    rec.type,
                    subject["kind"],
                    subject["ref"],
                    *(subject[s] for s in SUBJECTS),
                    event.command_id,
                    actor,
                    reason,
                    rec.data_json(leave_out=_NOT_DATA),
                )
            )
        insert_rows(conn, audit_commands.name, audit_commands.c.keys(), list(commands.values()))
        _insert(conn, audit_subjects, new)
        insert_rows(conn, audit_trail.name, audit_trail.c.keys(), rows)


class CommandRow(NamedTuple):
    """A command's row, in `audit_commands`' column order."""

    command_id: str
    command_type: str
    digest: str
    actor: str | None
    reason: str | None
    recorded_at: str


def _command(rec: Recorded) -> CommandRow:
    event = rec.event
    return CommandRow(
        event.command_id,
        event.command_type,
        event.digest,
        event.actor,
        event.reason,
        rec.recorded_at,
    )


def _rows_by(conn: Connection, table: Table, keys: set[str]) -> dict[str, dict[str, Any]]:
    """Rows of `table` by primary key, for every key in `keys` that has one."""
    (column,) = table.primary_key.columns
    found: dict[str, dict[str, Any]] = {}
    for part in _chunks(keys):
        found.update(
            (row[0], dict(row._mapping))
            for row in conn.execute(select(table).where(column.in_(part)))
        )
    return found


def _insert(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    columns = table.c.keys()
    insert_rows(conn, table.name, columns, [tuple(row[c] for c in columns) for row in rows])


def _subject(
    known: dict[tuple[str, str], dict[str, Any]], key: str, kind: str, data: dict
) -> dict[str, Any]:
    """Who and what a new aggregate concerns, from the ids in its first event.

    A first event names its own id as `<kind>_id` (an aggregate that belongs to
    a budget, like its option choice, may use `budget_id`), and the ids of the
    person, budget, agreement or card it hangs from.
    """
    ref = data.get(f"{kind}_id") or data["budget_id"]
    subject: dict[str, Any] = {s: data.get(s) for s in SUBJECTS}
    if f"{kind}_id" in SUBJECTS:
        subject[f"{kind}_id"] = ref
    for parent in PARENTS:
        if subject.get(parent) and not all(subject.get(s) for s in SUBJECTS):
            above = known.get((parent.removesuffix("_id"), subject[parent]))
            if above:
                for s in SUBJECTS:
                    subject[s] = subject.get(s) or above[s]
    return {
        "originator_id": key,
        "kind": kind,
        "ref": ref,
        **{s: subject.get(s) for s in SUBJECTS},
    }


def _subjects_by_ref(conn: Connection, refs: set[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """Stored subjects that new aggregates may hang from, by kind and ref."""
    kinds = [parent.removesuffix("_id") for parent in PARENTS]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    t = audit_subjects
    for part in _chunks(refs):
        query = select(t).where(t.c.kind.in_(kinds), t.c.ref.in_(part))
        found.update(((row.kind, row.ref), dict(row._mapping)) for row in conn.execute(query))
    return found


def _chunks(keys: set[str]) -> Iterator[list[str]]:
    """`keys` in order, a few hundred at a time: SQLite takes at most 32,766 parameters."""
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):
        yield ordered[start : start + 500]


@dataclass(frozen=True)
class Change:
    """One recorded change, as the audit trail shows it."""

    position: int
    recorded_at: str
    effective: date | None
    type: str
    subject: str
    actor: str | None
    reason: str | None
    command_id: str
    data: dict[str, Any]


class TrailFilter(TypedDict, total=False):
    """Which changes an audit trail shows: those concerning a subject, effective
    between two dates, recorded by an instant (a fixed-width UTC instant)."""

    person: str | None
    provider: str | None
    budget: str | None
    agreement: str | None
    card: str | None
    since: date | None
    until: date | None
    as_at: str | None


def trail(conn: Connection, **where: Unpack[TrailFilter]) -> list[Change]:
    """Recorded changes, oldest first, filtered by subject and effective dates.

    `as_at` leaves out what was recorded later.
    """
    t = audit_trail
    query = select(t).order_by(t.c.position)
    for subject in ("person", "provider", "budget", "agreement", "card"):
        value = where.get(subject)
        if value is not None:
            query = query.where(t.c[f"{subject}_id"] == value)
    if since := where.get("since"):
        query = query.where(t.c.effective >= since)
    if until := where.get("until"):
        query = query.where(t.c.effective <= until)
    if as_at := where.get("as_at"):
        query = query.where(t.c.recorded_at <= as_at)
    return [
        Change(
            position=row.position,
            recorded_at=row.recorded_at,
            effective=row.effective,
            type=row.type,
            subject=f"{row.kind} {row.ref}",
            actor=row.actor,
            reason=row.reason,
            command_id=row.command_id,
            data=json.loads(row.data),
        )
        for row in conn.execute(query)
    ]
