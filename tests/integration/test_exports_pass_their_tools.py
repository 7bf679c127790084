"""The exported journals pass the real `bean-check` and `hledger check`, with our balances.

hledger is a system package (`apt-get install hledger`); it is skipped when
missing, except under CI=true where a missing hledger fails the test.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data, realization

from isf_ledger.adapters.export_beancount import write_beancount
from isf_ledger.adapters.export_hledger import write_hledger
from isf_ledger.adapters.journal import JournalEntry, account_name, balances

BEAN_CHECK = str(Path(sys.executable).with_name("bean-check"))
AWKWARD = 'Refund (late) "Ben\'s" C:\\temp; see note\nsecond line\tend'


def _entry(on: str, narration: str, ref: str, *legs: tuple[str, str]) -> JournalEntry:
    return JournalEntry(
        date.fromisoformat(on), narration, tuple((a, Decimal(x)) for a, x in legs), ref
    )


# In recorded order, as the ledger would hand them over: the last one is backdated.
LEDGER = [
    _entry("2026-04-06", "Payment period 1 of schedule S1", "pay-1",
           ("council:CITY", "-997.26"), ("isf:AGR-1", "997.26")),
    _entry("2026-04-06", "Payment period 1 of schedule S2", "pay-2",
           ("council:CITY", "-250.00"), ("card:C-9", "250.00")),
    _entry("2026-04-06", "Payment period 1 of schedule S3", "pay-3",
           ("council:CITY", "-480.00"), ("isf:agr.1", "480.00")),
    _entry("2026-04-13", "Hours week of 2026-04-06: 14.00 x 16.50", "hours-1",
           ("isf:AGR-1", "-231.00"), ("support:PRV.2", "231.00")),
    _entry("2026-04-20", "Hours week of 2026-04-13: 15.00 x 16.50", "hours-2",
           ("isf:AGR-1", "-247.50"), ("support:PRV.2", "247.50")),
    _entry("2026-04-21", "Top-up received", "topup-1",
           ("topup:T1", "-40.00"), ("isf:AGR-1", "40.00")),
    _entry("2026-04-22", "Day-centre lunch", "cost-1",
           ("isf:AGR-1", "-12.35"), ("costs:AGR-1", "12.35")),
    _entry("2026-04-23", "Card purchase", "card-1",
           ("card:C-9", "-63.20"), ("cardspend:C-9", "63.20")),
    _entry("2026-04-24", "Card cash withdrawal and fee", "card-2",
           ("card:C-9", "-25.00"), ("cardspend:C-9", "24.50"), ("cardspend:C-9", "0.50")),
    _entry("2026-04-24", "Card loaded and spent", "card-3",
           ("council:CITY", "-30.00"), ("card:C-10", "30.00")),
    _entry("2026-04-25", "Card purchase", "card-4",
           ("card:C-10", "-30.00"), ("cardspend:C-10", "30.00")),
    _entry("2026-05-04", "Payment period 2 of schedule S1", "pay-4",
           ("council:CITY", "-997.26"), ("isf:AGR-1", "997.26")),
    _entry("2026-05-05", "Reversal of payment period 2 of schedule S1", "rev-1",
           ("council:CITY", "997.26"), ("isf:AGR-1", "-997.26")),
    _entry("2026-05-06", "Surplus recovered", "recover-1",
           ("isf:AGR-1", "-100.00"), ("recovered:AGR-1", "100.00")),
    _entry("2026-05-07", AWKWARD, "odd) ref; x",
           ("suspense:Q:1", "-0.01"), ("council:CITY", "0.01")),
    _entry("2026-04-10", "Hours week of 2026-04-06, recorded late", "hours-3",
           ("isf:agr.1", "-120.00"), ("support:prv-2", "120.00")),
]  # fmt: skip


def _write(path: Path, writer, entries=LEDGER, **kwargs) -> Path:
    with path.open("w", encoding="utf-8") as out:
        writer(entries, out, **kwargs)
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False)


def _penny_out(path: Path, assertion: str) -> None:
    """Make one true assertion in the file at `path` a penny wrong."""
    text = path.read_text()
    assert "-1757.25 " in assertion and assertion in text
    path.write_text(text.replace(assertion, assertion.replace("-1757.25", "-1757.24")))


@pytest.fixture
def hledger() -> str:
    path = shutil.which("hledger")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("hledger is required under CI=true (apt-get install hledger)")
        pytest.skip("hledger is not installed")
    return path


def _beancount_balances(path: Path) -> dict[str, Decimal]:
    entries, errors, _ = loader.load_file(str(path))
    assert errors == []
    root = realization.realize(entries)
    return {
        name: realization.get(root, name).balance.get_currency_units("GBP").number
        for name in (e.account for e in entries if isinstance(e, data.Open))
    }


def _hledger_balances(hledger: str, path: Path) -> dict[str, Decimal]:
    done = _run(hledger, "-f", str(path), "bal", "--flat", "-E", "-N", "-O", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["account", "balance"]
    return {account: Decimal(amount.removesuffix(" GBP")) for account, amount in rows[1:]}


def _expected() -> dict[str, Decimal]:
    return {account_name(a): amount for a, amount in balances(LEDGER).items()}


def test_the_ledger_is_realistic_enough():
    expected = balances(LEDGER)
    assert len(expected) == 13
    assert expected["council:CITY"] == Decimal("-1757.25")
    assert expected["isf:AGR-1"] == Decimal("446.41")
    assert expected["card:C-10"] == Decimal("0.00")


def test_bean_check_accepts_the_journal_and_agrees_on_every_balance(tmp_path):
    path = _write(tmp_path / "ledger.beancount", write_beancount)
    done = _run(BEAN_CHECK, str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert _beancount_balances(path) == _expected()


def test_beancount_keeps_narration_and_ref_exactly(tmp_path):
    path = _write(tmp_path / "ledger.beancount", write_beancount)
    entries, _, _ = loader.load_file(str(path))
    odd = [
        e for e in entries if isinstance(e, data.Transaction) and e.meta["ref"].startswith("odd")
    ]
    assert [(e.narration, e.meta["ref"]) for e in odd] == [(AWKWARD, "odd) ref; x")]


def test_bean_check_rejects_a_balance_a_penny_out(tmp_path):
    path = _write(tmp_path / "ledger.beancount", write_beancount)
    _penny_out(path, "balance Income:Council:CITY  -1757.25 ~ 0.00 GBP")
    assert _run(BEAN_CHECK, str(path)).returncode != 0


def test_accounts_can_all_open_on_one_day_before_the_ledger(tmp_path):
    path = _write(tmp_path / "ledger.beancount", write_beancount, opened_on=date(2026, 4, 1))
    assert "2026-04-01 open Assets:ISF:AGR-1 GBP" in path.read_text()
    assert _run(BEAN_CHECK, str(path)).returncode == 0


def test_an_entry_before_the_opening_day_is_refused(tmp_path):
    with pytest.raises(ValueError, match="before opened_on"):
        _write(tmp_path / "ledger.beancount", write_beancount, opened_on=date(2026, 4, 7))


def test_hledger_strict_check_accepts_the_journal_and_agrees_on_every_balance(hledger, tmp_path):
    path = _write(tmp_path / "ledger.journal", write_hledger)
    done = _run(hledger, "-f", str(path), "check", "--strict")
    assert done.returncode == 0, done.stderr
    assert _hledger_balances(hledger, path) == _expected()


def test_hledger_rejects_a_balance_a_penny_out(hledger, tmp_path):
    path = _write(tmp_path / "ledger.journal", write_hledger)
    _penny_out(path, "Income:Council:CITY  0.00 GBP == -1757.25 GBP")
    assert _run(hledger, "-f", str(path), "check", "--strict").returncode != 0


def test_an_empty_ledger_passes_both_tools(hledger, tmp_path):
    beancount_file = _write(tmp_path / "empty.beancount", write_beancount, entries=[])
    hledger_file = _write(tmp_path / "empty.journal", write_hledger, entries=[])
    assert _run(BEAN_CHECK, str(beancount_file)).returncode == 0
    assert _run(hledger, "-f", str(hledger_file), "check", "--strict").returncode == 0
