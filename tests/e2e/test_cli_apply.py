"""The installed command, end to end, on both databases."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PEOPLE = [
    {"command_id": "c1", "type": "RegisterPerson", "person_id": "P1", "authority": "CITY",
     "name": "Morag Campbell", "actor": "ann", "reason": "new referral"},
    {"command_id": "c2", "type": "ProposeBudget", "budget_id": "B1", "person_id": "P1",
     "start": "2026-04-06", "amount": "13000.00", "method": "RAS", "actor": "ann"},
    {"command_id": "c3", "type": "AgreeBudget", "budget_id": "B1", "agreed_on": "2026-04-01",
     "actor": "bob", "reason": "panel approved"},
]  # fmt: skip


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_jsonl(path, commands) -> str:
    path.write_text("".join(json.dumps(c) + "\n" for c in commands))
    return str(path)


def test_init_is_safe_to_run_twice(db_url):
    assert run("init", "--db", db_url).returncode == 0
    second = run("--db", db_url, "init")
    assert second.returncode == 0, second.stderr


def test_applying_the_same_file_twice_records_nothing_new(db_url, tmp_path):
    run("init", "--db", db_url)
    file = write_jsonl(tmp_path / "cmds.jsonl", PEOPLE)
    first = run("apply", file, "--db", db_url, "--format", "json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"applied": 3, "duplicates": 0, "errors": []}
    second = run("apply", file, "--db", db_url)
    assert second.returncode == 0
    assert second.stdout.strip() == "applied 0, duplicate 3"
    trail = json.loads(run("audit", "trail", "--db", db_url, "--format", "json").stdout)
    assert len(trail) == 3


def test_the_audit_trail_shows_actor_reason_effective_date_and_recording_time(db_url, tmp_path):
    run("init", "--db", db_url)
    run("apply", write_jsonl(tmp_path / "c.jsonl", PEOPLE), "--db", db_url)
    out = run("audit", "trail", "--db", db_url, "--budget", "B1", "--format", "json")
    rows = json.loads(out.stdout)
    assert [r["type"] for r in rows] == ["Budget.Proposed", "Budget.Agreed"]
    agreed = rows[1]
    assert agreed["actor"] == "bob"
    assert agreed["reason"] == "panel approved"
    assert agreed["effective"] == "2026-04-01"
    assert agreed["command_id"] == "c3"
    assert agreed["recorded_at"].endswith("Z")
    person_rows = json.loads(
        run("audit", "trail", "--db", db_url, "--person", "P1", "--format", "json").stdout
    )
    assert len(person_rows) == 3


def test_one_bad_line_among_a_thousand_changes_nothing_and_is_named(db_url, tmp_path):
    run("init", "--db", db_url)
    commands = [
        {"command_id": f"p{i}", "type": "RegisterPerson", "person_id": f"P{i}",
         "authority": "CITY"}
        for i in range(1000)
    ]  # fmt: skip
    commands.insert(500, {"command_id": "bad", "type": "ProposeBudget", "budget_id": "B1",
                          "person_id": "P1", "start": "2026-04-06", "amount": 12.5,
                          "method": "RAS"})  # fmt: skip
    result = run("apply", write_jsonl(tmp_path / "big.jsonl", commands), "--db", db_url,
                 "--format", "json")  # fmt: skip
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["applied"] == 0
    assert report["errors"] == [
        {"line": 501, "command_id": "bad",
         "error": 'amount: must be money as a decimal string like "12.50", not 12.5'}
    ]  # fmt: skip
    trail = json.loads(run("audit", "trail", "--db", db_url, "--format", "json").stdout)
    assert trail == []


def test_a_command_id_reused_for_different_content_is_a_conflict(db_url, tmp_path):
    run("init", "--db", db_url)
    run("apply", write_jsonl(tmp_path / "a.jsonl", PEOPLE[:1]), "--db", db_url)
    changed = dict(PEOPLE[0], authority="OTHER")
    result = run("apply", write_jsonl(tmp_path / "b.jsonl", [changed]), "--db", db_url)
    assert result.returncode == 1
    assert "conflict" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"command_id": "x", "type": "Teleport"}\n', "unknown command type 'Teleport'"),
        ('{"command_id": "x", "type": "AgreeBudget"}\n', "missing field 'budget_id'"),
        ('{"command_id": "x", "type": "AgreeBudget", "budget_id": "B1", "agreed_on": '
         '"2026-04-01", "colour": "red"}\n', "unexpected field 'colour'"),
        ('{"command_id": "x", "type": "AgreeBudget", "budget_id": "B1", "agreed_on": '
         '"01/04/2026"}\n', "must be a date written YYYY-MM-DD"),
        ('{"command_id": "x", "type": "ReviseBudget", "budget_id": "B1", "amount": "1.005", '
         '"effective": "2026-05-01", "reason": "r"}\n', "more than two decimal places"),
        ("{not json\n", "not valid JSON"),
        ("", "the file holds no commands"),
        ('{"command_id": "x", "type": "AgreeBudget", "budget_id": "NOPE", "agreed_on": '
         '"2026-04-01"}\n', "unknown budget NOPE"),
    ],
)  # fmt: skip
def test_bad_input_gets_one_plain_line_and_exit_1(sqlite_url, tmp_path, content, expected):
    run("init", "--db", sqlite_url)
    file = tmp_path / "bad.jsonl"
    file.write_text(content)
    result = run("apply", str(file), "--db", sqlite_url)
    assert result.returncode == 1
    assert expected in result.stderr
    assert f"{file}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_a_usage_error(sqlite_url, tmp_path):
    result = run("apply", str(tmp_path / "nope.jsonl"), "--db", sqlite_url)
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_an_unreachable_database_is_one_plain_line(tmp_path):
    file = write_jsonl(tmp_path / "c.jsonl", PEOPLE)
    result = run("apply", file, "--db", "postgresql://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_commands_can_come_from_stdin(sqlite_url):
    run("init", "--db", sqlite_url)
    stdin = "".join(json.dumps(c) + "\n" for c in PEOPLE)
    result = run("apply", "-", "--db", sqlite_url, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "applied 3, duplicate 0"


@pytest.mark.parametrize(
    ("option", "value"), [("--from", "2026-13-01"), ("--to", "2026-5-1"), ("--from", "yesterday")]
)
def test_audit_trail_dates_must_be_real_dates_written_yyyy_mm_dd(sqlite_url, option, value):
    run("init", "--db", sqlite_url)
    result = run("audit", "trail", option, value, "--db", sqlite_url)
    assert result.returncode == 2
    assert f"Invalid value for '{option}': '{value}' is not a date written YYYY-MM-DD" in (
        result.stderr
    )


def test_audit_trail_dates_select_by_effective_date(db_url, tmp_path):
    run("init", "--db", db_url)
    run("apply", write_jsonl(tmp_path / "c.jsonl", PEOPLE), "--db", db_url)
    out = run("audit", "trail", "--from", "2026-04-02", "--to", "2026-04-30", "--db", db_url,
              "--format", "json")  # fmt: skip
    assert [row["type"] for row in json.loads(out.stdout)] == ["Budget.Proposed"]
