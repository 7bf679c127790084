"""Tamper evidence, forgetting a person, and no personal data in the raw store."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import psycopg
import pytest
from sqlalchemy import text

from isf_ledger.adapters.database import parse_url
from isf_ledger.adapters.event_store import events_table
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings
from tests.e2e.test_cli_apply import write_jsonl

NAME = "Euphemia Quarrington-Smythe"
PAN = "4111111111111111"
COMMANDS = [
    {
        "command_id": "1",
        "type": "RegisterPerson",
        "person_id": "P1",
        "authority": "CITY",
        "name": NAME,
    },
    {
        "command_id": "2",
        "type": "ProposeBudget",
        "budget_id": "B1",
        "person_id": "P1",
        "start": "2026-04-06",
        "amount": "13000.00",
        "method": "RAS",
    },
    {"command_id": "3", "type": "AgreeBudget", "budget_id": "B1", "agreed_on": "2026-04-01"},
    {
        "command_id": "4",
        "type": "IssueCard",
        "card_id": "C1",
        "person_id": "P1",
        "budget_id": "B1",
        "last4": "1111",
    },
    {
        "command_id": "5",
        "type": "SchedulePayments",
        "schedule_id": "S1",
        "budget_id": "B1",
        "option": 1,
        "payee": "C1",
        "frequency": "monthly",
        "first_due": "2026-04-06",
        "amount": "1200.00",
    },
    {
        "command_id": "6",
        "type": "RecordPayment",
        "schedule_id": "S1",
        "period": 1,
        "paid_on": "2026-04-06",
    },
    {
        "command_id": "7",
        "type": "ReviseBudget",
        "budget_id": "B1",
        "amount": "14000.00",
        "effective": "2026-06-01",
        "reason": f"card {PAN} was lost, replaced",
    },
]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def ledger_url(db_url, tmp_path):
    result = cli("apply", write_jsonl(tmp_path / "c.jsonl", COMMANDS), "--db", db_url)
    assert result.returncode == 0, result.stderr
    return db_url


def tamper(url: str, *statements: str) -> None:
    ledger = init_ledger(Settings(db_url=url))
    table = events_table(ledger.app)
    position = "notification_id" if ledger.db.is_postgres else "rowid"
    with ledger.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement.format(table=table, position=position)))
    ledger.close()


def verify(url: str) -> subprocess.CompletedProcess[str]:
    return cli("audit", "verify", "--db", url)


def test_an_untouched_ledger_verifies(ledger_url):
    result = verify(ledger_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("verified 14 events; chain head ")


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (["UPDATE {table} SET topic = topic || 'x' WHERE {position} = 5"], "position 5 ("),
        (
            ["DELETE FROM {table} WHERE {position} = 6"],
            "position 6 was sealed but its event is missing",
        ),
        (
            [
                "UPDATE {table} SET originator_version = originator_version + 100 "
                "WHERE {position} = 9"
            ],
            "position 9 (",
        ),
    ],
    ids=["changed", "removed", "renumbered"],
)
def test_every_tamper_is_caught_and_named(ledger_url, statements, expected):
    tamper(ledger_url, *statements)
    result = verify(ledger_url)
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_a_changed_payload_is_caught(ledger_url):
    ledger = init_ledger(Settings(db_url=ledger_url))
    table = events_table(ledger.app)
    position = "notification_id" if ledger.db.is_postgres else "rowid"
    with ledger.engine.begin() as conn:
        state = conn.scalar(text(f"SELECT state FROM {table} WHERE {position} = 12"))
        forged = bytes(state).replace(b"{", b"{ ", 1)  # same JSON, different bytes
        assert forged != bytes(state)
        conn.execute(text(f"UPDATE {table} SET state = :s WHERE {position} = 12"), {"s": forged})
    ledger.close()
    result = verify(ledger_url)
    assert result.returncode == 1
    assert "position 12 (" in result.stderr and "altered" in result.stderr


def test_swapped_payloads_are_caught(ledger_url):
    ledger = init_ledger(Settings(db_url=ledger_url))
    table = events_table(ledger.app)
    position = "notification_id" if ledger.db.is_postgres else "rowid"
    with ledger.engine.begin() as conn:
        a = conn.scalar(text(f"SELECT state FROM {table} WHERE {position} = 3"))
        b = conn.scalar(text(f"SELECT state FROM {table} WHERE {position} = 4"))
        conn.execute(text(f"UPDATE {table} SET state = :s WHERE {position} = 3"), {"s": b})
        conn.execute(text(f"UPDATE {table} SET state = :s WHERE {position} = 4"), {"s": a})
    ledger.close()
    result = verify(ledger_url)
    assert result.returncode == 1
    assert "position 3 (" in result.stderr


def test_an_inserted_event_is_caught(ledger_url):
    ledger = init_ledger(Settings(db_url=ledger_url))
    table = events_table(ledger.app)
    forged_id = uuid.uuid4()
    with ledger.engine.begin() as conn:
        row = conn.execute(
            text(f"SELECT topic, state FROM {table} ORDER BY originator_id LIMIT 1")
        ).one()
        conn.execute(
            text(
                f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
                "VALUES (:o, 1, :t, :s)"
            ),
            {
                "o": forged_id if ledger.db.is_postgres else forged_id.hex,
                "t": row.topic,
                "s": row.state,
            },
        )
    ledger.close()
    result = verify(ledger_url)
    assert result.returncode == 1
    assert "has no seal: inserted afterwards" in result.stderr


def test_forgetting_a_person_leaves_every_balance_and_the_chain_intact(ledger_url):
    before = cli("statement", "person", "--person", "P1", "--format", "json", "--db", ledger_url)
    assert cli("forget", "person", "P1", "--db", ledger_url).returncode == 0
    ledger = init_ledger(Settings(db_url=ledger_url))
    from isf_ledger.adapters.event_store import load_aggregates
    from isf_ledger.domain.person import Person

    with ledger.engine.connect() as conn:
        person = load_aggregates(conn, ledger.app, [Person.id_for("P1")])[Person.id_for("P1")]
        registered = conn.scalar(
            text("SELECT data FROM audit_trail WHERE type = 'Person.Registered'")
        )
    sealed = json.loads(registered)["sealed_name"]
    assert ledger.keys.unseal("P1", sealed) == "(forgotten)"
    assert person.forgotten
    ledger.close()
    after = cli("statement", "person", "--person", "P1", "--format", "json", "--db", ledger_url)
    assert after.stdout == before.stdout
    assert verify(ledger_url).returncode == 0


def raw_dump(url: str) -> bytes:
    """Every byte a database holds for this ledger, as near as we can get."""
    db = parse_url(url)
    if not db.is_postgres:
        import sqlite3

        conn = sqlite3.connect(db.path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        with open(db.path, "rb") as f:
            return f.read()
    dump = b""
    with psycopg.connect(f"host={db.host} port={db.port} user={db.user} dbname={db.dbname}") as c:
        tables = c.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (db.schema,)
        ).fetchall()
        for (table,) in tables:
            for row in c.execute(f'SELECT * FROM "{db.schema}"."{table}"'):
                dump += repr(row).encode() + b"".join(
                    bytes(v) for v in row if isinstance(v, bytes | memoryview)
                )
    return dump


def test_no_name_or_full_card_number_is_in_the_raw_store(ledger_url):
    dump = raw_dump(ledger_url)
    assert NAME.encode() not in dump
    assert b"Quarrington" not in dump
    assert PAN.encode() not in dump
    assert b"****1111" in dump  # the masked form is what was kept


def test_payloads_can_be_encrypted_at_rest(db_url, tmp_path):
    from eventsourcing.cryptography import AESCipher

    key = AESCipher.create_key(32)
    file = write_jsonl(tmp_path / "c.jsonl", COMMANDS)
    assert cli("apply", file, "--db", db_url, env={"ISF_LEDGER_AT_REST_KEY": key}).returncode == 0
    ledger = init_ledger(Settings(db_url=db_url, at_rest_key=key))
    with ledger.engine.connect() as conn:
        states = conn.scalars(text(f"SELECT state FROM {events_table(ledger.app)}")).all()
    ledger.close()
    payloads = b"".join(bytes(state) for state in states)
    assert len(states) == 14
    assert b"13000.00" not in payloads and b"decimal_str" not in payloads
    ok = cli("audit", "verify", "--db", db_url, env={"ISF_LEDGER_AT_REST_KEY": key})
    assert ok.returncode == 0, ok.stderr
    wrong_key = {"ISF_LEDGER_AT_REST_KEY": AESCipher.create_key(32)}
    wrong = cli("audit", "verify", "--db", db_url, env=wrong_key)
    assert wrong.returncode == 1
    assert "cannot be read" in wrong.stderr
    wrong = cli("apply", file, "--db", db_url, env=wrong_key)
    assert wrong.returncode == 1
    assert "Traceback" not in wrong.stderr
