"""A small, realistic council: the data set behind `isf-ledger demo`.

A city council, three supported people, two providers (one off the framework,
with its checks recorded). Morag (P-0001) mixes an ISF with Clyde Care
(Option 2, paid 4-weekly in advance: the contract's £13,000 example) and a
direct payment on a card (Option 1, monthly), with weekly hours, a flexed week
that needed approval, a cost, a family top-up. Iain (P-0002) has a card only;
Aileen (P-0003) an ISF with the off-framework day service, revised in October.
Corrections are new facts: Aileen's week of 7 September is corrected from
13.5 to 12.5 hours (£24.00 less, in September), and a taxi charged twice to
Morag's ISF in August is reversed (£18.00 back, net nothing in August).
Each builder returns contract-shaped JSON commands, so the demo goes through
exactly the same `apply` path as a finance officer's file. The card
provider's export for both cards is written the same way a finance officer
would receive it, a CSV in the `generic` profile, and imported through
`cards import`'s own code; October on Iain's card has a betting-shop purchase
and a double-charged taxi for the reconciliation to find.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from isf_ledger.domain.money import fmt
from isf_ledger.projections.ledger_legs import from_pence

Command = dict[str, Any]
ACTOR = "finance.officer@council.example"


def _cmd(command_id: str, type_: str, **fields: Any) -> Command:
    return {"command_id": command_id, "type": type_, "actor": ACTOR, **fields}


def people_and_providers() -> list[Command]:
    return [
        _cmd("demo-p1", "RegisterPerson", person_id="P-0001", authority="CITY",
             name="Morag Campbell"),
        _cmd("demo-p2", "RegisterPerson", person_id="P-0002", authority="CITY",
             name="Iain MacLeod"),
        _cmd("demo-p3", "RegisterPerson", person_id="P-0003", authority="CITY",
             name="Aileen Fraser"),
        _cmd("demo-v1", "RegisterProvider", provider_id="PRV-CARE", name="Clyde Care at Home",
             framework="on"),
        _cmd("demo-v2", "RegisterProvider", provider_id="PRV-HILL",
             name="Hillside Day Opportunities", framework="off",
             checks=["Care Inspectorate registration", "public liability insurance",
                     "PVG safeguarding", "financial standing"]),
        _cmd("demo-v1b", "RegisterBankAccount", account_id="BANK-CARE", owner="PRV-CARE",
             sort_code="80-22-60", account_number="10293847", account_name="Clyde Care at Home"),
        _cmd("demo-v2b", "RegisterBankAccount", account_id="BANK-HILL", owner="PRV-HILL",
             sort_code="83-91-12", account_number="56473829", account_name="Hillside Day Opps"),
    ]  # fmt: skip


def budgets() -> list[Command]:
    return [
        _cmd("demo-b1", "ProposeBudget", budget_id="B-0001", person_id="P-0001",
             start="2026-04-06", amount="16000.00", method="equivalency",
             reason="RAS assessment 2026"),
        _cmd("demo-b1a", "AgreeBudget", budget_id="B-0001", agreed_on="2026-03-20"),
        _cmd("demo-b2", "ProposeBudget", budget_id="B-0002", person_id="P-0002",
             start="2026-05-01", amount="6500.00", method="RAS"),
        _cmd("demo-b2a", "AgreeBudget", budget_id="B-0002", agreed_on="2026-04-24"),
        _cmd("demo-b3", "ProposeBudget", budget_id="B-0003", person_id="P-0003",
             start="2026-04-06", amount="18200.00", method="negotiated"),
        _cmd("demo-b3a", "AgreeBudget", budget_id="B-0003", agreed_on="2026-04-01"),
        _cmd("demo-b3r", "ReviseBudget", budget_id="B-0003", amount="19500.00",
             effective="2026-10-01",
             reason="review after hospital discharge: more evening support"),
    ]  # fmt: skip


def _agreement(
    n: str,
    budget: str,
    provider: str,
    start: str,
    rate: str,
    hours: str,
    signed: str = "2026-04-01",
) -> list[Command]:
    commands = [
        _cmd(
            f"demo-a{n}",
            "DraftAgreement",
            agreement_id=f"A-{n}",
            budget_id=budget,
            provider_id=provider,
            start=start,
            hourly_rate=rate,
            planned_weekly_hours=hours,
            payment_frequency="4-weekly",
        ),
    ]
    for party in ("authority", "person", "provider"):
        commands.append(
            _cmd(
                f"demo-a{n}-{party}",
                "SignAgreement",
                agreement_id=f"A-{n}",
                party=party,
                signed_on=signed,
            )
        )
    return commands


def _payments(schedule: str, first: date, count: int, days: int | None) -> list[Command]:
    """Periods paid on their due dates (4-weekly: every 28 days; monthly: same day)."""
    paid = []
    for period in range(1, count + 1):
        if days:
            due = first + timedelta(days=days * (period - 1))
        else:
            month = first.month - 1 + period - 1
            due = first.replace(year=first.year + month // 12, month=month % 12 + 1)
        paid.append(
            _cmd(
                f"demo-{schedule}-{period}",
                "RecordPayment",
                schedule_id=schedule,
                period=period,
                paid_on=due.isoformat(),
            )
        )
    return paid


def _hours(agreement: str, first_monday: date, weeks: int, pattern: list[str]) -> list[Command]:
    return [
        _cmd(
            f"demo-{agreement}-h{w}",
            "RecordHours",
            agreement_id=agreement,
            week_start=(first_monday + timedelta(weeks=w)).isoformat(),
            delivered_hours=pattern[w % len(pattern)],
        )
        for w in range(weeks)
    ]


def morag() -> list[Command]:
    """An ISF and a card, April to mid-November 2026."""
    return [
        *_agreement("0001", "B-0001", "PRV-CARE", "2026-04-06", "21.50", "10"),
        _cmd(
            "demo-c1",
            "IssueCard",
            card_id="C-0001",
            person_id="P-0001",
            budget_id="B-0001",
            last4="4821",
        ),
        _cmd(
            "demo-o1",
            "ChooseOptions",
            budget_id="B-0001",
            effective="2026-04-06",
            allocations=[
                {"option": 2, "amount": "13000.00", "agreement_id": "A-0001"},
                {"option": 1, "amount": "3000.00", "card_id": "C-0001"},
            ],
        ),
        _cmd(
            "demo-s1",
            "SchedulePayments",
            schedule_id="S-0001",
            budget_id="B-0001",
            option=2,
            payee="A-0001",
            frequency="4-weekly",
            first_due="2026-04-06",
            amount="13000.00",
        ),
        _cmd(
            "demo-s1c",
            "SchedulePayments",
            schedule_id="S-0001C",
            budget_id="B-0001",
            option=1,
            payee="C-0001",
            frequency="monthly",
            first_due="2026-04-06",
            amount="3000.00",
        ),
        *_payments("S-0001", date(2026, 4, 6), 8, 28),
        *_payments("S-0001C", date(2026, 4, 6), 8, None),
        _cmd(
            "demo-f1",
            "ApproveFlex",
            agreement_id="A-0001",
            week_start="2026-07-20",
            approved_by="care manager",
            reason="respite while carer in hospital",
        ),
        *_hours("A-0001", date(2026, 4, 6), 32, ["10", "9.5", "11.25", "10", "12"]),
        _cmd(
            "demo-k1",
            "RecordCost",
            agreement_id="A-0001",
            on="2026-06-15",
            amount="48.00",
            description="day trip entry and travel",
            cost_id="K-0001",
        ),
        _cmd(
            "demo-k2",
            "RecordCost",
            agreement_id="A-0001",
            on="2026-08-03",
            amount="18.00",
            description="taxi to the day centre",
            cost_id="K-0002",
        ),
        _cmd(
            "demo-t1",
            "AgreeTopUp",
            topup_id="T-0001",
            agreement_id="A-0001",
            payer="family",
            amount_per_period="20.00",
            reason="chosen provider's rate is above the budget",
        ),
        *[
            _cmd(
                f"demo-t1-{m}",
                "RecordTopUp",
                topup_id="T-0001",
                received_on=f"2026-{m:02d}-10",
                amount="20.00",
            )
            for m in range(4, 12)
        ],
    ]


def iain_and_aileen() -> list[Command]:
    return [
        _cmd(
            "demo-c2",
            "IssueCard",
            card_id="C-0002",
            person_id="P-0002",
            budget_id="B-0002",
            last4="7730",
        ),
        _cmd(
            "demo-s2",
            "SchedulePayments",
            schedule_id="S-0002",
            budget_id="B-0002",
            option=1,
            payee="C-0002",
            frequency="monthly",
            first_due="2026-05-01",
            amount="6500.00",
        ),
        *_payments("S-0002", date(2026, 5, 1), 7, None),
        *_agreement("0003", "B-0003", "PRV-HILL", "2026-04-06", "24.00", "14"),
        _cmd(
            "demo-s3",
            "SchedulePayments",
            schedule_id="S-0003",
            budget_id="B-0003",
            option=2,
            payee="A-0003",
            frequency="4-weekly",
            first_due="2026-04-06",
            amount="18200.00",
        ),
        *_payments("S-0003", date(2026, 4, 6), 8, 28),
        *_hours("A-0003", date(2026, 4, 6), 32, ["14", "14", "13.5", "14"]),
    ]


def corrections() -> list[Command]:
    """A corrected week and a reversed cost, recorded after the facts they correct."""
    return [
        _cmd("demo-x1", "CorrectHours", agreement_id="A-0003", week_start="2026-09-07",
             delivered_hours="12.5", reason="the day service's register showed a half day"),
        _cmd("demo-x2", "ReverseCost", cost_id="K-0002", on="2026-08-20",
             reason="the same taxi was charged to the card"),
    ]  # fmt: skip


def demo_commands() -> list[Command]:
    """Every command of the demo, in the order a council would record them."""
    return people_and_providers() + budgets() + morag() + iain_and_aileen() + corrections()


def resolutions(open_ids: dict[str, str]) -> list[Command]:
    """One exception resolved each way, by kind -> id of October's open exceptions:
    the bet explained, the double taxi recovered from the card (and paid back at
    once), the card's surplus written off."""
    return [
        _cmd("demo-r1", "ResolveException", exception_id=open_ids["blocked-merchant"],
             outcome="explained", reason="the bet was refunded; card rules explained again"),
        _cmd("demo-r2", "ResolveException", exception_id=open_ids["possible-duplicate"],
             outcome="recover", amount="16.40", reason="the taxi was charged twice"),
        _cmd("demo-r3", "RecoverSurplus", card_id="C-0002", on="2026-11-02", amount="16.40",
             reason="the second taxi fare, owed back"),
        _cmd("demo-r4", "ResolveException", exception_id=open_ids["surplus"],
             outcome="write-off", reason="kept for the winter: agreed at review"),
    ]  # fmt: skip


# (days after the load, description, merchant, category code, pence out)
CARD_MONTH = {
    "C-0001": [
        (2, "Edinburgh Leisure swim pass", "EDINBURGH LEISURE", "7997", 3450),
        (9, "Taxi to day centre", "CENTRAL TAXIS", "4121", 1820),
        (16, "PA wages via payroll bureau", "PAYROLL BUREAU LTD", "8931", 14000),
    ],
    "C-0002": [
        (1, "Personal assistant wages", "PAYROLL BUREAU LTD", "8931", 38000),
        (8, "Art class", "LEITH ART STUDIO", "8299", 2500),
        (15, "Taxi to art class", "CENTRAL TAXIS", "4121", 1640),
    ],
    "C-1001": [
        (3, "Swimming lessons", "EDINBURGH LEISURE", "7997", 2400),
        (10, "Taxi to physio", "CENTRAL TAXIS", "4121", 1500),
    ],
}
OCTOBER_EXTRAS = [
    ("C-0002", date(2026, 10, 20), "Bet placed", "BETSHOP 114", "7995", 2000),
    ("C-0002", date(2026, 10, 23), "Taxi home", "CENTRAL TAXIS", "4121", 1640),
    ("C-0002", date(2026, 10, 23), "Taxi home", "CENTRAL TAXIS", "4121", 1640),
]
CARD_EXPORT_HEADER = ["transaction_id", "card_id", "posted_on", "type", "description",
                      "merchant", "mcc", "amount", "balance"]  # fmt: skip


def card_export(
    loads: Iterable[tuple[str, date, int]],
    until: date,
    extras: Iterable[tuple[str, date, str, str, str, int]] = OCTOBER_EXTRAS,
) -> str:
    """The card provider's export of every load and spend up to `until`, in the
    `generic` profile, with the provider's running balance on each row.

    `loads` are (card id, date, pence): the payments the council made to
    each card, which the provider shows as loads on the same day; `extras`
    are purchases of no month's pattern.
    """
    rows: list[tuple[str, date, str, str, str, str, int]] = []
    for card_id, on, pence in loads:
        rows.append((card_id, on, "LOAD", f"Direct payment {on:%B %Y}", "", "", pence))
        for days, what, merchant, mcc, spent in CARD_MONTH[card_id]:
            rows.append(
                (card_id, on + timedelta(days=days), "PURCHASE", what, merchant, mcc, -spent)
            )
    for card_id, on, what, merchant, mcc, spent in extras:
        rows.append((card_id, on, "PURCHASE", what, merchant, mcc, -spent))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CARD_EXPORT_HEADER)
    balances: dict[str, int] = {}
    for card_id, on, kind, what, merchant, mcc, pence in sorted(
        (r for r in rows if r[1] <= until), key=lambda r: (r[0], r[1], r[2] != "LOAD")
    ):
        balances[card_id] = balances.get(card_id, 0) + pence
        writer.writerow(
            ["", card_id, on.isoformat(), kind, what, merchant, mcc,
             fmt(from_pence(pence)), fmt(from_pence(balances[card_id]))]
        )  # fmt: skip
    return out.getvalue()
