"""Any sequence of corrections and reversals leaves every balance where a model
that applies the corrected values directly puts it, on both databases.

Each example gets its own person, budget and agreement in one ledger (ids
suffixed by the example's number), so the ledger is built once per database.
The model keeps only the final facts: each week's latest hours (charged up to
plan + cap, nothing being approved), the costs and receipts not reversed. It
also says which commands must be refused: a second reversal, or a correction
that changes nothing.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isf_ledger.application.apply import apply_lines
from tests.integration.in_process import applied, numbered

D = Decimal
WEEKS = [date(2026, 4, 6) + timedelta(weeks=n) for n in range(6)]  # April and May
COST_DAYS = [date(2026, 4, 9), date(2026, 4, 30), date(2026, 5, 14)]
RECEIPT_DAYS = [date(2026, 4, 10), date(2026, 5, 15)]
RATE, PLAN_AND_CAP = D("20.00"), D("13.5")
hours = st.integers(0, 64).map(lambda q: D(q) / 4)
step = st.one_of(
    st.tuples(st.just("hours"), st.sampled_from(WEEKS), hours),
    st.tuples(st.just("cost"), st.integers(0, len(COST_DAYS) - 1)),
    st.tuples(st.just("topup"), st.integers(0, len(RECEIPT_DAYS) - 1)),
)
examples = itertools.count()


def setup(n: int, first_hours: list[D]) -> list[dict[str, Any]]:
    a, b, p = f"A{n}", f"B{n}", f"P{n}"
    return [
        {"type": "RegisterPerson", "person_id": p, "authority": "FIFE"},
        {"type": "ProposeBudget", "budget_id": b, "person_id": p, "start": "2026-04-06",
         "amount": "13000.00", "method": "RAS"},
        {"type": "AgreeBudget", "budget_id": b, "agreed_on": "2026-04-01"},
        {"type": "DraftAgreement", "agreement_id": a, "budget_id": b, "provider_id": "PR1",
         "start": "2026-04-06", "hourly_rate": str(RATE), "planned_weekly_hours": "10",
         "payment_frequency": "monthly"},
        *({"type": "SignAgreement", "agreement_id": a, "party": party,
           "signed_on": "2026-04-03"} for party in ("authority", "person", "provider")),
        *({"type": "RecordHours", "agreement_id": a, "week_start": str(w),
           "delivered_hours": str(h)} for w, h in zip(WEEKS, first_hours, strict=True)),
        *({"type": "RecordCost", "agreement_id": a, "on": str(d), "amount": f"{7 + i}.25",
           "description": "trip", "cost_id": f"C{n}.{i}"} for i, d in enumerate(COST_DAYS)),
        {"type": "AgreeTopUp", "topup_id": f"T{n}", "agreement_id": a, "payer": "family",
         "amount_per_period": "30.00", "reason": "outings"},
        *({"type": "RecordTopUp", "topup_id": f"T{n}", "received_on": str(d),
           "amount": f"{30 + i}.50"} for i, d in enumerate(RECEIPT_DAYS)),
    ]  # fmt: skip


def command(n: int, s: tuple[Any, ...]) -> dict[str, Any]:
    if s[0] == "hours":
        return {"type": "CorrectHours", "agreement_id": f"A{n}", "week_start": str(s[1]),
                "delivered_hours": str(s[2]), "reason": "timesheet"}  # fmt: skip
    if s[0] == "cost":
        return {"type": "ReverseCost", "cost_id": f"C{n}.{s[1]}", "on": "2026-06-01",
                "reason": "wrong person"}  # fmt: skip
    return {"type": "ReverseTopUp", "topup_id": f"T{n}", "received_on": str(RECEIPT_DAYS[s[1]]),
            "on": "2026-06-01", "reason": "bounced"}  # fmt: skip


def model_month(weeks: dict[date, D], costs: set[int], receipts: set[int], month: int) -> D:
    """The model's net change of the ISF in `month` (2026): top-ups less charges."""
    charged = sum((min(h, PLAN_AND_CAP) * RATE for w, h in weeks.items() if w.month == month), D(0))
    costs_out = sum((D(f"{7 + i}.25") for i in costs if COST_DAYS[i].month == month), D(0))
    ins = sum((D(f"{30 + i}.50") for i in receipts if RECEIPT_DAYS[i].month == month), D(0))
    return ins - charged - costs_out


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first_hours=st.lists(hours, min_size=6, max_size=6), steps=st.lists(step, max_size=8))
def test_corrections_and_reversals_leave_the_balances_a_direct_model_gives(
    ledger, first_hours, steps
):
    n = next(examples)
    applied(
        ledger,
        [{"type": "RegisterProvider", "provider_id": "PR1", "name": "Care", "framework": "on"}],
        "provider",
    )  # fmt: skip (a duplicate after the first)
    applied(ledger, setup(n, first_hours), f"e{n}.")
    weeks = dict(zip(WEEKS, first_hours, strict=True))
    costs, receipts = set(range(len(COST_DAYS))), set(range(len(RECEIPT_DAYS)))
    for i, s in enumerate(steps):
        result = apply_lines(ledger, numbered([command(n, s)], f"e{n}.{i}."))
        alive = {"hours": None, "cost": costs, "topup": receipts}[s[0]]
        refused = weeks[s[1]] == s[2] if alive is None else s[1] not in alive
        assert bool(result.errors) == refused, (s, result.errors)
        if refused:
            continue
        if alive is None:
            weeks[s[1]] = s[2]
        else:
            alive.discard(s[1])
    closing = D("0.00")
    for month in (4, 5):
        (isf,) = [
            a
            for a in ledger.provider_statement("PR1", f"2026-0{month}").agreements
            if a.agreement_id == f"A{n}"
        ]
        closing += model_month(weeks, costs, receipts, month)
        assert isf.closing_balance == closing
        delivered = sum((h for w, h in weeks.items() if w.month == month), D(0))
        assert isf.hours_delivered == delivered
