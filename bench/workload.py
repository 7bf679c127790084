"""Realistic command streams: people with budgets, ISFs, cards, hours, payments.

Each person gets one budget a year, an agreement with a provider (Option 2)
paid 4-weekly in advance with weekly hours delivered, and a card (Option 1)
paid monthly. Commands are contract-shaped dicts, as a finance officer's file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

Command = dict[str, Any]
PROVIDERS = 20


def providers() -> Iterator[Command]:
    for n in range(PROVIDERS):
        yield {"command_id": f"prv-{n}", "type": "RegisterProvider", "provider_id": f"PRV{n}",
               "name": f"Provider {n}", "framework": "on"}  # fmt: skip


def _first_monday(d: date) -> date:
    return d + timedelta(days=(7 - d.weekday()) % 7)


def person_year(p: int, year: int, start: date) -> Iterator[Command]:
    """One person's year: budget, options, agreement, card, payments, hours."""
    pid, b, a, c = f"P{p}", f"B{p}-{year}", f"A{p}-{year}", f"C{p}-{year}"
    k = f"{p}-{year}"
    yield {
        "command_id": f"b-{k}",
        "type": "ProposeBudget",
        "budget_id": b,
        "person_id": pid,
        "start": start.isoformat(),
        "amount": "16000.00",
        "method": "RAS",
    }
    yield {
        "command_id": f"ba-{k}",
        "type": "AgreeBudget",
        "budget_id": b,
        "agreed_on": start.isoformat(),
    }
    yield {
        "command_id": f"d-{k}",
        "type": "DraftAgreement",
        "agreement_id": a,
        "budget_id": b,
        "provider_id": f"PRV{p % PROVIDERS}",
        "start": start.isoformat(),
        "hourly_rate": "21.50",
        "planned_weekly_hours": "10",
        "payment_frequency": "4-weekly",
    }
    for party in ("authority", "person", "provider"):
        yield {
            "command_id": f"sign-{party}-{k}",
            "type": "SignAgreement",
            "agreement_id": a,
            "party": party,
            "signed_on": start.isoformat(),
        }
    yield {
        "command_id": f"ic-{k}",
        "type": "IssueCard",
        "card_id": c,
        "person_id": pid,
        "budget_id": b,
        "last4": f"{p % 10000:04d}",
    }
    yield {
        "command_id": f"co-{k}",
        "type": "ChooseOptions",
        "budget_id": b,
        "effective": start.isoformat(),
        "allocations": [
            {"option": 2, "amount": "13000.00", "agreement_id": a},
            {"option": 1, "amount": "3000.00", "card_id": c},
        ],
    }
    yield {
        "command_id": f"sp-{k}",
        "type": "SchedulePayments",
        "schedule_id": f"S{k}",
        "budget_id": b,
        "option": 2,
        "payee": a,
        "frequency": "4-weekly",
        "first_due": start.isoformat(),
        "amount": "13000.00",
    }
    yield {
        "command_id": f"sc-{k}",
        "type": "SchedulePayments",
        "schedule_id": f"SC{k}",
        "budget_id": b,
        "option": 1,
        "payee": c,
        "frequency": "monthly",
        "first_due": start.isoformat(),
        "amount": "3000.00",
    }
    for n in range(13):
        yield {
            "command_id": f"rp-{k}-{n}",
            "type": "RecordPayment",
            "schedule_id": f"S{k}",
            "period": n + 1,
            "paid_on": (start + timedelta(days=28 * n)).isoformat(),
        }
    for n in range(12):
        paid = start.replace(day=1) + timedelta(days=31 * n)
        yield {
            "command_id": f"rc-{k}-{n}",
            "type": "RecordPayment",
            "schedule_id": f"SC{k}",
            "period": n + 1,
            "paid_on": max(paid, start).isoformat(),
        }
    monday = _first_monday(start)
    for w in range(51):
        hours = ("10", "9.5", "11.25", "10", "8")[(p + w) % 5]
        yield {"command_id": f"h-{k}-{w}", "type": "RecordHours", "agreement_id": a,
               "week_start": (monday + timedelta(weeks=w)).isoformat(),
               "delivered_hours": hours}  # fmt: skip


def people(count: int, years: int = 1, first: date = date(2022, 4, 6)) -> Iterator[Command]:
    """`count` people with `years` years of history each, person by person."""
    yield from providers()
    for p in range(count):
        yield {"command_id": f"p-{p}", "type": "RegisterPerson", "person_id": f"P{p}",
               "authority": "CITY"}  # fmt: skip
        for year in range(years):
            start = first.replace(year=first.year + year)
            yield from person_year(p, year, start)
