"""Payments in advance, top-ups and cards through `apply_lines`, on SQLite and PostgreSQL.

What is checked is what a finance officer checks with a calculator: £13,000 a
year paid 4-weekly from 6 April 2026 is twelve payments of £997.26 and one of
£1,032.88; every pound paid onto the card left the council's account; a
refused file stores nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.adapters.event_store import events_table
from isf_ledger.application.apply import apply_lines
from isf_ledger.application.card_import import import_files
from isf_ledger.bootstrap import Ledger
from isf_ledger.projections.audit_trail import trail
from isf_ledger.reports.records import json_of
from tests.integration.in_process import applied, numbered

D = Decimal
START = date(2026, 4, 6)
BUDGET_END = date(2027, 4, 5)
STARTS = [START + timedelta(days=28 * n) for n in range(13)]  # the 13 periods' first days

SETUP = [
    {"type": "RegisterPerson", "person_id": "P1", "authority": "FIFE"},
    {"type": "ProposeBudget", "budget_id": "B1", "person_id": "P1", "start": "2026-04-06",
     "amount": "16650.00", "method": "RAS"},
    {"type": "AgreeBudget", "budget_id": "B1", "agreed_on": "2026-04-01"},
    {"type": "IssueCard", "card_id": "C1", "person_id": "P1", "budget_id": "B1", "last4": "4821"},
    {"type": "SchedulePayments", "schedule_id": "S1", "budget_id": "B1", "option": 1,
     "payee": "C1", "frequency": "4-weekly", "first_due": "2026-04-06", "amount": "13000.00",
     "actor": "finance.officer", "reason": "direct payment onto the card"},
]  # fmt: skip

AGREEMENT = [
    {"type": "RegisterProvider", "provider_id": "PR1", "name": "Kingdom Care", "framework": "on"},
    {"type": "DraftAgreement", "agreement_id": "A1", "budget_id": "B1", "provider_id": "PR1",
     "start": "2026-04-06", "hourly_rate": "21.50", "planned_weekly_hours": "10",
     "payment_frequency": "monthly"},
    {"type": "SchedulePayments", "schedule_id": "S2", "budget_id": "B1", "option": 2,
     "payee": "A1", "frequency": "monthly", "first_due": "2026-04-06", "amount": "3650.00"},
]  # fmt: skip

SIGNATURES = [
    {"type": "SignAgreement", "agreement_id": "A1", "party": party, "signed_on": "2026-04-03"}
    for party in ("authority", "person", "provider")
]


def pay(period: int, paid_on: date, schedule: str = "S1") -> dict[str, Any]:
    return {"type": "RecordPayment", "schedule_id": schedule, "period": period,
            "paid_on": paid_on.isoformat()}  # fmt: skip


def stored(ledger: Ledger) -> tuple[int, int, int]:
    """How many events, ledger legs and audit rows are stored."""
    with ledger.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.scalar(text(f"SELECT COUNT(*) FROM {table}"))
            for table in (events_table(ledger.app), "ledger_legs", "audit_trail")
        )


def refused(ledger: Ledger, commands: list[dict[str, Any]], prefix: str) -> list[str]:
    """Apply a file that must be refused whole; nothing may be stored."""
    before = stored(ledger)
    result = apply_lines(ledger, numbered(commands, prefix))
    assert (result.applied, result.duplicates) == (0, 0)
    assert stored(ledger) == before
    return [e.error for e in result.errors]


def balance(ledger: Ledger, account: str, on: date = BUDGET_END) -> Decimal:
    return ledger.fund_balance(account, on)


def test_a_year_paid_in_full_moves_exactly_the_scheduled_amount_onto_the_card(ledger):
    applied(ledger, SETUP, "s")
    applied(ledger, [pay(n, day) for n, day in enumerate(STARTS, start=1)], "p")

    assert balance(ledger, "card:C1") == D("13000.00")
    assert balance(ledger, "council:FIFE") == D("-13000.00")
    assert balance(ledger, "card:C1", STARTS[1] - timedelta(days=1)) == D("997.26")
    assert balance(ledger, "card:C1", STARTS[12] - timedelta(days=1)) == D("11967.12")

    with ledger.engine.connect() as conn:
        rows = json_of(trail(conn, card="C1"))
    assert [r["type"] for r in rows] == [
        "Card.Issued",
        "Schedule.Scheduled",
        *["Schedule.PaymentMade"] * 13,
    ]
    scheduled = rows[1]
    assert (scheduled["actor"], scheduled["reason"]) == (
        "finance.officer",
        "direct payment onto the card",
    )
    assert scheduled["data"]["authority"] == "FIFE"
    assert scheduled["data"]["periods"][-1] == {
        "number": 13,
        "start": "2027-03-08",
        "end": "2027-04-05",
        "amount": "1032.88",
    }
    assert [r["data"]["amount"] for r in rows[2:]] == ["997.26"] * 12 + ["1032.88"]
    assert rows[-1]["data"]["legs"] == {"card:C1": "1032.88", "council:FIFE": "-1032.88"}
    with ledger.engine.connect() as conn:
        types = [r["type"] for r in json_of(trail(conn, person="P1"))]
    assert types.count("Schedule.PaymentMade") == 13


def test_paying_a_period_twice_is_refused_with_the_period_and_date_and_stores_nothing(ledger):
    applied(ledger, [*SETUP, pay(3, date(2026, 6, 29))], "s")
    errors = refused(ledger, [pay(4, STARTS[3]), pay(3, date(2026, 7, 1))], "x")
    assert errors == ["payment for period 3 of schedule S1 was already made on 2026-06-29"]
    # The same file's own lines count too: a period paid twice in one file.
    errors = refused(ledger, [pay(5, STARTS[4]), pay(5, STARTS[4])], "y")
    assert errors == ["payment for period 5 of schedule S1 was already made on 2026-07-27"]
    assert balance(ledger, "card:C1") == D("997.26")


def test_a_reversed_payment_goes_back_to_the_council_and_the_period_is_paid_again(ledger):
    applied(ledger, [*SETUP, pay(1, START), pay(2, STARTS[1])], "s")
    reverse = {"type": "ReversePayment", "schedule_id": "S1", "period": 2, "on": "2026-05-06",
               "reason": "loaded twice by the card provider"}  # fmt: skip
    applied(ledger, [reverse], "r")
    assert balance(ledger, "card:C1", date(2026, 5, 5)) == D("1994.52")
    assert balance(ledger, "card:C1", date(2026, 5, 6)) == D("997.26")
    assert balance(ledger, "council:FIFE", date(2026, 5, 6)) == D("-997.26")

    assert refused(ledger, [reverse], "rr") == [
        "there is no payment to reverse for period 2 of schedule S1: "
        "its payment was already reversed on 2026-05-06"
    ]
    applied(ledger, [pay(2, date(2026, 5, 7))], "p")
    assert balance(ledger, "card:C1") == D("1994.52")
    with ledger.engine.connect() as conn:
        types = [r["type"] for r in json_of(trail(conn, card="C1"))]
    assert types[-3:] == [
        "Schedule.PaymentMade",
        "Schedule.PaymentReversed",
        "Schedule.PaymentMade",
    ]


def test_a_withheld_period_is_not_paid_and_a_paid_one_cannot_be_withheld(ledger):
    withhold = {"type": "WithholdPayment", "schedule_id": "S1", "period": 2, "on": "2026-04-30",
                "reason": "surplus above eight weeks"}  # fmt: skip
    applied(ledger, [*SETUP, pay(1, START), withhold], "s")
    assert refused(ledger, [pay(2, STARTS[1])], "x") == [
        "payment for period 2 of schedule S1 was withheld on 2026-04-30"
    ]
    assert refused(ledger, [{**withhold, "period": 1}], "y") == [
        "payment for period 1 of schedule S1 was already made on 2026-04-06; "
        "reverse it instead of withholding it"
    ]
    assert balance(ledger, "card:C1") == D("997.26")


def test_payments_into_an_isf_need_an_active_agreement(ledger):
    applied(ledger, [*SETUP, *AGREEMENT], "s")
    assert refused(ledger, [pay(1, START, "S2")], "x") == [
        "agreement A1 is not active on 2026-04-06: not yet signed by the authority, "
        "the person and the provider"
    ]
    applied(ledger, [*SIGNATURES, pay(1, START, "S2")], "p")
    # 3,650.00 a year, monthly from 6 April: the first period (30 days) is 300.00.
    assert balance(ledger, "isf:A1") == D("300.00")
    assert balance(ledger, "council:FIFE") == D("-300.00")
    applied(ledger, [{"type": "TerminateAgreement", "agreement_id": "A1", "on": "2026-05-31"}], "t")
    assert refused(ledger, [pay(2, date(2026, 6, 6), "S2")], "y") == [
        "agreement A1 is not active on 2026-06-06: terminated on 2026-05-31"
    ]


def test_no_payment_after_the_budget_ended(ledger):
    applied(
        ledger, [*SETUP, {"type": "EndBudget", "budget_id": "B1", "ended_on": "2026-09-30"}], "s"
    )
    assert refused(ledger, [pay(8, date(2026, 10, 19))], "x") == [
        "budget B1 ended on 2026-09-30; no change can be made after its end"
    ]


def test_schedules_name_a_payee_of_the_right_kind_and_budget(ledger):
    applied(ledger, [*SETUP, *AGREEMENT], "s")
    other = [
        {"type": "RegisterPerson", "person_id": "P2", "authority": "FIFE"},
        {"type": "ProposeBudget", "budget_id": "B2", "person_id": "P2", "start": "2026-04-06",
         "amount": "5000.00", "method": "RAS"},
    ]  # fmt: skip
    applied(ledger, other, "o")
    schedule = {"type": "SchedulePayments", "schedule_id": "S9", "budget_id": "B2", "option": 1,
                "payee": "C1", "frequency": "monthly", "first_due": "2026-04-06",
                "amount": "1200.00"}  # fmt: skip
    errors = refused(
        ledger,
        [
            schedule,
            {**schedule, "budget_id": "B1", "payee": "A1"},
            {**schedule, "budget_id": "B1", "option": 2, "payee": "C1"},
            {**schedule, "budget_id": "B1", "first_due": "2027-04-06"},
            {**schedule, "schedule_id": "S1", "budget_id": "B1"},
            {"type": "RecordPayment", "schedule_id": "S8", "period": 1, "paid_on": "2026-04-06"},
            pay(14, BUDGET_END),
        ],
        "x",
    )
    assert errors == [
        "schedule S9: card C1 belongs to budget B1, not budget B2",
        "unknown card or bank account A1",
        "unknown agreement C1",
        "the first payment of schedule S9 on 2027-04-06 is outside budget B1's period "
        "2026-04-06 to 2027-04-05",
        "schedule S1 already exists",
        "unknown schedule S8",
        "schedule S1 has 13 periods; there is no period 14",
    ]


def test_a_card_is_issued_only_for_the_persons_own_budget_and_with_four_digits(ledger):
    applied(ledger, SETUP, "s")
    applied(ledger, [{"type": "RegisterPerson", "person_id": "P2", "authority": "FIFE"}], "o")
    card = {"type": "IssueCard", "card_id": "C2", "person_id": "P2", "budget_id": "B1",
            "last4": "1234"}  # fmt: skip
    errors = refused(ledger, [card, {**card, "card_id": "C1", "person_id": "P1"}], "x")
    assert errors == ["budget B1 belongs to person P1, not P2", "card C1 already exists"]
    with ledger.engine.connect() as conn:
        issued = [r for r in json_of(trail(conn, card="C1")) if r["type"] == "Card.Issued"]
    assert issued[0]["data"]["last4"] == "4821"


def test_a_top_up_adds_to_the_card_but_never_to_the_councils_money(ledger):
    topup = {"type": "AgreeTopUp", "topup_id": "T1", "card_id": "C1", "payer": "family",
             "amount_per_period": "40.00", "reason": "PA rate above budget"}  # fmt: skip
    received = {"type": "RecordTopUp", "topup_id": "T1", "received_on": "2026-04-10",
                "amount": "40.00"}  # fmt: skip
    applied(ledger, [*SETUP, pay(1, START), topup, received], "s")
    assert balance(ledger, "card:C1") == D("1037.26")
    assert balance(ledger, "council:FIFE") == D("-997.26")
    assert balance(ledger, "topup:T1") == D("-40.00")
    with ledger.engine.connect() as conn:
        for subject in ({"card": "C1"}, {"person": "P1"}, {"budget": "B1"}):
            rows = [r for r in json_of(trail(conn, **subject)) if r["subject"] == "topup T1"]
            assert [r["type"] for r in rows] == ["TopUp.Agreed", "TopUp.TopUpReceived"]
    assert rows[-1]["data"]["legs"] == {"card:C1": "40.00", "topup:T1": "-40.00"}
    assert refused(ledger, [{**topup, "topup_id": "T2", "agreement_id": "A1"}], "x") == [
        "top-up T2: name either agreement_id or card_id"
    ]


def test_an_isf_top_up_stops_when_the_agreement_is_terminated(ledger):
    topup = {"type": "AgreeTopUp", "topup_id": "T1", "agreement_id": "A1", "payer": "person",
             "amount_per_period": "25.00", "reason": "assessed charge",
             "kind": "contribution"}  # fmt: skip
    applied(ledger, [*SETUP, *AGREEMENT, *SIGNATURES, topup], "s")
    applied(ledger, [{"type": "TerminateAgreement", "agreement_id": "A1", "on": "2026-05-31"}], "t")
    received = {"type": "RecordTopUp", "topup_id": "T1", "received_on": "2026-06-01",
                "amount": "25.00"}  # fmt: skip
    assert refused(ledger, [received], "x") == [
        "agreement A1 was terminated on 2026-05-31; no change can be made after its end"
    ]
    applied(ledger, [{**received, "received_on": "2026-05-31"}], "r")
    assert balance(ledger, "isf:A1") == D("25.00")
    assert balance(ledger, "council:FIFE") == D("0.00")


CARD_EXPORT = """transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance
,4821,2026-04-07,LOAD,Direct payment,,,997.26,997.26
,4821,2026-04-20,PURCHASE,Groceries,TESCO,5411,-682.14,315.12
,4821,2026-05-02,PURCHASE,Taxi,CITY CABS,4121,-15.12,300.00
"""


def test_a_recovery_from_the_card_is_refused_above_what_its_transactions_leave(ledger, tmp_path):
    applied(ledger, [*SETUP, pay(1, START)], "s")
    export = tmp_path / "april.csv"
    export.write_text(CARD_EXPORT)
    assert import_files(ledger, [export], load_profile("generic")).total("imported") == 3
    recover = {"type": "RecoverSurplus", "card_id": "C1", "on": "2026-04-30", "amount": "400.00",
               "reason": "unspent"}  # fmt: skip
    assert refused(ledger, [recover], "x") == [
        "recovery of £400.00 is more than the card balance of £315.12 on 2026-04-30"
    ]
    # What one command of a batch takes off the card, the next cannot take again.
    assert refused(ledger, [{**recover, "amount": "300.00"}, recover], "y") == [
        "recovery of £400.00 is more than the card balance of £15.12 on 2026-04-30"
    ]
    applied(ledger, [{**recover, "amount": "315.12"}], "r")
    assert balance(ledger, "council:FIFE") == D("-997.26") + D("315.12")


def test_a_recovery_from_the_card_is_refused_above_the_cards_own_balance(ledger, tmp_path):
    applied(ledger, [*SETUP, pay(1, START)], "s")
    export = tmp_path / "card.csv"
    export.write_text(
        "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"
        "t1,C1,2026-04-07,LOAD,load,,,997.26,997.26\n"
        "t2,C1,2026-04-20,PURCHASE,shop,Tesco,5411,-97.26,900.00\n"
        "t3,C1,2026-05-02,PURCHASE,shop,Tesco,5411,-100.00,800.00\n"
    )
    ledger.import_cards([export], load_profile("generic"))
    # The card's balance is its own transactions posted by the day: 997.26 - 97.26.
    recover = {"type": "RecoverSurplus", "card_id": "C1", "on": "2026-04-30", "amount": "900.01",
               "reason": "unspent"}  # fmt: skip
    assert refused(ledger, [recover], "x") == [
        "recovery of £900.01 is more than the card balance of £900.00 on 2026-04-30"
    ]
    # Two in one file count against the same balance.
    half = {**recover, "amount": "450.00"}
    assert refused(ledger, [half, {**half, "amount": "450.01"}], "y") == [
        "recovery of £450.01 is more than the card balance of £450.00 on 2026-04-30"
    ]
    applied(ledger, [{**recover, "amount": "900.00"}], "r")
    assert balance(ledger, "council:FIFE") == D("-97.26")
