"""The audit trail: every recorded change, who made it, why, and when.

One row per event, oldest first, with its recording time, business date,
type, actor, reason and command id. Each row also names the person, budget,
agreement and card it concerns, so auditors can follow one person or one card:
an aggregate's subjects are resolved once, from the ids in its first event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import resolve_topic
from sqlalchemy import BigInteger, Column, Connection, Date, String, Table, Text, select

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.schema import metadata
from isf_ledger.projections.runner import Recorded

SUBJECTS = ("person_id", "provider_id", "budget_id", "agreement_id", "card_id")
_NOT_DATA = ("command_id", "effective")  # columns of their own

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

    def project(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        subjects: dict[str, dict[str, Any]] = {}  # by aggregate, as met in this batch
        new: list[dict[str, Any]] = []
        by_ref: dict[tuple[str, str], dict[str, Any]] = {}  # the new ones, by kind and ref
        commands: dict[str, dict[str, Any]] = {}
        rows = []
        for rec in batch:
            event = rec.event
            key = event.originator_id.hex
            if rec.type == "CommandRecord.Accepted":
                commands[event.command_id] = {
                    "command_id": event.command_id,
                    "command_type": event.command_type,
                    "digest": event.digest,
                    "actor": event.actor,
                    "reason": event.reason,
                    "recorded_at": rec.recorded_at,
                }
                continue
            if event.originator_version == 1:
                kind = resolve_topic(event.originator_topic).KIND
                subject = subjects[key] = _subject(conn, by_ref, key, kind, rec.data)
                by_ref[kind, subject["ref"]] = subject
                new.append(subject)
            else:
                subject = subjects.get(key) or _load_subject(conn, key)
                subjects[key] = subject
            command = commands.get(event.command_id) or _load_command(conn, event.command_id)
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
                    command["actor"] if command else None,
                    command["reason"] if command else None,
                    rec.data_json(leave_out=_NOT_DATA),
                )
            )
        _insert(conn, audit_commands, commands.values())
        _insert(conn, audit_subjects, new)
        insert_rows(conn, audit_trail.name, audit_trail.c.keys(), rows)


def _insert(conn: Connection, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    columns = table.c.keys()
    insert_rows(conn, table.name, columns, [tuple(row[c] for c in columns) for row in rows])


def _subject(
    conn: Connection, known: dict[tuple[str, str], dict[str, Any]], key: str, kind: str, data: dict
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
    for parent in ("agreement_id", "card_id", "budget_id"):
        if subject.get(parent) and not all(subject.get(s) for s in SUBJECTS):
            above = _find_by_ref(conn, known, parent, subject[parent])
            if above:
                for s in SUBJECTS:
                    subject[s] = subject.get(s) or above[s]
    return {
        "originator_id": key,
        "kind": kind,
        "ref": ref,
        **{s: subject.get(s) for s in SUBJECTS},
    }


def _find_by_ref(
    conn: Connection, known: dict[tuple[str, str], dict[str, Any]], field: str, ref: str
) -> dict[str, Any] | None:
    kind = field.removesuffix("_id")
    if (kind, ref) in known:
        return known[kind, ref]
    row = conn.execute(
        select(audit_subjects).where(audit_subjects.c.kind == kind, audit_subjects.c.ref == ref)
    ).first()
    return dict(row._mapping) if row else None


def _load_subject(conn: Connection, key: str) -> dict[str, Any]:
    row = conn.execute(select(audit_subjects).where(audit_subjects.c.originator_id == key)).one()
    return dict(row._mapping)


def _load_command(conn: Connection, command_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(audit_commands).where(audit_commands.c.command_id == command_id)
    ).first()
    return dict(row._mapping) if row else None


def trail(
    conn: Connection,
    *,
    person: str | None = None,
    provider: str | None = None,
    budget: str | None = None,
    agreement: str | None = None,
    card: str | None = None,
    since: str | None = None,
    until: str | None = None,
    as_at: str | None = None,
) -> list[dict[str, Any]]:
    """Recorded changes, oldest first, filtered by subject and effective dates.

    `as_at` (a fixed-width UTC instant) leaves out what was recorded later.
    """
    t = audit_trail
    query = select(t).order_by(t.c.position)
    for column, value in (
        (t.c.person_id, person),
        (t.c.provider_id, provider),
        (t.c.budget_id, budget),
        (t.c.agreement_id, agreement),
        (t.c.card_id, card),
    ):
        if value is not None:
            query = query.where(column == value)
    if since:
        query = query.where(t.c.effective >= since)
    if until:
        query = query.where(t.c.effective <= until)
    if as_at:
        query = query.where(t.c.recorded_at <= as_at)
    return [
        {
            "position": row.position,
            "recorded_at": row.recorded_at,
            "effective": row.effective.isoformat() if row.effective else None,
            "type": row.type,
            "subject": f"{row.kind} {row.ref}",
            "actor": row.actor,
            "reason": row.reason,
            "command_id": row.command_id,
            "data": json.loads(row.data),
        }
        for row in conn.execute(query)
    ]
