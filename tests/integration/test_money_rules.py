"""The council's money rules through `apply` and the statements, on both databases.

Payments bounded by the allocation, assessed contributions, flex that waits for
approval, endings with a final account, and offsets against a surplus.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from isf_ledger.application.apply import apply_lines
from isf_ledger.bootstrap import Ledger
from isf_ledger.projections.runner import instant
from tests.integration.in_process import applied, numbered

D = Decimal

SETUP = [
    {"type": "RegisterPerson", "person_id": "P1", "authority": "FIFE"},
    {"type": "RegisterProvider", "provider_id": "PR1", "name": "Kingdom Care", "framework": "on"},
    {"type": "ProposeBudget", "budget_id": "B1", "person_id": "P1", "start": "2026-04-06",
     "amount": "13000.00", "method": "RAS"},
    {"type": "AgreeBudget", "budget_id": "B1", "agreed_on": "2026-04-01"},
    {"type": "DraftAgreement", "agreement_id": "A1", "budget_id": "B1", "provider_id": "PR1",
     "start": "2026-04-06", "hourly_rate": "20.00", "planned_weekly_hours": "10",
     "payment_frequency": "monthly"},
    *({"type": "SignAgreement", "agreement_id": "A1", "party": party, "signed_on": "2026-04-03"}
      for party in ("authority", "person", "provider")),
    {"type": "ChooseOptions", "budget_id": "B1", "effective": "2026-04-06",
     "allocations": [{"option": 2, "amount": "12000.00", "agreement_id": "A1"}]},
]  # fmt: skip


def schedule(amount: str, schedule_id: str = "S1") -> dict[str, Any]:
    return {"type": "SchedulePayments", "schedule_id": schedule_id, "budget_id": "B1",
            "option": 2, "payee": "A1", "frequency": "monthly", "first_due": "2026-04-06",
            "amount": amount}  # fmt: skip


def errors(ledger: Ledger, commands: list[dict[str, Any]], prefix: str) -> list[str]:
    result = apply_lines(ledger, numbered(commands, prefix))
    assert result.applied == 0
    return [e.error for e in result.errors]


def now() -> str:
    return instant(datetime.now(UTC))


def test_a_schedule_above_the_allocation_is_refused_naming_both_amounts(ledger):
    applied(ledger, SETUP, "s")
    assert errors(ledger, [schedule("50000.00")], "x") == [
        "schedule S1 is refused: it would bring schedules to A1 of £50,000.00 a year (schedule "
        "S1 among them) above option 2's allocation to A1 of £12,000.00 in force on 2026-04-06"
    ]
    applied(ledger, [schedule("12000.00")], "ok")
    assert errors(ledger, [schedule("0.01", "S2")], "y")[0].startswith("schedule S2 is refused")


def test_a_choice_that_would_leave_a_schedule_above_waits_for_the_schedule_to_be_revised(ledger):
    applied(ledger, [*SETUP, schedule("12000.00"),
                     {"type": "RecordPayment", "schedule_id": "S1", "period": 1,
                      "paid_on": "2026-04-06"}], "s")  # fmt: skip
    smaller = {"type": "ChooseOptions", "budget_id": "B1", "effective": "2026-06-01",
               "allocations": [{"option": 2, "amount": "8000.00",
                                "agreement_id": "A1"}]}  # fmt: skip
    (error,) = errors(ledger, [smaller], "x")
    assert error.endswith(": revise schedule S1 first")
    revise = {"type": "ReviseSchedule", "schedule_id": "S1", "effective": "2026-06-01",
              "amount": "8000.00"}  # fmt: skip
    applied(ledger, [revise, smaller], "r")


def test_a_contribution_is_part_of_the_budget_and_its_arrears_show(ledger):
    applied(ledger, SETUP, "s")
    assess = {"type": "AssessContribution", "contribution_id": "K1", "budget_id": "B1",
              "payee": "A1", "frequency": "monthly", "first_due": "2026-04-06",
              "amount": "1200.00"}  # fmt: skip
    # The council pays the allocation less the contribution: 12,000 - 1,200.
    assert errors(ledger, [assess, schedule("10800.01")], "x")[0].startswith(
        "schedule S1 is refused"
    )
    applied(ledger, [assess, schedule("10800.00"),
                     {"type": "RecordContribution", "contribution_id": "K1", "period": 1,
                      "received_on": "2026-04-10", "amount": "60.00"}], "k")  # fmt: skip
    (isf,) = ledger.provider_statement("PR1", "2026-04").agreements
    assert isf.contributions_in == D("60.00")
    assert isf.closing_balance == D("60.00")
    # Period 1 (6 April to 5 May: 30 days of 365) is due by 30 April: 98.63, less 60 received.
    assert isf.contribution_arrears == D("98.63") - D("60.00")
    person = ledger.person_statement("P1", as_at=now())
    assert (person.contribution, person.council_pays, person.contributions_paid) == (
        D("1200.00"),
        D("11800.00"),
        D("60.00"),
    )
    assert person.paid_to_date == 0  # the person's money is never counted as the council's


def test_hours_above_the_cap_wait_and_a_late_approval_is_a_prior_period_adjustment(ledger):
    applied(ledger, [*SETUP, schedule("12000.00"),
                     {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-06-01",
                      "delivered_hours": "16"},
                     {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-06-08",
                      "delivered_hours": "15"}], "s")  # fmt: skip
    june = ledger.provider_statement("PR1", "2026-06").agreements[0]
    # Plan 10 + cap 3.5: 2.5 and 1.5 hours wait, uncharged.
    assert june.hours_awaiting_approval == D("4.00")
    assert june.charges_hours == D("540.00")  # (13.5 + 13.5) x 20.00
    assert june.flex_flags[:2] == (
        "week of 2026-06-01: 16 hours against 10 planned, above flex cap, awaiting approval",
        "week of 2026-06-08: 15 hours against 10 planned, above flex cap, awaiting approval",
    )
    issued = now()
    applied(ledger, [{"type": "ApproveFlex", "agreement_id": "A1", "week_start": "2026-06-01",
                      "approved_by": "team leader"},
                     {"type": "DeclineFlex", "agreement_id": "A1", "week_start": "2026-06-08",
                      "declined_by": "team leader", "reason": "not agreed"}], "f")  # fmt: skip
    july = ledger.provider_statement("PR1", "2026-07", previous_as_at=issued).agreements[0]
    assert july.prior_period_adjustments == D("-50.00")  # 2.5 x 20.00 charged to June
    june = ledger.provider_statement("PR1", "2026-06").agreements[0]
    assert (june.hours_awaiting_approval, june.hours_declined) == (D("0.00"), D("1.50"))
    assert [f.rsplit(", ", 1)[1] for f in june.flex_flags[:2]] == ["approved", "declined"]
    assert june.charges_hours == D("590.00")


def test_after_termination_nothing_later_is_paid_and_the_whole_balance_is_due_back(ledger):
    pay = [{"type": "RecordPayment", "schedule_id": "S1", "period": n, "paid_on": day}
           for n, day in ((1, "2026-04-06"), (2, "2026-05-06"))]  # fmt: skip
    applied(ledger, [*SETUP, schedule("12000.00"), *pay,
                     {"type": "TerminateAgreement", "agreement_id": "A1", "on": "2026-05-20"}],
            "s")  # fmt: skip
    assert errors(ledger, [{"type": "RecordPayment", "schedule_id": "S1", "period": 3,
                            "paid_on": "2026-05-20"}], "x") == [
        "period 3 of schedule S1, starting 2026-06-06, cannot be paid: agreement A1 was "
        "terminated on 2026-05-20, before it"
    ]  # fmt: skip
    (isf,) = ledger.provider_statement("PR1", "2026-05").agreements
    assert isf.status == "terminated"
    assert isf.due_back == isf.surplus == isf.closing_balance > 0


def pay(*periods: tuple[int, str, str]) -> list[dict[str, Any]]:
    """RecordPayment of S1 for each (period, paid_on, offset)."""
    return [{"type": "RecordPayment", "schedule_id": "S1", "period": n, "paid_on": day,
             "offset": offset} for n, day, offset in periods]  # fmt: skip


# Periods 1 and 2 paid in full (986.30 + 1,019.18) with nothing charged: on 6 June the
# ISF holds 2,005.48, above its threshold of 8 weeks x 10 hours x £20.00 = 1,600.00.
IN_SURPLUS = [*SETUP, schedule("12000.00"),
              *pay((1, "2026-04-06", "0.00"), (2, "2026-05-06", "0.00"))]  # fmt: skip


def test_an_offset_is_kept_back_from_a_payment_and_counts_as_recovered(ledger):
    applied(ledger, [*IN_SURPLUS, *pay((3, "2026-06-06", "100.00"))], "s")
    (isf,) = ledger.provider_statement("PR1", "2026-06").agreements
    person = ledger.person_statement("P1", as_at=now())
    assert isf.payments_in == D("986.30") - D("100.00")  # period 3: 12,000 x 30 / 365
    assert person.paid_to_date == D("986.30") + D("1019.18") + D("886.30")
    assert person.recovered_to_date == D("100.00")


def test_an_offset_above_what_the_fund_owes_back_is_refused_naming_the_rule(ledger):
    applied(ledger, IN_SURPLUS, "s")
    # The surplus is 405.48: an offset of 405.49 keeps back more than is owed back.
    assert errors(ledger, pay((3, "2026-06-06", "405.49")), "x") == [
        "an offset of £405.49 kept back from period 3 of schedule S1 is more than agreement "
        "A1 owes back to the council on 2026-06-06, £405.48 (its surplus, or an open recover "
        "debt if more): an offset only keeps back money owed back"
    ]
    applied(ledger, pay((3, "2026-06-06", "405.48")), "ok")


def test_an_offset_on_a_fund_with_no_surplus_is_refused(ledger):
    applied(ledger, [*SETUP, schedule("12000.00")], "s")
    (error,) = errors(ledger, pay((1, "2026-04-06", "0.01")), "x")
    assert "is more than agreement A1 owes back to the council on 2026-04-06, £0.00" in error


def test_an_offset_may_keep_back_an_open_recover_debt_larger_than_the_surplus(ledger):
    applied(ledger, IN_SURPLUS, "s")
    # The surplus of May (later months, with nothing moving, raise their own).
    (surplus,) = [
        e for e in ledger.exceptions().exceptions if e.kind == "surplus" and e.month == "2026-05"
    ]
    decide = {"type": "ResolveException", "exception_id": surplus.exception_id,
              "outcome": "recover", "reason": "unspent", "amount": "600.00"}  # fmt: skip
    # Decided in the same file as the offset, the debt already counts.
    applied(ledger, [decide, *pay((3, "2026-06-06", "600.00"))], "r")
    # 600.00 is above the surplus of 405.48 on 6 June: the debt let it through, and the
    # offset paid it. On 6 July the ISF owes back its surplus again: 2,005.48 + 386.30
    # moved for period 3, less 1,600.00.
    (error,) = errors(ledger, pay((4, "2026-07-06", "900.00")), "x")
    assert "owes back to the council on 2026-07-06, £791.78 (its surplus" in error


def test_a_statement_names_its_surplus_basis_and_gives_the_other_when_it_differs(ledger):
    pay = [{"type": "RecordPayment", "schedule_id": "S1", "period": n, "paid_on": day}
           for n, day in ((1, "2026-04-06"), (2, "2026-05-06"))]  # fmt: skip
    applied(ledger, [*SETUP, schedule("12000.00"), *pay], "s")
    (isf,) = ledger.provider_statement("PR1", "2026-05").agreements
    # 986.30 + 1,019.18 paid for April and May, nothing charged.
    assert isf.closing_balance == D("2005.48")
    assert isf.surplus_basis == "weeks of planned hours x rate"
    assert isf.surplus == D("2005.48") - 8 * D("200.00")  # 8 weeks of 10 hours at £20.00
    # 8 weeks of planned payments: 12,000 x 7 / 365 = 230.14 a week.
    assert isf.surplus_on_payments == D("2005.48") - 8 * D("230.14")


def test_a_cards_surplus_is_its_balance_above_eight_weeks_of_its_payments(ledger, tmp_path):
    from isf_ledger.adapters.card_files.profile import load_profile

    applied(ledger, [*SETUP[:4], {"type": "IssueCard", "card_id": "C1", "person_id": "P1",
                              "budget_id": "B1", "last4": "4821"},
                     {"type": "SchedulePayments", "schedule_id": "S9", "budget_id": "B1",
                      "option": 1, "payee": "C1", "frequency": "monthly",
                      "first_due": "2026-04-06", "amount": "1000.00"}], "s")  # fmt: skip
    export = tmp_path / "card.csv"
    export.write_text(
        "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"
        "t1,C1,2026-04-07,LOAD,load,,,500.00,500.00\n"
    )
    ledger.import_cards([export], load_profile("generic"))
    (card,) = ledger.reconcile_cards("2026-04").cards
    # A week of 1,000 a year is 19.18; eight of them 153.44.
    assert card.surplus == D("500.00") - 8 * D("19.18")


def test_an_ended_budgets_card_owes_back_its_own_balance_not_what_was_paid_onto_it(
    ledger, tmp_path
):
    """A card's balance is its transactions (CONTRACT, card surplus), not the
    ledger's payments onto it: what the holder spent is no longer there."""
    from isf_ledger.adapters.card_files.profile import load_profile

    applied(ledger, [*SETUP[:4], {"type": "IssueCard", "card_id": "C1", "person_id": "P1",
                              "budget_id": "B1", "last4": "4821"},
                     {"type": "SchedulePayments", "schedule_id": "S9", "budget_id": "B1",
                      "option": 1, "payee": "C1", "frequency": "monthly",
                      "first_due": "2026-04-06", "amount": "1000.00"},
                     {"type": "RecordPayment", "schedule_id": "S9", "period": 1,
                      "paid_on": "2026-04-06"},
                     {"type": "EndBudget", "budget_id": "B1", "ended_on": "2026-05-01"}],
            "s")  # fmt: skip
    before_import = now()
    export = tmp_path / "card.csv"
    export.write_text(
        "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"
        "t1,C1,2026-04-07,LOAD,load,,,82.19,82.19\n"
        "t2,C1,2026-04-10,PURCHASE,shopping,Tesco,5411,-50.00,32.19\n"
    )
    ledger.import_cards([export], load_profile("generic"))
    person = ledger.person_statement("P1", as_at=now())
    assert person.paid_to_date == D("82.19")  # 1,000 x 30 / 365 paid onto the card
    assert person.due_back == D("32.19")  # the load less the purchase
    # As at an instant before the export was imported, the card had no transactions.
    assert ledger.person_statement("P1", as_at=before_import).due_back == D("0.00")
