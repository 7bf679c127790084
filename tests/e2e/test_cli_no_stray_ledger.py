"""Only `init` makes a ledger: a mistyped `--db` is a plain error that creates nothing."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from tests.conftest import PG_ROOT
from tests.e2e.test_cli_apply import PEOPLE, run, write_jsonl


def every_command_but_init(tmp_path) -> list[list[str]]:
    commands = write_jsonl(tmp_path / "c.jsonl", PEOPLE)
    export = tmp_path / "export.csv"
    export.write_text("card_id,posted_on,type,description,amount\n")
    return [
        ["apply", commands],
        ["audit", "trail"],
        ["audit", "verify"],
        ["cards", "import", str(export), "--profile", "generic"],
        ["reconcile", "cards", "--month", "2026-04"],
        ["statement", "provider", "--provider", "PRV", "--month", "2026-04"],
        ["statement", "person", "--person", "P1"],
        ["forget", "person", "P1"],
        ["projections", "rebuild"],
        ["export", "beancount"],
        ["export", "hledger"],
        ["returns", "import", str(export), "--provider", "PRV"],
        ["users", "add", "alice", "--role", "council"],
        ["serve", "--port", "0"],
    ]


def schemas() -> set[str]:
    with psycopg.connect(PG_ROOT) as conn:
        return {name for (name,) in conn.execute("SELECT nspname FROM pg_namespace")}


def test_every_command_but_init_refuses_a_sqlite_path_with_no_ledger(tmp_path):
    ledger = tmp_path / "ledgers" / "typo.db"
    ledger.parent.mkdir()
    for args in every_command_but_init(tmp_path):
        result = run(*args, "--db", str(ledger))
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr == f"isf-ledger: no ledger at {ledger}: run `isf-ledger init`\n"
        assert list(ledger.parent.iterdir()) == [], args


@pytest.mark.postgres
def test_every_command_but_init_refuses_a_postgresql_schema_with_no_ledger(pg_url, tmp_path):
    schema = pg_url.rsplit("=", 1)[1]
    for args in every_command_but_init(tmp_path):
        result = run(*args, "--db", pg_url)
        assert result.returncode == 1, (args, result.stderr)
        assert "no ledger at PostgreSQL" in result.stderr
        assert f"schema {schema}: run `isf-ledger init`" in result.stderr
        assert schema not in schemas(), args


@pytest.mark.postgres
def test_a_postgresql_database_that_does_not_exist_is_no_ledger(tmp_path):
    url = PG_ROOT.rsplit("/", 1)[0] + "/no_such_ledger_database"
    for args in (["audit", "verify"], ["statement", "person", "--person", "P1"]):
        result = run(*args, "--db", url)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.startswith("isf-ledger: no ledger at PostgreSQL"), result.stderr
        assert result.stderr.endswith(": run `isf-ledger init`\n"), result.stderr


def test_a_path_in_a_missing_folder_is_a_plain_error(tmp_path):
    ledger = tmp_path / "no-such-folder" / "ledger.db"
    made = run("init", "--db", str(ledger))
    assert made.returncode == 1
    assert made.stderr == (
        f"isf-ledger: cannot make a ledger at {ledger}: there is no folder {ledger.parent}\n"
    )
    opened = run("audit", "verify", "--db", str(ledger))
    assert opened.returncode == 1
    assert "no ledger at" in opened.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_a_ledger_is_a_plain_error_and_left_as_it_was(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database at all, just some notes\n" * 10)
    before = notes.read_bytes()
    for args in (["init"], ["audit", "verify"], ["statement", "person", "--person", "P1"]):
        result = run(*args, "--db", str(notes))
        assert result.returncode == 1, args
        assert (
            result.stderr == f"isf-ledger: {notes} is not a ledger: it is not a SQLite database\n"
        )
    assert notes.read_bytes() == before
    assert list(tmp_path.iterdir()) == [notes]


def test_a_sqlite_database_without_the_ledgers_tables_is_no_ledger(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE shopping (item TEXT)")
    conn.close()
    before = other.read_bytes()
    result = run("audit", "trail", "--db", str(other))
    assert result.returncode == 1
    assert result.stderr == f"isf-ledger: no ledger at {other}: run `isf-ledger init`\n"
    assert other.read_bytes() == before
    assert list(tmp_path.iterdir()) == [other]


def test_a_folder_is_not_a_ledger(tmp_path):
    result = run("audit", "verify", "--db", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == f"isf-ledger: {tmp_path} is a folder, not a ledger file\n"
