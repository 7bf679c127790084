"""Payment runs on SQLite and PostgreSQL, checked by hand against a small council.

`payment_council.py` has a 4-weekly ISF with one period paid, a monthly card
with one period withheld, a monthly direct payment to the person's own
account, and a suspended agreement. The amounts are the contract's days rule:
£13,000 4-weekly over 365 days is £997.26 a period; £6,000 monthly is £493.15
for a 30-day month; £2,400 is £197.26 for 30 days and £203.84 for 31.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from isf_ledger.adapters.event_store import events_table
from isf_ledger.adapters.payment_files.profile import load_file_profile
from isf_ledger.adapters.render.payments import render_due_csv, render_due_text
from isf_ledger.application import payments_run
from isf_ledger.bootstrap import Ledger, init_ledger
from isf_ledger.domain.errors import LedgerError
from isf_ledger.projections.runner import instant
from isf_ledger.reports.payments import RunResult
from isf_ledger.reports.records import json_of
from isf_ledger.settings import Settings
from tests.integration.in_process import applied
from tests.integration.payment_council import (
    COUNCIL,
    PERSON_ACCOUNT,
    PERSON_SORT_CODE,
    PROVIDER_ACCOUNT,
)

D = Decimal
WINDOW = (date(2026, 4, 6), date(2026, 6, 30))
PAID_ON = date(2026, 4, 10)
BANK = dict(bank_sort_code="800001", bank_account="12345678", bank_name="Fife Council SDS")

PAYABLE = [
    ("S1", 2, D("997.26")), ("S1", 3, D("997.26")), ("S1", 4, D("997.26")),
    ("S2", 1, D("493.15")), ("S2", 3, D("493.15")),
    ("S3", 1, D("197.26")), ("S3", 2, D("203.84")), ("S3", 3, D("197.26")),
    ("S4", 1, D("997.26")),
]  # fmt: skip
CANNOT = [("S4", 2), ("S4", 3), ("S4", 4)]  # starting while A4 is suspended


@pytest.fixture
def council(db_url: str) -> Ledger:
    led = init_ledger(Settings(db_url=db_url, **BANK))
    applied(led, COUNCIL, "c")
    yield led
    led.close()


def run(led: Ledger, tmp_path: Path, run_id: str = "R1", **kw: object) -> RunResult:
    return led.payments_run(
        run_id, *WINDOW, PAID_ON,
        bank_profile=load_file_profile("bacs-standard-18", "bank"),
        card_profile=load_file_profile("card-load-csv", "card"),
        bank_out=tmp_path / "bank.txt", card_out=tmp_path / "cards.csv", **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def stored(led: Ledger) -> tuple[int, ...]:
    with led.engine.connect() as conn:
        return tuple(
            conn.scalar(text(f"SELECT COUNT(*) FROM {t}"))
            for t in (events_table(led.app), "ledger_legs", "audit_trail")
        )


def bank_records(path: Path) -> list[tuple[str, str, str, Decimal]]:
    """(sort code, account, transaction code, amount) of each Standard 18 record."""
    lines = path.read_bytes().decode("ascii").split("\r\n")
    assert lines.pop() == ""
    assert all(len(line) == 106 for line in lines)
    return [(ln[0:6], ln[6:14], ln[15:17], D(ln[35:46]) / 100) for ln in lines]


def card_rows(path: Path) -> list[list[str]]:
    rows = [line.split(",") for line in path.read_bytes().decode().split("\r\n") if line]
    assert rows[0] == ["card_id", "last4", "amount", "reference"]
    return rows[1:]


def test_due_lists_every_open_period_by_hand(council):
    due = council.payments_due(*WINDOW)
    assert [(ln.schedule_id, ln.period, ln.amount) for ln in due.payable] == PAYABLE
    assert [(ln.schedule_id, ln.period) for ln in due.cannot_pay] == CANNOT
    assert all("suspended since 2026-04-20" in ln.reason for ln in due.cannot_pay)
    assert [(t.payee_kind, t.count, t.total) for t in due.totals] == [
        ("provider", 4, D("3989.04")), ("card", 2, D("986.30")),
        ("person account", 3, D("598.36")),
    ]  # fmt: skip
    shown = {ln.schedule_id: ln.paid_to for ln in due.payable}
    assert shown == {
        "S1": "provider PR1 account ****6307", "S2": "card 4821",
        "S3": "account ****0418", "S4": "provider PR1 account ****6307",
    }  # fmt: skip


def test_no_full_account_number_in_any_report(council, tmp_path):
    due = council.payments_due(*WINDOW)
    csv_out = tmp_path / "due.csv"
    with csv_out.open("w") as f:
        render_due_csv(due, f)
    run(council, tmp_path)
    shown = [render_due_text(due), str(json_of(due)), csv_out.read_text(),
             str([json_of(c) for c in council.audit_trail()])]  # fmt: skip
    for text_ in shown:
        for number in (PERSON_ACCOUNT, PROVIDER_ACCOUNT, PERSON_ACCOUNT[:7]):
            assert number not in text_
    assert PERSON_ACCOUNT in (tmp_path / "bank.txt").read_text()  # in clear only there


def test_a_run_pays_what_is_due_and_its_files_agree_with_the_ledger(council, tmp_path):
    funds = ("isf:A1", "isf:A4", "direct:B3", "card:C2")
    before = {f: council.fund_balance(f, PAID_ON) for f in funds}
    result = run(council, tmp_path)
    moved = {f: council.fund_balance(f, PAID_ON) - before[f] for f in funds}
    assert result.payments == 9 and not result.already_recorded
    records = bank_records(tmp_path / "bank.txt")
    credits = [r for r in records if r[2] == "99"]
    contra = [r for r in records if r[2] == "17"]
    assert (
        sum(r[3] for r in credits)
        == moved["isf:A1"] + moved["isf:A4"] + moved["direct:B3"]
        == D("4587.40")
    )
    assert contra == [("800001", "12345678", "17", D("4587.40"))]
    assert (PERSON_SORT_CODE, PERSON_ACCOUNT, "99", D("203.84")) in credits
    cards = card_rows(tmp_path / "cards.csv")
    assert cards == [["C2", "4821", "493.15", "S2/1"], ["C2", "4821", "493.15", "S2/3"]]
    assert sum(D(r[2]) for r in cards) == moved["card:C2"]
    assert council.payments_due(*WINDOW).payable == ()
    trail = [c for c in council.audit_trail() if c.type == "PaymentRun.Recorded"]
    assert json_of(trail[0])["data"]["summary"]["provider"] == {"count": 4, "total": "3989.04"}


def test_the_same_run_twice_is_once_and_another_run_pays_nothing_twice(council, tmp_path):
    first = run(council, tmp_path)
    files = [(tmp_path / n).read_bytes() for n in ("bank.txt", "cards.csv")]
    after = stored(council)
    again = run(council, tmp_path)
    assert again.already_recorded and again.totals == first.totals
    assert [(tmp_path / n).read_bytes() for n in ("bank.txt", "cards.csv")] == files
    assert stored(council) == after
    other = run(council, tmp_path / "..", "R2")
    assert other.payments == 0 and council.fund_balance("isf:A1", PAID_ON) == 4 * D("997.26")
    with pytest.raises(LedgerError, match="was recorded for"):
        council.payments_run(
            "R1", WINDOW[0], date(2026, 5, 31), PAID_ON,
            bank_profile=load_file_profile("bacs-standard-18", "bank"),
            card_profile=load_file_profile("card-load-csv", "card"),
        )  # fmt: skip


def test_a_dry_run_records_nothing_and_marks_its_files(council, tmp_path):
    before = stored(council)
    result = run(council, tmp_path, dry_run=True)
    assert result.payments == 9 and stored(council) == before
    for name in ("bank.txt", "cards.csv"):
        assert (tmp_path / name).read_bytes().startswith(b"DRY RUN - NOT FOR SUBMISSION\r\n")


def test_a_crash_between_commit_and_files_then_the_same_run_equals_one_clean_run(
    council, clean_url, tmp_path, monkeypatch
):
    def crash(path: object, text: str) -> None:
        raise SystemExit("killed before the files were written")

    with monkeypatch.context() as m:
        m.setattr(payments_run, "write_atomically", crash)
        with pytest.raises(SystemExit):
            run(council, tmp_path)
    assert not (tmp_path / "bank.txt").exists()
    assert council.payments_due(*WINDOW).payable == ()  # the batch did commit
    recovered = run(council, tmp_path)
    clean = init_ledger(Settings(db_url=clean_url, **BANK))
    try:
        applied(clean, COUNCIL, "c")
        (tmp_path / "clean").mkdir()
        once = run(clean, tmp_path / "clean")
        assert stored(clean) == stored(council)
    finally:
        clean.close()
    assert dataclasses.replace(
        recovered, already_recorded=False, bank_file=None, card_file=None
    ) == (dataclasses.replace(once, bank_file=None, card_file=None))
    for name in ("bank.txt", "cards.csv"):
        assert (tmp_path / name).read_bytes() == (tmp_path / "clean" / name).read_bytes()


def test_a_forgotten_persons_account_cannot_be_paid(council):
    council.forget_person("P3", actor="dpo", reason="erasure request")
    due = council.payments_due(*WINDOW)
    assert {ln.schedule_id for ln in due.payable} == {"S1", "S2", "S4"}
    assert [ln.reason for ln in due.cannot_pay if ln.schedule_id == "S3"] == [
        "person P3 was forgotten: their bank details are gone"
    ] * 3


def test_statements_show_the_money_a_run_paid(council, tmp_path):
    run(council, tmp_path)
    direct = council.person_statement("P3")
    card = council.person_statement("P2")
    assert direct.paid_to_date == D("598.36")
    assert card.paid_to_date == D("986.30")


def test_a_bank_file_without_the_councils_account_is_refused_before_anything_is_paid(
    db_url, tmp_path
):
    led = init_ledger(Settings(db_url=db_url))  # no ISF_LEDGER_BANK_* settings
    try:
        applied(led, COUNCIL, "c")
        before = stored(led)
        with pytest.raises(LedgerError, match="set ISF_LEDGER_BANK_SORT_CODE"):
            run(led, tmp_path)
        assert stored(led) == before and not (tmp_path / "cards.csv").exists()
    finally:
        led.close()


def now() -> str:
    return instant(datetime.now(UTC))


def test_due_as_at_before_a_run_lists_what_the_run_then_paid(council, tmp_path):
    first = now()
    due = council.payments_due(*WINDOW)
    run(council, tmp_path)
    after = now()
    assert council.payments_due(*WINDOW, as_at=first) == dataclasses.replace(due, as_at=first)
    assert council.payments_due(*WINDOW, as_at=after).payable == ()
    assert council.payments_due(*WINDOW).payable == ()
    assert "as at " + first in render_due_text(council.payments_due(*WINDOW, as_at=first))


def test_due_as_at_keeps_a_period_paid_withheld_or_reversed_since_as_it_was(council):
    first = now()
    applied(council, [
        {"type": "RecordPayment", "schedule_id": "S3", "period": 1, "paid_on": "2026-04-06"},
        {"type": "WithholdPayment", "schedule_id": "S3", "period": 2, "on": "2026-05-01",
         "reason": "returns missing"},
        {"type": "ReversePayment", "schedule_id": "S1", "period": 1, "on": "2026-04-08",
         "reason": "paid to the wrong fund"},
    ], "x")  # fmt: skip
    open_now = {(ln.schedule_id, ln.period) for ln in council.payments_due(*WINDOW).payable}
    open_then = {
        (ln.schedule_id, ln.period) for ln in council.payments_due(*WINDOW, as_at=first).payable
    }
    assert open_then - open_now == {("S3", 1), ("S3", 2)}
    assert open_now - open_then == {("S1", 1)}


def test_due_as_at_before_a_termination_is_payable_and_after_it_not(council):
    first = now()
    applied(
        council, [{"type": "TerminateAgreement", "agreement_id": "A1", "on": "2026-04-30"}], "t"
    )
    then = council.payments_due(*WINDOW, as_at=first)
    assert [(ln.schedule_id, ln.period) for ln in then.payable if ln.schedule_id == "S1"] == [
        ("S1", 2), ("S1", 3), ("S1", 4)
    ]  # fmt: skip
    ended = [ln for ln in council.payments_due(*WINDOW).cannot_pay if ln.schedule_id == "S1"]
    assert [ln.period for ln in ended] == [2, 3, 4]
    assert all("terminated on 2026-04-30" in ln.reason for ln in ended)


def test_due_as_at_before_anything_was_recorded_lists_nothing(council):
    due = council.payments_due(*WINDOW, as_at="2020-01-01T00:00:00.000000Z")
    assert (due.payable, due.cannot_pay, due.totals) == ((), (), ())
