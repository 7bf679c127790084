"""Payments bounded by the allocation hold when two batches change one budget at once.

Each batch alone is within the bound; together they are not. Both batches
are held after their checks, until both have passed them, and only then may
they store what they made, so this is the race itself, every run: without
the budget's own record of each check, both would be stored. With it, the
store keeps one; the other is read again, checked against the first, and
refused in the rule's own words.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from isf_ledger.application.apply import ApplyResult, apply_lines
from isf_ledger.application.payments import _unit_of_work
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.bootstrap import Ledger, open_ledger
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.contribution import Contribution
from isf_ledger.domain.schedule import Schedule
from isf_ledger.handlers.bounds import breach
from isf_ledger.settings import Settings
from tests.integration.in_process import applied, numbered
from tests.integration.test_money_rules import SETUP, schedule

CONTRIBUTION = {"type": "AssessContribution", "contribution_id": "K1", "budget_id": "B1",
                "payee": "A1", "frequency": "monthly", "first_due": "2026-04-06",
                "amount": "6000.00"}  # fmt: skip
SMALLER_CHOICE = {"type": "ChooseOptions", "budget_id": "B1", "effective": "2026-06-01",
                  "allocations": [{"option": 2, "amount": "6000.00",
                                   "agreement_id": "A1"}]}  # fmt: skip

# The allocation to A1 is 12,000 a year: each pair fits alone, not together.
PAIRS = {
    "two schedules": (schedule("8000.00", "S1"), schedule("8000.00", "S2")),
    "a schedule and a contribution": (schedule("8000.00", "S1"), CONTRIBUTION),
    "a schedule and a smaller allocation": (schedule("8000.00", "S1"), SMALLER_CHOICE),
}


def held_until_both_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each thread's first commit waits until the other thread's batch has
    passed its checks too; a retry commits at once."""
    both = threading.Barrier(2, timeout=120)  # a safeguard against a hang, never a measure
    waited: set[int] = set()
    commit = UnitOfWork.commit

    def commit_when_both_checked(self: UnitOfWork) -> Any:
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            both.wait()
        return commit(self)

    monkeypatch.setattr(UnitOfWork, "commit", commit_when_both_checked)


@pytest.mark.parametrize("pair", PAIRS)
def test_two_changes_at_once_never_bring_schedules_above_the_allocation(
    ledger: Ledger, db_url: str, monkeypatch: pytest.MonkeyPatch, pair: str
) -> None:
    applied(ledger, SETUP, "s")
    held_until_both_checked(monkeypatch)
    results: dict[str, ApplyResult] = {}

    def apply_one(name: str, command: dict[str, Any]) -> None:
        writer = open_ledger(Settings(db_url=db_url))
        try:
            results[name] = apply_lines(writer, numbered([command], name))
        finally:
            writer.close()

    threads = [
        threading.Thread(target=apply_one, args=(name, command))
        for name, command in zip(("a", "b"), PAIRS[pair], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.applied for r in results.values()) == [0, 1]
    (refused,) = [e.error for r in results.values() for e in r.errors]
    assert "above option 2's allocation to A1" in refused, refused
    # What is stored keeps to the rule: 12,000 a year for A1, less contributions.
    ledger.catch_up()
    uow = _unit_of_work(ledger)
    scheduled = sum((s.amount for s in uow.of_budget(Schedule, "B1")), Decimal(0))
    contributed = sum((k.amount for k in uow.of_budget(Contribution, "B1")), Decimal(0))
    assert scheduled + contributed <= Decimal("12000.00")
    assert breach(uow, uow.get(Budget, "B1")) is None
