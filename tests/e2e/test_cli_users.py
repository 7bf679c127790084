"""`isf-ledger users`: accounts for the portal, as the council runs it (SQLite; the
use cases are tested on both databases in tests/integration/test_accounts.py)."""

from __future__ import annotations

import json

from tests.e2e.test_cli_apply import PEOPLE, run, write_jsonl


def test_users_add_prints_a_link_and_list_shows_the_account(tmp_path) -> None:
    db = str(tmp_path / "ledger.db")
    assert run("init", "--db", db).returncode == 0
    assert run("apply", write_jsonl(tmp_path / "c.jsonl", PEOPLE), "--db", db).returncode == 0
    added = run("--db", db, "users", "add", "morag", "--role", "person", "--person", "P1",
                "--base-url", "https://portal.example")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "https://portal.example/set-password/" in added.stdout
    refused = run("--db", db, "users", "add", "x1", "--role", "person", "--person", "P9")
    assert (refused.returncode, refused.stderr) == (1, "isf-ledger: the ledger has no person P9\n")
    assert run("--db", db, "users", "disable", "morag").returncode == 0
    listed = json.loads(run("--db", db, "users", "list", "--format", "json").stdout)
    assert [(a["username"], a["role"], a["subject_id"]) for a in listed] == [
        ("morag", "person", "P1")
    ]
    assert listed[0]["status"].startswith("disabled")
    missing = run("--db", db, "users", "link", "nobody")
    assert (missing.returncode, missing.stderr) == (1, "isf-ledger: there is no account nobody\n")
