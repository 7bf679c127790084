"""A small council for payment runs: four budgets, every kind of payee.

- B1 (P1): an ISF with provider PR1, paid 4-weekly (S1); period 1 already paid.
- B2 (P2): a card, paid monthly (S2); period 2 withheld.
- B3 (P3): P3's own bank account, paid monthly (S3): a direct payment.
- B4 (P4): an ISF with PR1, 4-weekly (S4), suspended from 2026-04-20.
PR1 and P3 have bank accounts. Account numbers here are never in a report.
"""

from __future__ import annotations

from typing import Any

PROVIDER_ACCOUNT = "41926307"
PERSON_ACCOUNT = "73920418"
PERSON_SORT_CODE = "309634"

FIRST_DUE = "2026-04-06"


def _budget(n: int) -> list[dict[str, Any]]:
    return [
        {"type": "RegisterPerson", "person_id": f"P{n}", "authority": "FIFE",
         "name": f"Person Number{n}"},
        {"type": "ProposeBudget", "budget_id": f"B{n}", "person_id": f"P{n}",
         "start": FIRST_DUE, "amount": "13000.00", "method": "RAS"},
        {"type": "AgreeBudget", "budget_id": f"B{n}", "agreed_on": "2026-04-01"},
    ]  # fmt: skip


def _agreement(n: int) -> list[dict[str, Any]]:
    a = f"A{n}"
    return [
        {"type": "DraftAgreement", "agreement_id": a, "budget_id": f"B{n}", "provider_id": "PR1",
         "start": FIRST_DUE, "hourly_rate": "21.50", "planned_weekly_hours": "10",
         "payment_frequency": "4-weekly"},
        *({"type": "SignAgreement", "agreement_id": a, "party": p, "signed_on": "2026-04-03"}
          for p in ("authority", "person", "provider")),
        {"type": "SchedulePayments", "schedule_id": f"S{n}", "budget_id": f"B{n}", "option": 2,
         "payee": a, "frequency": "4-weekly", "first_due": FIRST_DUE, "amount": "13000.00"},
    ]  # fmt: skip


COUNCIL: list[dict[str, Any]] = [
    {"type": "RegisterProvider", "provider_id": "PR1", "name": "Kingdom Care", "framework": "on"},
    {"type": "RegisterBankAccount", "account_id": "PR1-BANK", "owner": "PR1",
     "sort_code": "40-47-84", "account_number": PROVIDER_ACCOUNT, "account_name": "Kingdom Care"},
    *_budget(1), *_agreement(1),
    {"type": "RecordPayment", "schedule_id": "S1", "period": 1, "paid_on": "2026-04-06"},
    *_budget(2),
    {"type": "IssueCard", "card_id": "C2", "person_id": "P2", "budget_id": "B2", "last4": "4821"},
    {"type": "SchedulePayments", "schedule_id": "S2", "budget_id": "B2", "option": 1,
     "payee": "C2", "frequency": "monthly", "first_due": FIRST_DUE, "amount": "6000.00"},
    {"type": "WithholdPayment", "schedule_id": "S2", "period": 2, "on": "2026-05-01",
     "reason": "returns missing"},
    *_budget(3),
    {"type": "RegisterBankAccount", "account_id": "P3-BANK", "owner": "P3",
     "sort_code": PERSON_SORT_CODE, "account_number": PERSON_ACCOUNT,
     "account_name": "Person Number3"},
    {"type": "SchedulePayments", "schedule_id": "S3", "budget_id": "B3", "option": 1,
     "payee": "P3-BANK", "frequency": "monthly", "first_due": FIRST_DUE, "amount": "2400.00"},
    *_budget(4), *_agreement(4),
    {"type": "SuspendAgreement", "agreement_id": "A4", "on": "2026-04-20"},
]  # fmt: skip
