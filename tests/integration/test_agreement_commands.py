"""An agreement's life through `apply_lines`, on SQLite and on PostgreSQL.

Everything checked here is what a person checks with a calculator: each week
is delivered hours x the rate in force on its Monday, rounded half up to the
penny, and the ISF's balance is what came in less what went out.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from isf_ledger.application.apply import apply_lines
from isf_ledger.bootstrap import Ledger
from isf_ledger.handlers import HANDLERS
from isf_ledger.projections.audit_trail import trail
from isf_ledger.reports.records import json_of
from tests.integration.in_process import applied, numbered

D = Decimal

SETUP = [
    {"type": "RegisterPerson", "person_id": "P1", "authority": "FIFE"},
    {"type": "RegisterProvider", "provider_id": "PR1", "name": "Kingdom Care", "framework": "on"},
    {"type": "ProposeBudget", "budget_id": "B1", "person_id": "P1", "start": "2026-04-06",
     "amount": "13000.00", "method": "RAS"},
    {"type": "AgreeBudget", "budget_id": "B1", "agreed_on": "2026-04-01"},
    {"type": "DraftAgreement", "agreement_id": "A1", "budget_id": "B1", "provider_id": "PR1",
     "start": "2026-04-06", "hourly_rate": "21.50", "planned_weekly_hours": "10",
     "payment_frequency": "monthly", "actor": "sw.jones", "reason": "person chose Option 2"},
    {"type": "ChooseOptions", "budget_id": "B1", "effective": "2026-04-06", "allocations": [
        {"option": 2, "amount": "11180.00", "agreement_id": "A1"},
        {"option": 3, "amount": "1820.00"}]},
    {"type": "SignAgreement", "agreement_id": "A1", "party": "authority",
     "signed_on": "2026-04-01"},
    {"type": "SignAgreement", "agreement_id": "A1", "party": "person", "signed_on": "2026-04-02"},
    {"type": "SignAgreement", "agreement_id": "A1", "party": "provider",
     "signed_on": "2026-04-03"},
]  # fmt: skip

WEEKS = [
    {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-06",
     "delivered_hours": "10"},
    {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-13",
     "delivered_hours": "12.5"},
    {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-20",
     "delivered_hours": "8.25"},
    {"type": "ApproveFlex", "agreement_id": "A1", "week_start": "2026-04-27",
     "approved_by": "team leader", "reason": "hospital discharge week"},
    {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-27",
     "delivered_hours": "15"},
    {"type": "VaryAgreement", "agreement_id": "A1", "effective": "2026-05-04",
     "hourly_rate": "22.00", "planned_weekly_hours": "12"},
    {"type": "SignAgreement", "agreement_id": "A1", "party": "authority",
     "signed_on": "2026-04-28"},
    {"type": "SignAgreement", "agreement_id": "A1", "party": "person", "signed_on": "2026-04-29"},
    {"type": "SignAgreement", "agreement_id": "A1", "party": "provider",
     "signed_on": "2026-04-30"},
    {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-05-04",
     "delivered_hours": "12"},
    {"type": "RecordCost", "agreement_id": "A1", "on": "2026-05-06", "amount": "35.40",
     "description": "bus fares to the day centre"},
]  # fmt: skip


def refused(ledger: Ledger, commands: list[dict[str, Any]], prefix: str) -> list[str]:
    result = apply_lines(ledger, numbered(commands, prefix))
    assert result.applied == 0
    return [e.error for e in result.errors]


def agreement_trail(ledger: Ledger) -> list[dict[str, Any]]:
    with ledger.engine.connect() as conn:
        return json_of(trail(conn, agreement="A1"))


def test_hours_a_variation_and_a_cost_add_up_in_the_isf_and_the_audit_trail(ledger):
    applied(ledger, SETUP, "s")
    assert applied(ledger, WEEKS, "w").applied == len(WEEKS)

    # 10 x 21.50 = 215.00; 12.5 x 21.50 = 268.75; 8.25 x 21.50 = 177.375 -> 177.38;
    # 15 x 21.50 = 322.50 (approved above the cap); from 4 May: 12 x 22.00 = 264.00
    assert ledger.fund_balance("isf:A1", date(2026, 4, 5)) == D("0.00")
    assert ledger.fund_balance("isf:A1", date(2026, 4, 12)) == D("-215.00")
    assert ledger.fund_balance("isf:A1", date(2026, 5, 3)) == D("-983.63")
    assert ledger.fund_balance("isf:A1", date(2026, 5, 31)) == D("-1283.03")
    assert ledger.fund_balance("support:PR1", date(2026, 5, 31)) == D("1247.63")
    assert ledger.fund_balance("costs:A1", date(2026, 5, 31)) == D("35.40")

    rows = agreement_trail(ledger)
    assert [r["type"] for r in rows] == [
        "Agreement.Drafted",
        *["Agreement.Signed"] * 3,
        *["Agreement.HoursRecorded"] * 3,
        "Agreement.FlexApproved",
        "Agreement.HoursRecorded",
        "Agreement.Varied",
        *["Agreement.Signed"] * 3,
        "Agreement.HoursRecorded",
        "Agreement.CostRecorded",
    ]
    drafted = rows[0]
    assert (drafted["actor"], drafted["reason"], drafted["effective"]) == (
        "sw.jones",
        "person chose Option 2",
        "2026-04-06",
    )
    assert drafted["data"]["authority"] == "FIFE"
    assert drafted["data"]["person_id"] == "P1"
    hours = [r for r in rows if r["type"] == "Agreement.HoursRecorded"]
    assert [
        (r["effective"], r["data"]["delivered_hours"], r["data"]["hourly_rate"],
         r["data"]["charge"])
        for r in hours
    ] == [
        ("2026-04-06", "10", "21.50", "215.00"),
        ("2026-04-13", "12.5", "21.50", "268.75"),
        ("2026-04-20", "8.25", "21.50", "177.38"),
        ("2026-04-27", "15", "21.50", "322.50"),
        ("2026-05-04", "12", "22.00", "264.00"),
    ]  # fmt: skip
    assert hours[-1]["data"]["planned_hours"] == "12"
    assert hours[-1]["data"]["legs"] == {"isf:A1": "-264.00", "support:PR1": "264.00"}
    assert rows[7]["reason"] == "hospital discharge week"
    assert [r["data"]["version"] for r in rows if r["type"] == "Agreement.Signed"] == [
        1, 1, 1, 2, 2, 2,
    ]  # fmt: skip
    with ledger.engine.connect() as conn:
        person_rows = json_of(trail(conn, person="P1"))
    assert "OptionChoice.Chosen" in [r["type"] for r in person_rows]


def test_a_file_with_one_bad_week_changes_nothing(ledger):
    applied(ledger, SETUP, "s")
    bad = [
        *WEEKS[:2],
        {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-20",
         "delivered_hours": "13.1"},
        {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-28",
         "delivered_hours": "7.1"},
    ]  # fmt: skip
    errors = refused(ledger, bad, "b")
    assert errors == [
        "hours must be in quarter hours (multiples of 0.25): 13.1 is not",
        "agreement A1: week_start 2026-04-28 is a Tuesday; weeks start on a Monday",
    ]
    assert ledger.fund_balance("isf:A1", date(2026, 12, 31)) == D("0.00")
    assert [r["type"] for r in agreement_trail(ledger)][-1] == "Agreement.Signed"


def test_a_recovery_above_the_isf_balance_is_refused(ledger):
    applied(ledger, SETUP, "s")
    recover = {"type": "RecoverSurplus", "agreement_id": "A1", "on": "2026-04-05",
               "amount": "100.00", "reason": "surplus"}  # fmt: skip
    assert refused(ledger, [recover], "r") == [
        "recovery of £100.00 is more than the ISF balance of £0.00 on 2026-04-05"
    ]
    # The balance counts this file's own charges too.
    late = {**recover, "on": "2026-05-31"}
    assert refused(ledger, [*WEEKS, late], "x")[-1] == (
        "recovery of £100.00 is more than the ISF balance of -£1,283.03 on 2026-05-31"
    )


def test_a_recovery_names_either_an_agreement_or_a_card(ledger):
    applied(ledger, SETUP, "s")
    neither = {"type": "RecoverSurplus", "on": "2026-05-31", "amount": "1.00", "reason": "x"}
    both = {**neither, "agreement_id": "A1", "card_id": "C1"}
    assert refused(ledger, [neither, both], "r") == ["name either agreement_id or card_id"] * 2


def test_unknown_ids_and_changes_after_termination_are_refused(ledger):
    applied(ledger, SETUP, "s")
    applied(
        ledger,
        [{"type": "TerminateAgreement", "agreement_id": "A1", "on": "2026-12-31"}],
        "t",
    )
    errors = refused(
        ledger,
        [
            {"type": "RecordHours", "agreement_id": "A9", "week_start": "2026-04-06",
             "delivered_hours": "10"},
            {"type": "SuspendAgreement", "agreement_id": "A1", "on": "2027-01-04"},
            {"type": "DraftAgreement", "agreement_id": "A2", "budget_id": "B9",
             "provider_id": "PR1", "start": "2026-04-06", "hourly_rate": "21.50",
             "planned_weekly_hours": "10", "payment_frequency": "monthly"},
            {"type": "ChooseOptions", "budget_id": "B1", "effective": "2026-05-01",
             "allocations": [{"option": 2, "amount": "14000.00"}]},
            {"type": "ChooseOptions", "budget_id": "B1", "effective": "2026-05-01",
             "allocations": [{"option": 2, "amount": "100.00", "agreement_id": "A9"}]},
            {"type": "ChooseOptions", "budget_id": "B1", "effective": "2026-05-01",
             "allocations": [{"option": 1, "amount": "100.00", "card_id": "C9"}]},
            {"type": "RecoverSurplus", "card_id": "C9", "on": "2026-05-01", "amount": "1.00",
             "reason": "surplus"},
            {"type": "ChooseOptions", "budget_id": "B1", "effective": "2026-04-06",
             "allocations": [{"option": 3, "amount": "13000.00"}]},
        ],
        "u",
    )  # fmt: skip
    assert errors == [
        "unknown agreement A9",
        "agreement A1 was terminated on 2026-12-31; no change can be made after its end",
        "unknown budget B9",
        "allocations total £14,000.00, more than budget B1's £13,000.00 in force on 2026-05-01",
        "unknown agreement A9",
        "unknown card C9",
        "unknown card C9",
        "budget B1's options were already chosen from 2026-04-06; a new choice must take "
        "effect after it, so nothing paid under the earlier one is rewritten",
    ]


@pytest.mark.skipif("RecordPayment" not in HANDLERS, reason="payment schedules are not written yet")
def test_a_surplus_is_recovered_from_money_paid_into_the_isf(ledger):
    applied(ledger, SETUP, "s")
    # 3,650.00 a year, monthly from 6 April: the first period (30 days) is 300.00.
    applied(
        ledger,
        [
            {"type": "SchedulePayments", "schedule_id": "S1", "budget_id": "B1", "option": 2,
             "payee": "A1", "frequency": "monthly", "first_due": "2026-04-06",
             "amount": "3650.00"},
            {"type": "RecordPayment", "schedule_id": "S1", "period": 1, "paid_on": "2026-04-06"},
            WEEKS[0],
        ],
        "p",
    )  # fmt: skip
    assert ledger.fund_balance("isf:A1", date(2026, 4, 12)) == D("85.00")  # 300.00 - 215.00
    recover = {"type": "RecoverSurplus", "agreement_id": "A1", "on": "2026-04-12",
               "amount": "85.01", "reason": "unspent"}  # fmt: skip
    assert refused(ledger, [recover], "r") == [
        "recovery of £85.01 is more than the ISF balance of £85.00 on 2026-04-12"
    ]
    applied(ledger, [{**recover, "amount": "85.00"}], "q")
    assert ledger.fund_balance("isf:A1", date(2026, 4, 12)) == D("0.00")
    assert ledger.fund_balance("council:FIFE", date(2026, 4, 12)) == D("-215.00")
    recovered = agreement_trail(ledger)[-1]
    assert recovered["type"] == "Agreement.SurplusRecovered"
    assert recovered["data"]["balance_before"] == "85.00"
