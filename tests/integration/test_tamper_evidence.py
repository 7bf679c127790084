"""`audit verify` catches every way of tampering with stored events, on both databases.

Each test applies a small ledger, then changes the stored rows behind the
ledger's back with plain SQL, as someone with database access could, and
expects verification to name the first record that no longer fits: its
position, aggregate, version and event type.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Row, select, text

from isf_ledger.adapters.event_store import events_table, new_at_rest_key
from isf_ledger.adapters.seal import GENESIS, event_seals, seal_new, verify
from isf_ledger.application.apply import apply_lines
from isf_ledger.bootstrap import Ledger, init_ledger, open_ledger
from isf_ledger.settings import Settings

LEDGER = [
    {"command_id": "c1", "type": "RegisterPerson", "person_id": "P1", "authority": "CITY",
     "name": "Morag Campbell"},
    {"command_id": "c2", "type": "ProposeBudget", "budget_id": "B1", "person_id": "P1",
     "start": "2026-04-06", "amount": "13000.00", "method": "RAS"},
    {"command_id": "c3", "type": "AgreeBudget", "budget_id": "B1", "agreed_on": "2026-04-01"},
    {"command_id": "c4", "type": "ReviseBudget", "budget_id": "B1", "amount": "14000.00",
     "effective": "2026-06-01", "reason": "reassessed"},
    {"command_id": "c5", "type": "IssueCard", "card_id": "C1", "person_id": "P1",
     "budget_id": "B1", "last4": "6467"},
    {"command_id": "c6", "type": "SchedulePayments", "schedule_id": "S1", "budget_id": "B1",
     "option": 1, "payee": "C1", "frequency": "monthly", "first_due": "2026-04-06",
     "amount": "1200.00"},
    {"command_id": "c7", "type": "RecordPayment", "schedule_id": "S1", "period": 1,
     "paid_on": "2026-04-06"},
]  # fmt: skip
ALTERED = "does not match its seal: altered, or moved from elsewhere"


def lines(commands: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(n, json.dumps(c)) for n, c in enumerate(commands, 1)]


@pytest.fixture
def ledger(db_url) -> Iterator[Ledger]:
    ledger = init_ledger(Settings(db_url=db_url))
    assert not apply_lines(ledger, lines(LEDGER)).errors
    yield ledger
    ledger.close()


def stored(ledger: Ledger) -> list[Row[Any]]:
    """The stored events as rows, in notification order."""
    with ledger.engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    sql(ledger, "SELECT {position} AS position, * FROM {table} ORDER BY {position}")
                )
            )
        )


def sql(ledger: Ledger, statement: str) -> str:
    """A statement on the events table, whichever database holds it."""
    position = "notification_id" if ledger.db.is_postgres else "rowid"
    return statement.format(table=events_table(ledger.app), position=position)


def tamper(ledger: Ledger, statement: str, **params: Any) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(text(sql(ledger, statement)), params)


def event(ledger: Ledger, kind: str) -> Row[Any]:
    """The first stored event of a type, e.g. `Budget.Revised`."""
    return next(row for row in stored(ledger) if row.topic.endswith(":" + kind))


def named(row: Row[Any]) -> str:
    """How verification names a stored event."""
    kind = row.topic.rsplit(":", 1)[-1]
    aggregate = UUID(str(row.originator_id))
    version = row.originator_version
    return f"event at position {row.position} ({kind}, aggregate {aggregate} v{version})"


def problems(ledger: Ledger, recorded_head: str | None = None) -> list[str]:
    return [
        p.message for p in verify(ledger.engine, ledger.app, recorded_head=recorded_head).problems
    ]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120
    )


def test_an_untouched_ledger_verifies_and_prints_its_chain_head(ledger, db_url):
    text_out = cli("audit", "verify", "--db", db_url)
    assert text_out.returncode == 0, text_out.stderr
    json_out = cli("audit", "verify", "--db", db_url, "--format", "json")
    report = json.loads(json_out.stdout)
    with ledger.engine.connect() as conn:
        last_seal = conn.execute(
            select(event_seals).order_by(event_seals.c.position.desc())
        ).first()
    events = len(stored(ledger))
    assert report == {"ok": True, "events": events, "head": last_seal.hash, "problems": []}
    assert text_out.stdout == f"verified {events} events; chain head {last_seal.hash}\n"


def test_a_changed_payload_is_named_by_position_aggregate_version_and_type(ledger, db_url):
    revised = event(ledger, "Budget.Revised")
    raised = bytes(revised.state).replace(b'"14000.00"', b'"41000.00"')
    tamper(
        ledger, "UPDATE {table} SET state = :s WHERE {position} = :p", s=raised, p=revised.position
    )
    out = cli("audit", "verify", "--db", db_url)
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr == f"isf-ledger: {named(revised)} {ALTERED}\n"
    report = json.loads(cli("audit", "verify", "--db", db_url, "--format", "json").stdout)
    assert report["ok"] is False
    assert report["events"] == revised.position
    [problem] = report["problems"]
    assert (problem["position"], problem["version"], problem["type"]) == (
        revised.position,
        revised.originator_version,
        "Budget.Revised",
    )


def test_an_event_slipped_in_behind_the_ledgers_back_is_caught(ledger, db_url):
    payment = event(ledger, "Schedule.PaymentMade")
    tamper(
        ledger,
        "INSERT INTO {table} (originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version + 1, topic, state FROM {table} "
        "WHERE {position} = :p",
        p=payment.position,
    )
    forged = stored(ledger)[-1]
    out = cli("audit", "verify", "--db", db_url)  # opening the ledger to verify seals nothing
    assert out.returncode == 1
    assert out.stderr == f"isf-ledger: {named(forged)} has no seal: inserted afterwards\n"


def test_a_removed_event_is_named_by_its_position(ledger):
    third = stored(ledger)[2]
    tamper(ledger, "DELETE FROM {table} WHERE {position} = :p", p=third.position)
    assert problems(ledger) == [
        f"position {third.position} was sealed but its event is missing: removed"
    ]


def test_removing_the_newest_event_is_caught(ledger):
    newest = stored(ledger)[-1]
    tamper(ledger, "DELETE FROM {table} WHERE {position} = :p", p=newest.position)
    assert problems(ledger) == [
        f"position {newest.position} was sealed but its event is missing: removed"
    ]


def test_two_swapped_payloads_are_caught_at_the_first(ledger):
    first, second = stored(ledger)[3:5]
    swap = "UPDATE {table} SET state = :s WHERE {position} = :p"
    tamper(ledger, swap, s=bytes(second.state), p=first.position)
    tamper(ledger, swap, s=bytes(first.state), p=second.position)
    [problem] = problems(ledger)
    assert problem.startswith(f"event at position {first.position} (")


def test_events_reordered_by_swapping_their_positions_are_caught(ledger):
    first, second = stored(ledger)[4:6]
    move = "UPDATE {table} SET {position} = :to WHERE {position} = :p"
    with ledger.engine.begin() as conn:
        for p, to in (
            (first.position, -1),
            (second.position, first.position),
            (-1, second.position),
        ):
            conn.execute(text(sql(ledger, move)), {"p": p, "to": to})
    moved_here = stored(ledger)[4]
    assert moved_here.originator_id == second.originator_id
    assert problems(ledger) == [f"{named(moved_here)} {ALTERED}"]


def test_a_changed_seal_is_caught(ledger):
    fifth = stored(ledger)[4]
    with ledger.engine.begin() as conn:
        conn.execute(
            event_seals.update()
            .where(event_seals.c.position == fifth.position)
            .values(hash=GENESIS)
        )
    assert problems(ledger) == [f"{named(fifth)} {ALTERED}"]


def reseal(ledger: Ledger) -> None:
    """What someone who knows the scheme would do: seal the altered store afresh."""
    with ledger.engine.begin() as conn:
        conn.execute(event_seals.delete())
    seal_new(ledger.engine, ledger.app)


def test_rewriting_the_seals_too_is_caught_by_a_head_recorded_elsewhere(ledger):
    head = verify(ledger.engine, ledger.app).head
    revised = event(ledger, "Budget.Revised")
    raised = bytes(revised.state).replace(b'"14000.00"', b'"41000.00"')
    tamper(
        ledger, "UPDATE {table} SET state = :s WHERE {position} = :p", s=raised, p=revised.position
    )
    reseal(ledger)
    assert problems(ledger) == []  # the chain alone cannot tell
    assert problems(ledger, recorded_head=head) == [
        f"the chain no longer passes through the recorded head {head}: "
        "sealed history was rewritten, or the head is not this ledger's"
    ]


def test_a_recorded_head_still_holds_after_more_events(ledger):
    head = verify(ledger.engine, ledger.app).head
    more = [{"command_id": "c8", "type": "RecordPayment", "schedule_id": "S1", "period": 2,
             "paid_on": "2026-05-06"}]  # fmt: skip
    assert not apply_lines(ledger, lines(more)).errors
    later = verify(ledger.engine, ledger.app, recorded_head=head)
    assert later.ok and later.head != head


def test_money_whose_legs_do_not_balance_is_caught_even_with_the_seals_rewritten(ledger):
    payment = event(ledger, "Schedule.PaymentMade")
    state = json.loads(bytes(payment.state))
    first_leg = next(iter(state["legs"].values()))
    first_leg["_data_"] = str(Decimal(first_leg["_data_"]) - 1)
    forged = json.dumps(state, separators=(",", ":")).encode()
    tamper(
        ledger, "UPDATE {table} SET state = :s WHERE {position} = :p", s=forged, p=payment.position
    )
    reseal(ledger)
    assert problems(ledger) == [f"{named(payment)} moves money whose legs do not sum to zero"]


def test_rebuilding_the_read_models_leaves_the_seals_alone(ledger):
    with ledger.engine.connect() as conn:
        before = conn.execute(select(event_seals).order_by(event_seals.c.position)).all()
    ledger.rebuild()
    with ledger.engine.connect() as conn:
        after = conn.execute(select(event_seals).order_by(event_seals.c.position)).all()
    assert after == before and len(before) == len(stored(ledger))
    assert problems(ledger) == []


def test_ledgers_writing_at_once_still_form_one_unbroken_chain(ledger, db_url):
    before = len(stored(ledger))
    refused: list[Any] = []

    def register(worker: int) -> None:
        mine = open_ledger(Settings(db_url=db_url))
        try:
            for n in range(5):
                person = {"command_id": f"w{worker}.{n}", "type": "RegisterPerson",
                          "person_id": f"W{worker}.{n}", "authority": "CITY"}  # fmt: skip
                refused.extend(apply_lines(mine, lines([person])).errors)
        finally:
            mine.close()

    workers = [threading.Thread(target=register, args=(w,)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert refused == []
    result = verify(ledger.engine, ledger.app)
    assert result.ok, result.problems
    assert result.events == len(stored(ledger)) == before + 4 * 5 * 2


def test_encrypted_events_are_chained_as_stored(db_url):
    key = new_at_rest_key()
    ledger = init_ledger(Settings(db_url=db_url, at_rest_key=key))
    assert not apply_lines(ledger, lines(LEDGER)).errors
    newest = stored(ledger)[-1]
    flipped = bytes(newest.state)[:-1] + bytes([newest.state[-1] ^ 1])
    tamper(
        ledger, "UPDATE {table} SET state = :s WHERE {position} = :p", s=flipped, p=newest.position
    )
    ledger.close()
    reopened = open_ledger(Settings(db_url=db_url, at_rest_key=key))  # the oldest proves the key
    try:
        assert problems(reopened) == [f"{named(newest)} {ALTERED}"]
    finally:
        reopened.close()
