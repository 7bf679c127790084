"""The supported person's statement: their budget, what was paid, spent and is left.

Built for the person, so it speaks of money and dates, not of events: the
budget after revisions, how it is split across the options, payments made
into their fund or onto their card, support and costs paid from them, what
they spent with their card (from imported card transactions), top-ups and
what remains, line by line and month by month for the chart.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.cards.queries import card_spending_by_month
from isf_ledger.domain import ledger
from isf_ledger.domain.errors import NotFound
from isf_ledger.domain.money import ZERO, fmt, round_half_up
from isf_ledger.projections.ledger_legs import from_pence, ledger_legs
from isf_ledger.reports.sources import flow_of, load, refs_of

WORDS = {
    "payments_in": "Paid in by the council",
    "top_ups_in": "Top-up received",
    "charges_hours": "Support hours",
    "charges_other": "Other costs",
    "recovered": "Returned to the council (unspent money)",
    "card_spending": "Spent with your card",
}
SPENDING = ("charges_hours", "charges_other", "card_spending")


def _budget_of(
    conn: Connection, app: LedgerApp, person_id: str, budget_id: str | None, as_at: str | None
) -> Any:
    refs = [budget_id] if budget_id else refs_of(conn, "budget", person_id=person_id)
    budgets = load(conn, app, "budget", refs, as_at)
    mine = [b for b in budgets.values() if b.person_id == person_id]
    if not mine:
        called = f" called {budget_id}" if budget_id else ""
        raise NotFound(f"no budget{called} for person {person_id}")
    return max(mine, key=lambda b: (b.start, b.ref))


def person_statement(
    conn: Connection,
    app: LedgerApp,
    person_id: str,
    *,
    budget_id: str | None = None,
    as_at: str | None = None,
) -> dict[str, Any]:
    budget = _budget_of(conn, app, person_id, budget_id, as_at)
    choice = load(conn, app, "options", [budget.ref], as_at).get(budget.ref)
    allocations = choice.allocations_on(budget.end) if choice else ()
    funds = [ledger.isf(ref) for ref in refs_of(conn, "agreement", budget_id=budget.ref)]
    cards = refs_of(conn, "card", budget_id=budget.ref)
    funds += [ledger.card(ref) for ref in cards]
    lines = sorted(
        _fund_lines(conn, funds, as_at) + _card_lines(conn, cards, as_at),
        key=lambda line: line["date"],
    )
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        totals[line["flow"]] += line["value"]
    spent = -sum((totals[flow] for flow in SPENDING), ZERO)
    return {
        "person_id": person_id,
        "budget_id": budget.ref,
        "period_start": budget.start.isoformat(),
        "period_end": budget.end.isoformat(),
        "budget": fmt(budget.amount),
        "allocations": [{"option": a.option, "amount": fmt(a.amount)} for a in allocations],
        "paid_to_date": fmt(totals["payments_in"]),
        "spent_to_date": fmt(spent),
        "top_ups_to_date": fmt(totals["top_ups_in"]),
        "remaining": fmt(budget.amount - spent),
        "lines": [
            {"date": line["date"], "what": line["what"], "amount": fmt(line["value"])}
            for line in lines
        ],
        "monthly": _monthly(budget, lines),
    } | ({"as_at": as_at} if as_at else {})


def _fund_lines(conn: Connection, funds: list[str], as_at: str | None) -> list[dict[str, Any]]:
    """One line per money movement on the person's funds, hours summed by month."""
    t = ledger_legs
    query = select(t.c.effective, t.c.type, t.c.pence).where(t.c.account.in_(funds))
    if as_at is not None:
        query = query.where(t.c.recorded_at <= as_at)
    query = query.order_by(t.c.effective, t.c.position)
    lines: list[dict[str, Any]] = []
    hours_by_month: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for effective, event_type, pence in conn.execute(query):
        flow = flow_of(event_type)
        value = from_pence(pence)
        if flow == "charges_hours":
            hours_by_month[effective.strftime("%Y-%m")] += value
            continue
        lines.append(
            {
                "date": effective.isoformat(),
                "flow": flow,
                "what": WORDS.get(flow, "Other"),
                "value": value,
            }
        )
    for month, value in hours_by_month.items():
        lines.append(
            {
                "date": f"{month}-01",
                "flow": "charges_hours",
                "what": f"{WORDS['charges_hours']} in {month}",
                "value": value,
            }
        )
    return lines


def _card_lines(conn: Connection, cards: list[str], as_at: str | None) -> list[dict[str, Any]]:
    """Card purchases, cash and fees net of refunds, one line a month (loads are payments)."""
    return [
        {
            "date": f"{month}-01",
            "flow": "card_spending",
            "what": f"{WORDS['card_spending']} in {month}",
            "value": -spent,
        }
        for month, spent in card_spending_by_month(conn, cards, as_at=as_at).items()
    ]


def _monthly(budget: Any, lines: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Month by month to the latest movement: budget shared out by day vs money spent."""
    if not lines:
        return []
    days = (budget.end - budget.start).days + 1
    last = min(date.fromisoformat(lines[-1]["date"]), budget.end)
    spent = ZERO
    months = []
    month_start = budget.start.replace(day=1)
    while month_start <= last:
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        key = month_start.strftime("%Y-%m")
        spent -= sum(
            (x["value"] for x in lines if x["flow"] in SPENDING and x["date"][:7] == key), ZERO
        )
        elapsed = min((next_month - budget.start).days, days)
        months.append(
            {
                "month": key,
                "budget_to_date": fmt(round_half_up(budget.amount * elapsed / days)),
                "spent_to_date": fmt(spent),
            }
        )
        month_start = next_month
    return months
