"""`isf-ledger exceptions` through the real command: text, json and csv agree."""

from __future__ import annotations

import csv
import io
import json

from tests.e2e.test_cli_apply import run, write_jsonl
from tests.integration.test_exceptions import ASSESS, OVER_CAP
from tests.integration.test_money_rules import SETUP, schedule


def test_the_exceptions_command_lists_the_same_exceptions_in_every_format(db_url, tmp_path):
    given = [*SETUP, schedule("10000.00"), ASSESS, OVER_CAP]
    commands = [{"command_id": f"c{n}", **c} for n, c in enumerate(given)]
    assert run("init", "--db", db_url).returncode == 0  # only init makes a ledger
    assert run("apply", write_jsonl(tmp_path / "c.jsonl", commands), "--db", db_url).returncode == 0
    out = {
        fmt: run("exceptions", "--db", db_url, "--month", "2026-04", "--format", fmt)
        for fmt in ("json", "csv", "text")
    }
    assert all(r.returncode == 0 for r in out.values()), [r.stderr for r in out.values()]
    data = json.loads(out["json"].stdout)
    assert data["counts"] == {"contribution-arrears": 1, "flex-awaiting-approval": 1,
                              "negative-balance": 1}  # fmt: skip
    ids = [x["exception_id"] for x in data["exceptions"]]
    rows = list(csv.DictReader(io.StringIO(out["csv"].stdout)))
    assert [r["exception_id"] for r in rows] == ids
    assert all(i in out["text"].stdout for i in ids)
    bad = run("exceptions", "--db", db_url, "--month", "2026-13")
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
