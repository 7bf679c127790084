"""Statements, as-at and rebuild on years of history, beside raw SQL floors.

History: `people` people with `years` years each (see `workload.py`), applied
in batches. Each report's time is set beside a raw indexed SELECT of the rows
it reads, in the same run on the same database; the rebuild beside a raw scan
of the events plus a bulk insert of as many rows.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, bindparam, text

from bench.common import Figure, database, timed
from bench.workload import PROVIDERS, people
from isf_ledger.adapters.event_store import events_table
from isf_ledger.bootstrap import init_ledger
from isf_ledger.domain.base import aggregate_id
from isf_ledger.projections.agreement_weeks import HOURS_RECORDED_TOPIC
from isf_ledger.projections.runner import instant
from isf_ledger.settings import Settings

BATCH = 20_000
REPEAT = 5


def _best(func) -> float:  # type: ignore[no-untyped-def]
    return min(timed(func)[0] for _ in range(REPEAT))


def _load(ledger, count: int, years: int) -> int:  # type: ignore[no-untyped-def]
    lines = [json.dumps(c) for c in people(count, years)]
    for start in range(0, len(lines), BATCH):
        part = list(enumerate(lines[start : start + BATCH], start=1))
        result = ledger.apply(part)
        assert not result.errors, result.errors[:3]
    return len(lines)


def _rebuild_floors(ledger, table: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Seconds to read every event and insert it whole into a bare table, and a narrow row of it."""
    with ledger.engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE floor_events AS SELECT * FROM {table} WHERE 1 = 0"))
        conn.execute(text("CREATE TABLE floor_copy (n bigint, topic text, state text)"))
    columns = "originator_id, originator_version, topic, state"

    def whole() -> None:
        with ledger.engine.begin() as conn:
            rows = conn.execute(text(f"SELECT {columns} FROM {table}")).all()
            conn.execute(
                text(f"INSERT INTO floor_events ({columns}) VALUES (:o, :v, :t, :s)"),
                [{"o": r[0], "v": r[1], "t": r[2], "s": r[3]} for r in rows],
            )

    def narrow() -> None:
        with ledger.engine.begin() as conn:
            rows = conn.execute(text(f"SELECT originator_id, topic FROM {table}")).all()
            conn.execute(
                text("INSERT INTO floor_copy VALUES (:n, :t, :s)"),
                [{"n": i, "t": r.topic, "s": str(r.originator_id)} for i, r in enumerate(rows)],
            )

    return timed(whole)[0], timed(narrow)[0]


def _stored_keys(conn: Connection, ids: list[UUID]) -> list[Any]:
    """Aggregate ids as the event table stores them: uuid on PostgreSQL, hex on SQLite."""
    return ids if conn.dialect.name == "postgresql" else [k.hex for k in ids]


def run(kinds: list[str], *, quick: bool = False, scale: float = 1.0) -> list[Figure]:
    count, years = (200, 2) if quick else (max(PROVIDERS, round(5000 * scale)), 5)
    month = "2023-10" if quick else "2026-10"
    figures: list[Figure] = []
    for kind in kinds:
        with database(kind) as url:
            figures += _measure(kind, url, count, years, month)
    return figures


def _measure(kind: str, url: str, count: int, years: int, month: str) -> list[Figure]:
    ledger = init_ledger(Settings(db_url=url))
    commands = _load(ledger, count, years)
    as_at = instant(datetime.now(UTC))
    time.sleep(0.01)
    # A later, backdated correction so as-at has something to leave out.
    ledger.apply(
        [
            (
                1,
                json.dumps(
                    {
                        "command_id": "late-1",
                        "type": "RecordCost",
                        "agreement_id": "A0-0",
                        "on": "2022-05-02",
                        "amount": "10.00",
                        "description": "late receipt",
                    }
                ),
            )
        ],
    )
    provider, person = "PRV0", "P0"
    # Timed first: on SQLite a transaction holds the write lock from its BEGIN, so the
    # statements must not wait behind the floors' connection below.
    stmt = _best(lambda: ledger.provider_statement(provider, month))
    stmt_at = _best(lambda: ledger.provider_statement(provider, month, as_at=as_at))
    pers = _best(lambda: ledger.person_statement(person))
    with ledger.engine.connect() as conn:
        agreement_ids = [
            aggregate_id("agreement", f"A{p}-{y}")
            for p in range(0, count, PROVIDERS)
            for y in range(years)
        ]
        accounts = [f"isf:A{p}-{y}" for p in range(0, count, PROVIDERS) for y in range(years)]
        table = events_table(ledger.app)
        keys = _stored_keys(conn, agreement_ids)
        raw_legs = text(
            "SELECT * FROM ledger_legs WHERE account IN :a AND effective <= :m"
        ).bindparams(bindparam("a", expanding=True))
        raw_events = text(f"SELECT * FROM {table} WHERE originator_id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        )
        # A provider statement reads its agreements' events but their weeks of
        # hours, which it takes from the weeks read model (its last month and a review).
        raw_terms = text(
            f"SELECT * FROM {table} WHERE originator_id IN :ids AND topic <> :hours"
        ).bindparams(bindparam("ids", expanding=True))
        raw_weeks = text(
            "SELECT * FROM agreement_weeks WHERE originator_id IN :ids AND week_start >= :since"
        ).bindparams(bindparam("ids", expanding=True))
        since = date.fromisoformat(f"{month}-01") - timedelta(weeks=3)

        def raw_p() -> None:
            conn.execute(raw_legs, {"a": accounts, "m": date.fromisoformat(f"{month}-28")}).all()
            conn.execute(raw_terms, {"ids": keys, "hours": HOURS_RECORDED_TOPIC}).all()
            conn.execute(raw_weeks, {"ids": [k.hex for k in agreement_ids], "since": since}).all()

        floor_p = _best(raw_p)
        # The rows a person statement reads: the person's subjects (budgets,
        # agreements, cards), the budgets and their option choices (events), the
        # latest budget's fund's legs and its card's month sums (its rows have no
        # index by card since migration 0014; the statement reads the sums).
        person_keys = _stored_keys(
            conn,
            [aggregate_id(kind, f"B0-{y}") for y in range(years) for kind in ("budget", "options")],
        )
        raw_person_legs = text("SELECT * FROM ledger_legs WHERE account IN :a").bindparams(
            bindparam("a", expanding=True)
        )
        raw_card = text("SELECT * FROM card_month_totals WHERE card_id = :c")
        person_accounts = [f"isf:A0-{years - 1}", f"card:C0-{years - 1}"]

        raw_subjects = text("SELECT * FROM audit_subjects WHERE person_id = :p AND kind IN :k")
        raw_subjects = raw_subjects.bindparams(bindparam("k", expanding=True))

        def raw_q() -> None:
            conn.execute(raw_subjects, {"p": person, "k": ["budget", "agreement", "card"]}).all()
            conn.execute(raw_events, {"ids": person_keys}).all()
            conn.execute(raw_person_legs, {"a": person_accounts}).all()
            conn.execute(raw_card, {"c": f"C0-{years - 1}"}).all()

        floor_q = _best(raw_q)
    figures = [
        Figure(
            "reports",
            kind,
            f"provider statement ({count // PROVIDERS} people)",
            stmt * 1000,
            "ms",
            floor_p * 1000,
            "raw indexed SELECT of its rows",
        ),
        Figure(
            "reports",
            kind,
            "provider statement --as-at",
            stmt_at * 1000,
            "ms",
            stmt * 1000,
            "the current statement",
        ),
        Figure(
            "reports",
            kind,
            "person statement",
            pers * 1000,
            "ms",
            floor_q * 1000,
            "raw indexed SELECT of its rows (subjects, events, legs, card rows)",
        ),
    ]
    events = ledger.app.recorder.max_notification_id() or 0

    rebuild_s = timed(ledger.rebuild)[0]
    whole_s, narrow_s = _rebuild_floors(ledger, table)
    what = f"projections rebuild ({events:,} events, {commands:,} commands)"
    for floor_s, floor_what in (
        (whole_s, "raw scan + bulk insert of the same events (id, version, type, payload)"),
        (
            narrow_s,
            "raw scan + bulk insert of a number, the type and the id of each event "
            "(the floor of earlier rounds)",
        ),
    ):
        figures.append(
            Figure(
                "reports", kind, what, events / rebuild_s, "events/s", events / floor_s, floor_what
            )
        )
    ledger.close()
    return figures
