"""Personal data stays out of the raw store, forgetting is for good, and events can be
encrypted at rest: checked on the bytes the databases hold, on both databases."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from isf_ledger.adapters.event_store import events_table, new_at_rest_key
from isf_ledger.adapters.personal_data import FORGOTTEN
from isf_ledger.adapters.schema import person_keys
from isf_ledger.application.apply import digest
from isf_ledger.bootstrap import open_ledger
from isf_ledger.domain.person import Person
from isf_ledger.settings import Settings
from tests.e2e.test_cli_apply import write_jsonl
from tests.integration.raw_store import raw_store

NAMES = ["Philomena Quarrington-Smythe", "Bartholomew Zylberstein"]
PAN = "4539148803436467"  # passes the Luhn check, as a real card number does
OTHER_PAN = "5500000000000004"
LEDGER = [
    {"command_id": "c1", "type": "RegisterPerson", "person_id": "P1", "authority": "CITY",
     "name": NAMES[0], "actor": "ann", "reason": "new referral"},
    {"command_id": "c2", "type": "RegisterPerson", "person_id": "P2", "authority": "CITY",
     "name": NAMES[1]},
    {"command_id": "c3", "type": "RegisterProvider", "provider_id": "PR1",
     "name": f"Acme Care (paid on {OTHER_PAN})", "framework": "on"},
    {"command_id": "c4", "type": "ProposeBudget", "budget_id": "B1", "person_id": "P1",
     "start": "2026-04-06", "amount": "13000.00", "method": "RAS"},
    {"command_id": "c5", "type": "AgreeBudget", "budget_id": "B1", "agreed_on": "2026-04-01"},
    {"command_id": "c6", "type": "IssueCard", "card_id": "C1", "person_id": "P1",
     "budget_id": "B1", "last4": "6467"},
    {"command_id": "c7", "type": "ReviseBudget", "budget_id": "B1", "amount": "14000.00",
     "effective": "2026-06-01", "reason": "card 4539 1488 0343 6467 lost, replaced",
     "actor": f"ann (card {PAN})"},
    {"command_id": "c8", "type": "SchedulePayments", "schedule_id": "S1", "budget_id": "B1",
     "option": 1, "payee": "C1", "frequency": "monthly", "first_due": "2026-04-06",
     "amount": "1200.00"},
    {"command_id": "c9", "type": "RecordPayment", "schedule_id": "S1", "period": 1,
     "paid_on": "2026-04-06"},
    {"command_id": "c10", "type": "RegisterBankAccount", "account_id": "P1-BANK", "owner": "P1",
     "sort_code": "30-96-34", "account_number": "73920418", "account_name": NAMES[0]},
    {"command_id": "c11", "type": "RegisterBankAccount", "account_id": "PR1-BANK",
     "owner": "PR1", "sort_code": "404784", "account_number": "41926307",
     "account_name": "Acme Care"},
]  # fmt: skip
ACCOUNTS = ("73920418", "41926307", "7392041", "4192630")


def cli(*args: str, key: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real command, with `key` (or none) as the at-rest key."""
    env = {k: v for k, v in os.environ.items() if k != "ISF_LEDGER_AT_REST_KEY"}
    if key is not None:
        env["ISF_LEDGER_AT_REST_KEY"] = key
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120, env=env
    )


def applied(url: str, tmp_path: Path, key: str | None = None) -> None:
    assert cli("init", "--db", url, key=key).returncode == 0
    out = cli("apply", write_jsonl(tmp_path / "ledger.jsonl", LEDGER), "--db", url, key=key)
    assert out.returncode == 0, out.stderr


def stored_states(url: str, key: str | None = None) -> list[bytes]:
    ledger = open_ledger(Settings(db_url=url, at_rest_key=key))
    try:
        with ledger.engine.connect() as conn:
            return [
                bytes(s)
                for s in conn.scalars(text(f"SELECT state FROM {events_table(ledger.app)}"))
            ]
    finally:
        ledger.close()


def test_no_name_or_full_card_number_reaches_the_raw_store(db_url, tmp_path):
    applied(db_url, tmp_path)
    assert cli("forget", "person", "P2", "--db", db_url).returncode == 0
    raw = raw_store(db_url).lower()
    for name in NAMES:
        for part in name.lower().split():
            assert part.encode() not in raw, part
    for number in (PAN, OTHER_PAN, PAN[:12], "4539 1488 0343"):
        assert number.encode() not in raw, number
    for number in ACCOUNTS:
        assert number.encode() not in raw, number
    assert b"****6467" in raw and b"****0004" in raw  # what was kept instead


def name_of(url: str, person_id: str) -> tuple[str | None, bool]:
    """The person's name as the ledger can read it now, and whether they were forgotten."""
    ledger = open_ledger(Settings(db_url=url))
    try:
        aggregate_id = Person.id_for(person_id)
        registered = ledger.app.repository.get(aggregate_id, version=1)
        now = ledger.app.repository.get(aggregate_id)
        return ledger.keys.unseal(person_id, registered.sealed_name), now.forgotten
    finally:
        ledger.close()


def test_forgetting_a_person_makes_their_name_unreadable_and_keeps_every_balance(db_url, tmp_path):
    applied(db_url, tmp_path)
    statement = ("statement", "person", "--person", "P1", "--format", "json", "--db", db_url)
    before = cli(*statement)
    head = json.loads(cli("audit", "verify", "--db", db_url, "--format", "json").stdout)["head"]
    assert name_of(db_url, "P1") == (NAMES[0], False)

    out = cli("forget", "person", "P1", "--db", db_url, "--reason", "erasure request 42")
    assert (out.returncode, out.stdout) == (
        0,
        "forgot person P1: their name can no longer be read\n",
    )

    assert name_of(db_url, "P1") == (FORGOTTEN, True)
    assert name_of(db_url, "P2") == (NAMES[1], False)  # nobody else's
    after = cli(*statement)
    assert after.returncode == 0 and after.stdout == before.stdout
    verified = cli("audit", "verify", "--db", db_url, "--recorded-head", head)
    assert verified.returncode == 0, verified.stderr
    trail = json.loads(
        cli("audit", "trail", "--person", "P1", "--format", "json", "--db", db_url).stdout
    )
    assert (trail[-1]["type"], trail[-1]["reason"], trail[-1]["data"]) == (
        "Person.Forgotten",
        "erasure request 42",
        {},
    )
    again = cli("forget", "person", "P1", "--db", db_url, "--reason", "erasure request 42")
    assert again.returncode == 0


def test_forgetting_someone_unknown_is_a_plain_error(db_url):
    cli("init", "--db", db_url)
    out = cli("forget", "person", "NOBODY", "--db", db_url)
    assert (out.returncode, out.stdout, out.stderr) == (
        1,
        "",
        "isf-ledger: unknown person NOBODY\n",
    )


def test_a_forgotten_key_leaves_no_copy_in_the_sqlite_file(sqlite_url, tmp_path):
    applied(sqlite_url, tmp_path)
    ledger = open_ledger(Settings(db_url=sqlite_url))
    with ledger.engine.connect() as conn:
        key = conn.scalar(select(person_keys.c.key).where(person_keys.c.person_id == "P1"))
    ledger.close()
    assert key in raw_store(sqlite_url)
    assert cli("forget", "person", "P1", "--db", sqlite_url).returncode == 0
    assert key not in raw_store(sqlite_url)


def test_events_can_be_encrypted_at_rest_and_need_their_key(db_url, tmp_path):
    made = cli("keys", "new")
    key = made.stdout.strip()
    assert made.returncode == 0 and len(base64.b64decode(key)) == 32
    applied(db_url, tmp_path, key=key)

    states = stored_states(db_url, key)
    # A command record and an event a command, and two more: a provider's account
    # also names it the payee, and the budget records that the schedule was checked.
    assert len(states) == 2 * len(LEDGER) + 2
    for state in states:
        with pytest.raises(ValueError):
            json.loads(state)
        for readable in (b"_type_", b"command_id", b"13000.00", b"RegisterPerson"):
            assert readable not in state
    statement = ("statement", "person", "--person", "P1", "--format", "json", "--db", db_url)
    shown = cli(*statement, key=key)
    assert shown.returncode == 0 and json.loads(shown.stdout)["budget"] == "14000.00"
    assert cli("audit", "verify", "--db", db_url, key=key).returncode == 0

    newcomer = {"command_id": "c10", "type": "RegisterPerson", "person_id": "P3", "authority": "X"}
    more = write_jsonl(tmp_path / "more.jsonl", [newcomer])
    wrong = new_at_rest_key()
    for attempt, why in (
        (cli(*statement, key=wrong), "is not the key they were written with"),
        (cli("apply", more, "--db", db_url, key=wrong), "is not the key they were written with"),
        (cli(*statement), "stored events are encrypted: set ISF_LEDGER_AT_REST_KEY"),
        (cli(*statement, key="not-a-key"), "ISF_LEDGER_AT_REST_KEY is not a key"),
    ):
        assert attempt.returncode == 1
        assert attempt.stdout == ""
        assert len(attempt.stderr.splitlines()) == 1 and why in attempt.stderr, attempt.stderr
    assert len(stored_states(db_url, key)) == len(states)  # nothing written with a wrong key


def test_a_key_given_to_a_ledger_stored_in_clear_is_refused(db_url, tmp_path):
    applied(db_url, tmp_path)
    out = cli("audit", "verify", "--db", db_url, key=cli("keys", "new").stdout.strip())
    assert out.returncode == 1
    assert out.stderr == (
        "isf-ledger: stored events are not encrypted: unset ISF_LEDGER_AT_REST_KEY "
        "(encryption at rest is chosen when a ledger is created)\n"
    )


def test_a_commands_fingerprint_is_taken_with_card_numbers_masked():
    typed = {"command_id": "c1", "reason": "card 4539 1488 0343 6467 lost"}
    assert digest(typed) == digest({"command_id": "c1", "reason": "card ****6467 lost"})
