"""`isf-ledger demo`: the first thing a newcomer runs works end to end."""

from __future__ import annotations

import json
import re
import subprocess
import sys


def isf_ledger(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_the_demo_shows_statements_and_a_card_reconciliation_and_reimports_nothing(tmp_path):
    run = isf_ledger("demo", "--db", str(tmp_path / "demo.db"), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "ISF statement for PRV-CARE, October 2026" in run.stdout
    assert re.search(r"October 2026 +Spent with your card +-£", run.stdout)
    assert "blocked merchant category 7995 (gambling)" in run.stdout
    assert "possible duplicate" in run.stdout
    for outcome in ("explained", "recover", "write-off"):  # an exception resolved each way
        assert f"[{outcome}: " in run.stdout
    # The second year: each money rule once, with figures a calculator agrees with.
    assert "Your budget is £15,600.00. The council pays £14,400.00; you pay £1,200.00." in (
        run.stdout
    )
    assert "Includes -£96.75 of corrections to earlier months" in run.stdout  # 4.5 x 21.50
    assert "ended: the whole balance is due back" in run.stdout
    assert "£150.00 that was paid in but not spent has been returned to the council." in run.stdout

    again = isf_ledger(
        "cards", "import", str(tmp_path / "demo-cards.csv"), "--profile", "generic",
        "--db", str(tmp_path / "demo.db"), "--format", "json", cwd=tmp_path,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["imported"] == 0 and summary["duplicates"] == 61
