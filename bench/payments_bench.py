"""`payments run` for many people's periods, beside `apply` of the same payments.

A council of N people (by default 10,000): half on a card, a quarter paid into
their own bank account, a quarter with an ISF at one of ten providers, each
paid monthly from 2026-04-06. The floor is `apply` of a prepared file of
period 1's `RecordPayment` commands (what the run's batch itself holds);
then `payments run` pays period 2, finding, checking, recording and writing
both files, on the same ledger.
"""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from bench.common import Figure, apply_in_batches, database, timed
from isf_ledger.adapters.payment_files.profile import load_file_profile
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings

START = "2026-04-06"


def _person(n: int) -> list[dict[str, Any]]:
    p, b, s = f"P{n}", f"B{n}", f"S{n}"
    out: list[dict[str, Any]] = [
        {"type": "RegisterPerson", "person_id": p, "authority": "CITY", "name": f"Person {n}"},
        {"type": "ProposeBudget", "budget_id": b, "person_id": p, "start": START,
         "amount": "12000.00", "method": "RAS"},
        {"type": "AgreeBudget", "budget_id": b, "agreed_on": "2026-04-01"},
    ]  # fmt: skip
    if n % 4 in (0, 1):
        out.append({"type": "IssueCard", "card_id": f"C{n}", "person_id": p, "budget_id": b,
                    "last4": f"{n % 10000:04d}"})  # fmt: skip
        payee, option = f"C{n}", 1
    elif n % 4 == 2:
        out.append({"type": "RegisterBankAccount", "account_id": f"ACC{n}", "owner": p,
                    "sort_code": "309634", "account_number": f"{n:08d}",
                    "account_name": f"Person {n}"})  # fmt: skip
        payee, option = f"ACC{n}", 1
    else:
        out.append({"type": "DraftAgreement", "agreement_id": f"A{n}", "budget_id": b,
                    "provider_id": f"PR{n % 10}", "start": START, "hourly_rate": "20.00",
                    "planned_weekly_hours": "10", "payment_frequency": "monthly"})  # fmt: skip
        out += [{"type": "SignAgreement", "agreement_id": f"A{n}", "party": party,
                 "signed_on": START} for party in ("authority", "person", "provider")]  # fmt: skip
        payee, option = f"A{n}", 2
    out.append({"type": "SchedulePayments", "schedule_id": s, "budget_id": b, "option": option,
                "payee": payee, "frequency": "monthly", "first_due": START,
                "amount": "12000.00"})  # fmt: skip
    return out


def council(people: int) -> list[str]:
    providers: list[dict[str, Any]] = []
    for k in range(10):
        providers += [
            {"type": "RegisterProvider", "provider_id": f"PR{k}", "name": f"Care {k}",
             "framework": "on"},
            {"type": "RegisterBankAccount", "account_id": f"PACC{k}", "owner": f"PR{k}",
             "sort_code": "404784", "account_number": f"4192{k:04d}", "account_name": f"Care {k}"},
        ]  # fmt: skip
    commands = providers + [c for n in range(people) for c in _person(n)]
    return [json.dumps({"command_id": f"setup-{i}", **c}) for i, c in enumerate(commands)]


def run(kinds: list[str], *, quick: bool = False, scale: float = 1.0) -> list[Figure]:
    people = 200 if quick else round(10_000 * scale)
    setup = council(people)
    payments = [
        json.dumps({"command_id": f"pay-{n}", "type": "RecordPayment", "schedule_id": f"S{n}",
                    "period": 1, "paid_on": "2026-04-06", "reason": "prepared file"})
        for n in range(people)
    ]  # fmt: skip
    figures = []
    for kind in kinds:
        with database(kind) as url, TemporaryDirectory() as out:
            settings = Settings(
                db_url=url, bank_sort_code="800001", bank_account="12345678", bank_name="BENCH"
            )
            ledger = init_ledger(settings)
            apply_in_batches(ledger, setup)
            floor_seconds = apply_in_batches(ledger, payments)
            pay = partial(
                ledger.payments_run,
                "BENCH",
                date(2026, 5, 6),
                date(2026, 5, 6),
                date(2026, 5, 1),
                bank_profile=load_file_profile("bacs-standard-18", "bank"),
                card_profile=load_file_profile("card-load-csv", "card"),
                bank_out=Path(out) / "bank.txt",
                card_out=Path(out) / "cards.csv",
            )
            seconds, result = timed(pay)
            assert result.payments == people, result
            ledger.close()
        figures.append(
            Figure(
                "payments",
                kind,
                f"payments run, {people:,} periods (one batch, two files)",
                people / seconds,
                "periods/s",
                people / floor_seconds,
                "apply of the same RecordPayment file",
            )
        )
    return figures
