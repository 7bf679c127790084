"""The exceptions read model is current when a write returns (a card import: in
`test_exceptions.py`), and two processes may bring it up to date at once, on both
databases."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import delete, select

from isf_ledger.adapters.payment_files.profile import load_file_profile
from isf_ledger.application.service import Ledger
from isf_ledger.bootstrap import open_ledger
from isf_ledger.domain.exceptions import exception_id
from isf_ledger.reports.exception_store import exceptions
from isf_ledger.settings import Settings
from tests.integration.in_process import applied
from tests.integration.test_exceptions import (
    ASSESS,
    OVER_CAP,
    TODAY,
    isf_of_every_kind,
    stored,
)
from tests.integration.test_money_rules import SETUP, schedule
from tests.integration.test_reconcile_cards import build

APRIL = date(2026, 4, 6)
BANK = {"type": "RegisterBankAccount", "account_id": "PR1-BANK", "owner": "PR1",
        "sort_code": "40-47-84", "account_number": "12345678",
        "account_name": "Kingdom Care"}  # fmt: skip


def test_apply_and_a_payment_run_return_with_the_exceptions_current(ledger):
    applied(ledger, [*SETUP, BANK, schedule("10000.00"), OVER_CAP], "s")
    negative = exception_id("negative-balance", "agreement:A1", "2026-04")
    flex = exception_id("flex-awaiting-approval", "agreement:A1", "2026-04")
    assert {negative: None, flex: None}.items() <= stored(ledger).items()
    run = ledger.payments_run(
        "R1", APRIL, APRIL, APRIL,
        bank_profile=load_file_profile("bacs-standard-18", "bank"),
        card_profile=load_file_profile("card-load-csv", "card"),
    )  # fmt: skip
    assert run.payments == 1
    assert stored(ledger)[negative] == "the balance is no longer below zero"
    applied(ledger, [{"type": "ApproveFlex", "agreement_id": "A1", "week_start": "2026-04-06",
                      "approved_by": "team leader"}], "f")  # fmt: skip
    assert stored(ledger)[flex] == "the flexed hours were approved, declined or corrected"


def _forget_every_exception(led: Ledger) -> None:
    with led.engine.begin() as conn:
        conn.execute(delete(exceptions))


def _refresh_at_once(ledgers: list[Ledger]) -> list[BaseException]:
    """Each ledger refreshes every month in a thread of its own, all let go at once;
    returns what they raised."""
    start = threading.Barrier(len(ledgers))
    failures: list[BaseException] = []

    def refresh(led: Ledger) -> None:
        start.wait()
        try:
            led.refresh_exceptions(full=True)
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=refresh, args=(led,)) for led in ledgers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return failures


def test_two_refreshes_at_once_neither_clash_nor_lose_a_row(ledger, db_url):
    applied(ledger, [*SETUP, schedule("10000.00"), ASSESS, OVER_CAP], "s")
    once = stored(ledger)
    assert len(once) > 10
    ledgers = [open_ledger(Settings(db_url=db_url)) for _ in range(2)]
    try:
        for attempt in range(3):
            _forget_every_exception(ledger)
            assert _refresh_at_once(ledgers) == [], f"attempt {attempt}"
            assert stored(ledger) == once
    finally:
        for led in ledgers:
            led.close()
    assert len(ledger.exceptions(today=TODAY).exceptions) == len(once)


def _table(led: Ledger) -> list[tuple]:
    e = exceptions
    columns = (e.c.exception_id, e.c.kind, e.c.month, e.c.raised_on, e.c.amount, e.c.gone_why)
    with led.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*columns).order_by(e.c.exception_id))]


def test_refreshing_after_each_write_equals_examining_every_month_at_once(db_url, tmp_path):
    """Each write examines only the months and the agreements and cards its change
    concerns; what that leaves is what examining everything again gives."""
    url = build(db_url, tmp_path)["url"]
    led = open_ledger(Settings(db_url=url))
    try:
        commands = isf_of_every_kind()
        for n in range(0, len(commands), 6):
            applied(led, commands[n : n + 6], f"k{n}")
        applied(led, [
            {"type": "ApproveFlex", "agreement_id": "A9", "week_start": "2026-04-27",
             "approved_by": "team leader"},
            {"type": "CorrectHours", "agreement_id": "A9", "week_start": "2026-04-06",
             "delivered_hours": "10", "reason": "timesheet"},
            {"type": "RecordTopUp", "topup_id": "T7", "received_on": "2026-05-08",
             "amount": "3000.00"},
            {"type": "RecordContribution", "contribution_id": "K9", "period": 1,
             "received_on": "2026-05-01", "amount": "98.63"},
        ], "fix")  # fmt: skip
        incremental = _table(led)
        assert any(row[-1] for row in incremental)  # some went
        led.refresh_exceptions(full=True)
        assert _table(led) == incremental
    finally:
        led.close()


def test_a_top_up_agreed_later_is_in_arrears_in_the_months_before_as_a_full_refresh_finds(
    db_url, tmp_path
):
    """Agreeing a top-up has no business date, yet its arrears reach back to its
    agreement's earlier months: the refresh after it examines them too."""
    url = build(db_url, tmp_path)["url"]
    led = open_ledger(Settings(db_url=url))
    try:
        applied(led, isf_of_every_kind(), "k")
        applied(led, [{"type": "AgreeTopUp", "topup_id": "T99", "agreement_id": "A9",
                       "payer": "family", "amount_per_period": "10.00",
                       "reason": "rate above the budget"}], "t")  # fmt: skip
        incremental = _table(led)
        assert any(row[1] == "top-up-arrears" and row[2] < "2026-12" for row in incremental)
        led.refresh_exceptions(full=True)
        assert _table(led) == incremental
    finally:
        led.close()
