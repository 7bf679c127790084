"""Card transactions in the exported journals: accepted by the tools, balances as expected."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.integration.test_reconcile_cards import A1, A2, build, ok

BEAN_CHECK = str(Path(sys.executable).with_name("bean-check"))


@pytest.fixture
def ledger(db_url, tmp_path) -> dict[str, str]:
    return build(db_url, tmp_path)


def closing(journal: str, account: str) -> str:
    [line] = [x for x in journal.splitlines() if " balance " in x and f" {account} " in x]
    return line.split()[3]


def test_the_beancount_export_holds_card_spending_but_not_loads_twice(ledger, tmp_path):
    journal = ok("export", "beancount", "--db", ledger["url"])
    path = tmp_path / "ledger.beancount"
    path.write_text(journal)
    checked = subprocess.run([BEAN_CHECK, str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # Payments in (from the ledger), purchases and fees out (from the card rows);
    # the loads are those payments, and the unexpected top-up has no payment.
    spent = Decimal("100.00") + Decimal("20.00") + Decimal("9.00") + Decimal("1.00")
    assert closing(journal, "Assets:Card:CARD-A") == f"{A1 + A2 - spent:.2f}"
    assert closing(journal, "Expenses:Card:CARD-A") == f"{spent:.2f}"
    assert closing(journal, "Expenses:Card:CARD-B") == "350.00"


def test_the_hledger_export_checks(ledger, tmp_path):
    if shutil.which("hledger") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("hledger is required under CI=true")
        pytest.skip("hledger is not installed")
    path = tmp_path / "ledger.journal"
    path.write_text(ok("export", "hledger", "--db", ledger["url"]))
    checked = subprocess.run(["hledger", "-f", str(path), "check"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
