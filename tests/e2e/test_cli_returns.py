"""`isf-ledger returns import`, end to end, on both databases."""

from __future__ import annotations

import json

from tests.e2e.test_cli_apply import run, write_jsonl
from tests.integration.test_agreement_commands import SETUP
from tests.integration.test_provider_returns import HEADER, RETURN


def council(db_url: str, tmp_path) -> None:
    run("init", "--db", db_url)
    commands = [{"command_id": f"s{n}", **c} for n, c in enumerate(SETUP)]
    assert (
        run("apply", write_jsonl(tmp_path / "setup.jsonl", commands), "--db", db_url).returncode
        == 0
    )


def test_a_return_is_recorded_once_and_a_bad_one_says_where_and_records_nothing(db_url, tmp_path):
    council(db_url, tmp_path)
    good = tmp_path / "april.csv"
    good.write_text(RETURN, encoding="utf-8")
    first = run("returns", "import", str(good), "--provider", "PR1", "--db", db_url)
    assert (first.returncode, first.stdout, first.stderr) == (0, "recorded 3, duplicate 0\n", "")
    again = run("returns", "import", str(good), "--provider", "PR1", "--db", db_url,
                "--format", "json")  # fmt: skip
    assert again.returncode == 0
    assert json.loads(again.stdout) == {
        "file": str(good), "provider_id": "PR1", "applied": 0, "duplicates": 3, "errors": [],
    }  # fmt: skip
    trail = json.loads(run("audit", "trail", "--agreement", "A1", "--db", db_url,
                           "--format", "json").stdout)  # fmt: skip
    assert [r["actor"] for r in trail if r["type"] == "Agreement.HoursRecorded"] == ["PR1", "PR1"]
    bad = tmp_path / "may.csv"
    bad.write_bytes((HEADER + "hours,A1,2026-05-04,7.5,,,,\nhours,A1,2026-05-11,7.3,,,,\n"
                     "cost,A1,,,2026-05-06,£5.00,Bus,C-1\n").encode("cp1252"))  # fmt: skip
    refused = run("returns", "import", str(bad), "--provider", "PR1", "--db", db_url)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr == (
        f"{bad}:4: byte 0xa3 at position 22 is not utf-8 text; the file may be in another "
        "encoding (utf-8 or cp1252)\n"
        "rejected: 1 bad line(s); nothing recorded\n"
    )
    as_cp1252 = run("returns", "import", str(bad), "--provider", "PR1", "--encoding", "cp1252",
                    "--db", db_url)  # fmt: skip
    assert as_cp1252.returncode == 1
    assert as_cp1252.stderr.startswith(f"{bad}:3: [return:")
    assert "hours must be in quarter hours" in as_cp1252.stderr
    assert "Traceback" not in refused.stderr + as_cp1252.stderr


def test_an_unknown_provider_is_a_plain_refusal(db_url, tmp_path):
    council(db_url, tmp_path)
    file = tmp_path / "r.csv"
    file.write_text(RETURN)
    result = run("returns", "import", str(file), "--provider", "NOPE", "--db", db_url)
    assert (result.returncode, result.stderr) == (1, "isf-ledger: unknown provider NOPE\n")


def test_help_describes_the_format():
    help_text = run("returns", "import", "--help").stdout
    for column in HEADER.strip().split(","):
        assert column in help_text
