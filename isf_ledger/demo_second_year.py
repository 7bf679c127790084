"""The demo's second year (budgets from 6 April 2027): each money rule once.

- Morag (P-0001) is assessed a contribution of £1,200 a year into her ISF: her
  budget is £15,600, the council schedules £11,400 into the ISF (its £12,600
  allocation less her £1,200) and £3,000 onto her card. She pays four months in
  full and £50 of the fifth, so the rest of that month is arrears. In the week of
  19 July 2027 a crisis needs 18 hours against a plan of 10 and a flex cap of
  3.5: the provider records the true hours, 4.5 wait uncharged, and the care
  manager approves them later (recorded after the month, so the next statement
  shows them as a prior-period adjustment). Her card builds up a surplus: by
  September the provider's export shows five loads and £39 a month spent:
  £1,059.10 on the card, £600.06 above 8 weeks of £57.38 (£3,000 x 7 / 366
  days), so £150 is kept back from its sixth load (never more than the card
  owes back).
- Aileen (P-0003) moves from Hillside to Clyde Care in July: Hillside's
  agreement is terminated on Sunday 18 July, its schedule revised down to the
  four periods already paid, the whole balance left is recovered (the final
  account), and a new schedule pays the rest of the budget to Clyde Care.

Every figure comes from the same rules as the ledger's (`schedule_periods`,
hours x rate), so the statements can be checked with a calculator.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from isf_ledger.demo import Command, _agreement, _cmd, _hours, _payments
from isf_ledger.domain.money import fmt
from isf_ledger.domain.periods import budget_period_end, schedule_periods

START = date(2027, 4, 6)
END = budget_period_end(START)
CONTRIBUTION = Decimal("1200.00")
CRISIS_WEEK = date(2027, 7, 19)
HILLSIDE_ENDS = date(2027, 7, 18)
MOVE = date(2027, 7, 19)
CARD_OFFSET_ON = date(2027, 9, 6)  # the card's sixth load


def morag_second_year() -> list[Command]:
    due = schedule_periods(START, "monthly", END, CONTRIBUTION)
    paid = [
        _cmd(f"demo2-k1-{p.number}", "RecordContribution", contribution_id="K-1001",
             period=p.number, received_on=(p.start + timedelta(days=3)).isoformat(),
             amount=fmt(p.amount if p.number < 5 else Decimal("50.00")))
        for p in due[:5]
    ]  # fmt: skip
    return [
        _cmd("demo2-b1", "ProposeBudget", budget_id="B-1001", person_id="P-0001",
             start=START.isoformat(), amount="15600.00", method="equivalency"),
        _cmd("demo2-b1a", "AgreeBudget", budget_id="B-1001", agreed_on="2027-03-20"),
        *_agreement("1001", "B-1001", "PRV-CARE", START.isoformat(), "21.50", "10", "2027-04-01"),
        _cmd("demo2-c1", "IssueCard", card_id="C-1001", person_id="P-0001", budget_id="B-1001",
             last4="4821"),
        _cmd("demo2-o1", "ChooseOptions", budget_id="B-1001", effective=START.isoformat(),
             allocations=[{"option": 2, "amount": "12600.00", "agreement_id": "A-1001"},
                          {"option": 1, "amount": "3000.00", "card_id": "C-1001"}]),
        _cmd("demo2-k1", "AssessContribution", contribution_id="K-1001", budget_id="B-1001",
             payee="A-1001", frequency="monthly", first_due=START.isoformat(),
             amount=fmt(CONTRIBUTION), reason="financial assessment 2027"),
        _cmd("demo2-s1", "SchedulePayments", schedule_id="S-1001", budget_id="B-1001", option=2,
             payee="A-1001", frequency="4-weekly", first_due=START.isoformat(),
             amount="11400.00"),
        _cmd("demo2-s1c", "SchedulePayments", schedule_id="S-1001C", budget_id="B-1001",
             option=1, payee="C-1001", frequency="monthly", first_due=START.isoformat(),
             amount="3000.00"),
        *_payments("S-1001", START, 6, 28),
        *_payments("S-1001C", START, 5, None),
        *paid,
        *_hours("A-1001", date(2027, 4, 12), 14, ["10"]),
        _cmd("demo2-crisis", "RecordHours", agreement_id="A-1001",
             week_start=CRISIS_WEEK.isoformat(), delivered_hours="18",
             reason="crisis week: carer admitted to hospital"),
    ]  # fmt: skip


def morag_late_approval() -> list[Command]:
    """Recorded after the crisis month's statement was issued."""
    return [
        _cmd("demo2-f1", "ApproveFlex", agreement_id="A-1001",
             week_start=CRISIS_WEEK.isoformat(), approved_by="care manager",
             reason="crisis cover agreed after the event"),
    ]  # fmt: skip


def morag_card_offset() -> list[Command]:
    """Applied once the card's export up to the day before (`CARD_OFFSET_ON`) is in."""
    (sixth,) = _payments("S-1001C", START, 6, None)[5:]
    return [
        {**sixth, "offset": "150.00",
         "reason": "card balance above 8 weeks of payments: surplus offset"},
    ]  # fmt: skip


def aileen_second_year() -> list[Command]:
    hillside = schedule_periods(START, "4-weekly", END, Decimal("19500.00"))
    kept = sum((p.amount for p in hillside[:4]), Decimal("0.00"))
    weeks = 14  # Mondays 12 April to 12 July 2027, 14 hours at £24.00: £336.00 a week
    left = kept - weeks * Decimal("336.00")
    return [
        _cmd("demo2-b3", "ProposeBudget", budget_id="B-1003", person_id="P-0003",
             start=START.isoformat(), amount="19500.00", method="negotiated"),
        _cmd("demo2-b3a", "AgreeBudget", budget_id="B-1003", agreed_on="2027-04-01"),
        *_agreement("1003", "B-1003", "PRV-HILL", START.isoformat(), "24.00", "14", "2027-04-01"),
        _cmd("demo2-s3", "SchedulePayments", schedule_id="S-1003", budget_id="B-1003", option=2,
             payee="A-1003", frequency="4-weekly", first_due=START.isoformat(),
             amount="19500.00"),
        *_payments("S-1003", START, 4, 28),
        *_hours("A-1003", date(2027, 4, 12), weeks, ["14"]),
        _cmd("demo2-t3", "TerminateAgreement", agreement_id="A-1003",
             on=HILLSIDE_ENDS.isoformat(), reason="Aileen chose to move to Clyde Care"),
        _cmd("demo2-r3", "ReviseSchedule", schedule_id="S-1003", effective=MOVE.isoformat(),
             amount=fmt(kept), reason="provider change: nothing more to Hillside"),
        _cmd("demo2-x3", "RecoverSurplus", agreement_id="A-1003", on=HILLSIDE_ENDS.isoformat(),
             amount=fmt(left), reason="final account: the whole balance is due back"),
        *_agreement("1004", "B-1003", "PRV-CARE", MOVE.isoformat(), "22.00", "14", "2027-07-12"),
        _cmd("demo2-s4", "SchedulePayments", schedule_id="S-1004", budget_id="B-1003", option=2,
             payee="A-1004", frequency="4-weekly", first_due=MOVE.isoformat(),
             amount=fmt(Decimal("19500.00") - kept)),
        *_payments("S-1004", MOVE, 2, 28),
    ]  # fmt: skip


def second_year_commands() -> list[Command]:
    return morag_second_year() + aileen_second_year()
