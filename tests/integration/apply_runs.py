"""What the crash and concurrency tests of `apply` share.

Real `python -m cli apply` processes (so they can be killed or raced), a
probe that watches a ledger from outside without taking its locks, and a
snapshot of everything a user can see, to compare two ledgers.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from click.testing import CliRunner
from sqlalchemy import func, select

from bench.workload import people
from cli.__main__ import main
from isf_ledger.adapters.database import parse_url
from isf_ledger.adapters.schema import projection_positions
from isf_ledger.adapters.seal import event_seals
from isf_ledger.bootstrap import init_ledger, open_ledger
from isf_ledger.domain.bank_account import details_key
from isf_ledger.projections.audit_trail import audit_commands, audit_subjects, audit_trail
from isf_ledger.projections.ledger_legs import ledger_legs
from isf_ledger.settings import Settings
from tests.conftest import PG_ROOT

Command = dict[str, Any]


def workload(persons: int) -> list[Command]:
    """A realistic file: providers, then each person's year (budget, ISF, card,
    payments, weekly hours), every person with a name to seal."""
    commands = list(people(persons))
    for c in commands:
        if c["type"] == "RegisterPerson":
            c["name"] = f"Person {c['person_id']} Example"
            c["actor"] = "finance.officer"
            c["reason"] = "referral"
    return commands


def write_jsonl(path: Path, commands: Iterable[Command]) -> Path:
    path.write_text("".join(json.dumps(c) + "\n" for c in commands))
    return path


def start_cli(*args: str, verbose: bool = False) -> subprocess.Popen[str]:
    """`python -m cli [-v] ARGS... --format json`, running."""
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *(["-v"] if verbose else []), *args, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def start_apply(db_url: str, path: Path, *, verbose: bool = False) -> subprocess.Popen[str]:
    return start_cli("apply", str(path), "--db", db_url, verbose=verbose)


def start_import(db_url: str, path: Path, *, verbose: bool = False) -> subprocess.Popen[str]:
    args = ("cards", "import", str(path), "--profile", "generic", "--db", db_url)
    return start_cli(*args, verbose=verbose)


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    @property
    def retries(self) -> int:
        """How often the batch was overtaken and tried again (seen with `-v`)."""
        return self.stderr.count('"apply.retry"')


def finish(process: subprocess.Popen[str], timeout: float = 120) -> Finished:
    out, err = process.communicate(timeout=timeout)
    return Finished(process.returncode, out, err)


def cli(*args: str) -> str:
    """A read-only command in this process (no interpreter start-up to wait for)."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def init(db_url: str) -> None:
    init_ledger(Settings(db_url=db_url)).close()


class Probe:
    """Counts rows of a ledger from outside, in autocommit, taking no write lock."""

    def __init__(self, db_url: str) -> None:
        db = parse_url(db_url)
        if db.is_postgres:
            root = PG_ROOT.split("?")[0]
            self._conn: Any = psycopg.connect(
                root, autocommit=True, options=f"-csearch_path={db.schema}"
            )
            self._events = "ledger_events"
        else:
            self._conn = sqlite3.connect(db.path, isolation_level=None, timeout=30)
            self._events = "stored_events"

    def scalar(self, sql: str) -> int:
        row = self._conn.execute(sql).fetchone()
        return int(row[0] or 0)

    def events(self) -> int:
        return self.scalar(f"SELECT count(*) FROM {self._events}")

    def keys(self) -> int:
        return self.scalar("SELECT count(*) FROM person_keys")

    def projected(self) -> int:
        """How far the slowest projection has read."""
        return self.scalar("SELECT min(position) FROM projection_positions")

    def close(self) -> None:
        self._conn.close()


def watch(process: subprocess.Popen[str], condition: Callable[[], bool], seconds: float) -> str:
    """Poll `condition` for up to `seconds`: "held", "ended" (the process) or "timeout"."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return "ended"
        if condition():
            return "held"
        time.sleep(0.002)
    return "timeout"


def wait_for(
    process: subprocess.Popen[str], condition: Callable[[], bool], timeout: float = 90
) -> bool:
    """Poll `condition` until it holds (True) or the process ends (False)."""
    seen = watch(process, condition, timeout)
    assert seen != "timeout", "the apply neither finished nor reached the moment awaited"
    return seen == "held"


def wait_until_reading(process: subprocess.Popen[str], path: Path) -> None:
    """Until the command has the file open (Linux), so a kill lands in the work itself."""
    fds = Path(f"/proc/{process.pid}/fd")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if any(os.readlink(fd) == str(path) for fd in fds.iterdir()):
                return
        except OSError:  # not on Linux, or a descriptor closed as we looked
            if not fds.parent.exists():
                return
        time.sleep(0.005)


def snapshot(db_url: str) -> dict[str, Any]:
    """Everything a user can see of a ledger, with recording times and positions
    left out and sealed names opened, so two ledgers built alike compare equal.

    Projections are given as how far each is behind the log, not where they
    are: on PostgreSQL a batch killed before its commit still used up its
    notification ids, so a crashed ledger's ids can have a gap a clean one has not."""
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        events = []
        after = 0
        while notes := ledger.app.recorder.select_notifications(after + 1, 5000):
            events += [(str(n.originator_id), n.originator_version, n.topic) for n in notes]
            after = notes[-1].id
        max_id = ledger.app.recorder.max_notification_id() or 0
        with ledger.engine.connect() as conn:
            positions = dict(
                conn.execute(select(projection_positions.c.name, projection_positions.c.position))
                .tuples()
                .all()
            )
            balances = dict(
                conn.execute(
                    select(ledger_legs.c.account, func.sum(ledger_legs.c.pence))
                    .group_by(ledger_legs.c.account)
                    .order_by(ledger_legs.c.account)
                )
                .tuples()
                .all()
            )
            counts = {
                t.name: conn.scalar(select(func.count()).select_from(t))
                for t in (audit_trail, audit_commands, audit_subjects, ledger_legs, event_seals)
            }
        names = {}
        trail = json.loads(cli("audit", "trail", "--db", db_url, "--format", "json"))
        for row in trail:
            del row["recorded_at"], row["position"]
            sealed = row["data"].pop("sealed_name", None)
            if sealed is not None:
                person = row["data"]["person_id"]
                names[person] = row["data"]["name"] = ledger.keys.unseal(person, sealed)
            data = row["data"]
            if "sealed_details" in data:  # a bank account's, sealed with its owner's key
                key = details_key(data["owner_kind"], data["owner_id"], data["account_id"])
                data["details"] = ledger.keys.unseal(key, data.pop("sealed_details"))
    finally:
        ledger.close()
    verify = json.loads(cli("audit", "verify", "--db", db_url, "--format", "json"))
    return {
        "events": events,
        "behind": {name: max_id - position for name, position in positions.items()},
        "balances": balances,
        "counts": counts,
        "trail": trail,
        "names": names,
        "verified": verify["ok"],
    }


def reports(db_url: str, person: str, provider: str, month: str) -> dict[str, Any]:
    """A person's and a provider's statement, as JSON."""
    return {
        "person": json.loads(
            cli("statement", "person", "--person", person, "--db", db_url, "--format", "json")
        ),
        "provider": json.loads(
            cli(
                "statement",
                "provider",
                "--provider",
                provider,
                "--month",
                month,
                "--db",
                db_url,
                "--format",
                "json",
            )
        ),
    }


def assert_caught_up(snap: dict[str, Any]) -> None:
    """Every projection has read to the end of the log, every event is sealed."""
    assert set(snap["behind"].values()) == {0}, snap["behind"]
    assert snap["counts"]["event_seals"] == len(snap["events"])
    assert snap["verified"]


def assert_plain(run: Finished) -> None:
    """No traceback, no error class names, no warnings: only plain lines (and,
    with `-v`, info logs)."""
    assert "Traceback" not in run.stderr, run.stderr
    assert "Error" not in run.stderr, run.stderr
    assert '"level": "warning"' not in run.stderr, run.stderr
    assert '"level": "error"' not in run.stderr, run.stderr
