"""`isf-ledger payments due` and `payments run` as a finance officer runs them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from tests.e2e.test_cli_apply import run, write_jsonl
from tests.integration.payment_council import COUNCIL, PERSON_ACCOUNT, PROVIDER_ACCOUNT

WINDOW = ("--from", "2026-04-06", "--to", "2026-06-30")


@pytest.fixture
def council_url(db_url, tmp_path, monkeypatch):
    for name, value in (("SORT_CODE", "800001"), ("ACCOUNT", "12345678"), ("NAME", "FIFE")):
        monkeypatch.setenv(f"ISF_LEDGER_BANK_{name}", value)
    commands = [{"command_id": f"c{n}", **c} for n, c in enumerate(COUNCIL)]
    assert run("init", "--db", db_url).returncode == 0
    applied = run("apply", write_jsonl(tmp_path / "council.jsonl", commands), "--db", db_url)
    assert applied.returncode == 0, applied.stderr
    return db_url


def test_due_in_every_format_shows_accounts_masked(council_url):
    outputs = [run("payments", "due", *WINDOW, "--db", council_url, "--format", f)
               for f in ("text", "json", "csv")]  # fmt: skip
    assert [o.returncode for o in outputs] == [0, 0, 0]
    text, as_json, as_csv = (o.stdout for o in outputs)
    assert "account ****0418" in text and "suspended since 2026-04-20" in text
    due = json.loads(as_json)
    assert [(d["schedule_id"], d["period"]) for d in due["cannot_pay"]] == [
        ("S4", 2),
        ("S4", 3),
        ("S4", 4),
    ]
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert sum(r["status"] == "due" for r in rows) == 9
    for shown in (*(o.stdout for o in outputs), *(o.stderr for o in outputs)):
        assert PERSON_ACCOUNT not in shown and PROVIDER_ACCOUNT not in shown


def test_a_run_then_the_same_run_again(council_url, tmp_path):
    files = ("--bank-file", str(tmp_path / "bank.txt"), "--card-file", str(tmp_path / "c.csv"))
    args = ("payments", "run", *WINDOW, "--paid-on", "2026-04-10", "--run-id", "R1", *files)
    before = datetime.now(UTC).isoformat()  # with its offset, as a user types it
    first = run(*args, "--db", council_url)
    assert first.returncode == 0, first.stderr
    assert (
        "paid 9 periods" in first.stdout and "total               9        5573.70" in first.stdout
    )
    bank = (tmp_path / "bank.txt").read_bytes()
    again = run(*args, "--db", council_url, "--format", "json")
    assert json.loads(again.stdout)["already_recorded"] is True
    assert (tmp_path / "bank.txt").read_bytes() == bank
    for shown in (first.stdout, first.stderr, again.stdout, again.stderr):
        assert PERSON_ACCOUNT not in shown and PROVIDER_ACCOUNT not in shown
    left = run("payments", "due", *WINDOW, "--db", council_url, "--format", "json")
    assert json.loads(left.stdout)["payable"] == []
    then = run("payments", "due", *WINDOW, "--db", council_url, "--format", "json",
               "--as-at", before)  # fmt: skip
    assert then.returncode == 0, then.stderr
    assert len(json.loads(then.stdout)["payable"]) == 9


def test_bad_input_is_a_plain_message(council_url, tmp_path):
    backwards = run("payments", "due", "--from", "2026-06-30", "--to", "2026-04-06",
                    "--db", council_url)  # fmt: skip
    assert backwards.returncode == 1
    assert (
        backwards.stderr
        == "isf-ledger: the window ends (2026-04-06) before it starts (2026-06-30)\n"
    )
    bad_date = run("payments", "due", "--from", "2026-13-01", "--to", "2026-12-01")
    assert bad_date.returncode == 2 and "is not a date" in bad_date.stderr
    bad_instant = run("payments", "due", *WINDOW, "--as-at", "2026-04-10")
    assert bad_instant.returncode == 2 and "--as-at" in bad_instant.stderr
    no_profile = run("payments", "run", *WINDOW, "--paid-on", "2026-04-10", "--run-id", "R",
                     "--bank-profile", "nope", "--db", council_url)  # fmt: skip
    assert no_profile.returncode == 2 and "no payment file profile 'nope'" in no_profile.stderr
    assert "Traceback" not in (
        backwards.stderr + bad_date.stderr + bad_instant.stderr + no_profile.stderr
    )
