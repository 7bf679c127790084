"""The supported person's statement: their budget, what was paid, spent and is left.

Built for the person, so it speaks of money and dates, not of events: the
budget after revisions, how it is split across the options, payments made
into their fund or onto their card, support and costs paid from them, what
they spent with their card (from imported card transactions), top-ups and
what remains, line by line and month by month for the chart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, bindparam, select

from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.domain import ledger
from isf_ledger.domain.errors import NotFound
from isf_ledger.domain.flows import COST_REVERSED, TOPUP_REVERSED, flow_of
from isf_ledger.domain.money import ZERO, round_half_up
from isf_ledger.projections.ledger_legs import from_pence, ledger_legs
from isf_ledger.reports.card_queries import card_spending_by_month
from isf_ledger.reports.persons_share import persons_share
from isf_ledger.reports.records import OPTIONAL, report_json
from isf_ledger.reports.sources import load_each, persons_subjects

# Each line in words: (the fund's kind, the flow, money in or out) -> what happened.
WORDS = {
    ("isf", "payments_in", True): "Paid in by the council to your provider",
    ("card", "payments_in", True): "Paid in by the council onto your card",
    ("isf", "payments_in", False): "Taken back by the council: a payment to your provider",
    ("card", "payments_in", False): "Taken back by the council: a payment onto your card",
    ("isf", "recovered", False): "Unspent money returned to the council by your provider",
    ("card", "recovered", False): "Unspent money on your card returned to the council",
    ("isf", "charges_other", False): "Other costs paid by your provider",
    ("card", "charges_other", False): "Other costs paid from your card",
}
FLOW_WORDS = {
    "top_ups_in": "Top-up received",
    "contributions_in": "Your contribution received",
    "charges_hours": "Support from your provider",
    "card_spending": "Spent with your card",
    "charges_other": "Other costs",
    "recovered": "Unspent money returned to the council",
}
# A line's words by the event behind it, where the flow alone would mislead (a
# reversed payment is said by WORDS: money out of payments_in).
EVENT_WORDS = {
    COST_REVERSED: "A cost taken off again (charged in error)",
    TOPUP_REVERSED: "A top-up given back (it did not arrive or was returned)",
}
SPENDING = ("charges_hours", "charges_other", "card_spending")
BUDGET_KINDS = ("budget", "options")


@dataclass(frozen=True)
class Share:
    """How much of the budget one SDS option takes."""

    option: int
    amount: Decimal


@dataclass(frozen=True)
class StatementLine:
    """A movement on one day, or a month's total (`month` set: dated by the month)."""

    date: date
    what: str
    amount: Decimal
    month: str | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class MonthToDate:
    """The budget shared out by day up to a month's end, against what was spent by then."""

    month: str
    budget_to_date: Decimal
    spent_to_date: Decimal


@dataclass(frozen=True)
class PersonStatement:
    person_id: str
    budget_id: str
    period_start: date
    period_end: date
    budget: Decimal
    allocations: tuple[Share, ...]
    paid_to_date: Decimal
    spent_to_date: Decimal
    top_ups_to_date: Decimal
    remaining: Decimal
    recovered_to_date: Decimal  # returned to the council, and kept back from payments
    status: str  # "active" or "ended"
    ended_on: date | None = field(metadata=OPTIONAL)
    lines: tuple[StatementLine, ...]
    monthly: tuple[MonthToDate, ...]
    contribution: Decimal  # the yearly amount the person is assessed to pay
    council_pays: Decimal  # the budget less the contribution
    contributions_paid: Decimal
    contribution_arrears: Decimal  # due by the statement's day less paid
    due_back: Decimal | None = field(metadata=OPTIONAL)  # once ended: left in the funds
    as_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        return report_json(self)


@dataclass(frozen=True)
class _Movement:
    """A line before it is shown: which statement line (flow) it belongs to."""

    date: str
    flow: str
    what: str
    value: Decimal
    month: str | None = None


def person_statement(
    conn: Connection,
    app: LedgerApp,
    person_id: str,
    *,
    budget_id: str | None = None,
    as_at: str | None = None,
) -> PersonStatement:
    subjects = persons_subjects(
        conn, person_id, ("budget", "agreement", "card", "schedule", "contribution")
    )
    refs = [budget_id] if budget_id else [ref for kind, ref, _ in subjects if kind == "budget"]
    # The budgets and their option choices, in one read.
    found = load_each(conn, app, [(kind, ref) for ref in refs for kind in BUDGET_KINDS], as_at)
    mine = [b for (kind, _), b in found.items() if kind == "budget" and b.person_id == person_id]
    if not mine:
        called = f" called {budget_id}" if budget_id else ""
        raise NotFound(f"no budget{called} for person {person_id}")
    budget = max(mine, key=lambda b: (b.start, b.ref))
    choice = found.get(("options", budget.ref))
    allocations = choice.allocations_on(budget.end) if choice else ()
    of_budget = [(kind, ref) for kind, ref, budget_ref in subjects if budget_ref == budget.ref]
    cards = [ref for kind, ref in of_budget if kind == "card"]
    funds = [ledger.isf(ref) for kind, ref in of_budget if kind == "agreement"]
    funds += [ledger.card(ref) for ref in cards] + [ledger.direct_payment(budget.ref)]
    lines = sorted(
        _fund_lines(conn, funds, as_at) + _card_lines(conn, cards, as_at),
        key=lambda line: (line.date[:7], line.month is not None, line.date),
    )  # a month's totals after the dated lines of that month
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        totals[line.flow] += line.value
    spent = -sum((totals[flow] for flow in SPENDING), ZERO)
    share = persons_share(conn, app, budget, of_budget, funds, as_at)
    return PersonStatement(
        person_id=person_id,
        budget_id=budget.ref,
        period_start=budget.start,
        period_end=budget.end,
        budget=budget.amount,
        allocations=tuple(Share(a.option, a.amount) for a in allocations),
        paid_to_date=totals["payments_in"],
        spent_to_date=spent,
        top_ups_to_date=totals["top_ups_in"],
        remaining=budget.amount - spent,
        recovered_to_date=-totals["recovered"] + share.offsets,
        status="ended" if budget.ended_on else "active",
        ended_on=budget.ended_on,
        lines=tuple(
            StatementLine(date.fromisoformat(line.date), line.what, line.value, line.month)
            for line in lines
        ),
        monthly=_monthly(budget, lines),
        contribution=share.contribution,
        council_pays=budget.amount - share.contribution,
        contributions_paid=totals["contributions_in"],
        contribution_arrears=share.arrears,
        due_back=share.due_back if budget.ended_on is not None else None,
        as_at=as_at,
    )


_FUND_LEGS = (
    select(ledger_legs.c.effective, ledger_legs.c.account, ledger_legs.c.type, ledger_legs.c.pence)
    .where(ledger_legs.c.account.in_(bindparam("funds", expanding=True)))
    .order_by(ledger_legs.c.effective, ledger_legs.c.position)
)
_FUND_LEGS_AS_AT = _FUND_LEGS.where(ledger_legs.c.recorded_at <= bindparam("as_at"))


def _fund_lines(conn: Connection, funds: list[str], as_at: str | None) -> list[_Movement]:
    """One line per money movement on the person's funds, hours summed by month."""
    query = _FUND_LEGS if as_at is None else _FUND_LEGS_AS_AT
    rows = conn.execute(query, {"funds": funds, "as_at": as_at}).all()
    lines: list[_Movement] = []
    hours_by_month: dict[str, int] = defaultdict(int)  # pence
    for effective, account, event_type, pence in rows:
        flow = flow_of(event_type)
        if flow == "charges_hours":
            hours_by_month[effective.isoformat()[:7]] += pence
            continue
        value = from_pence(pence)
        fund = account.split(":", 1)[0]
        what = EVENT_WORDS.get(event_type) or WORDS.get(
            (fund, flow, value >= 0), FLOW_WORDS.get(flow, "Other")
        )
        lines.append(_Movement(effective.isoformat(), flow, what, value))
    lines += [
        _month_line(month, "charges_hours", from_pence(p)) for month, p in hours_by_month.items()
    ]
    return lines


def _month_line(month: str, flow: str, value: Decimal) -> _Movement:
    """A month's total as one line: it belongs to the month, not to its first day
    (`month` lets a renderer say "May 2026"; `date` keeps lines in order)."""
    return _Movement(f"{month}-01", flow, FLOW_WORDS[flow], value, month)


def _card_lines(conn: Connection, cards: list[str], as_at: str | None) -> list[_Movement]:
    """Card purchases, cash and fees net of refunds, one line a month (loads are payments)."""
    return [
        _month_line(month, "card_spending", -spent)
        for month, spent in card_spending_by_month(conn, cards, as_at=as_at).items()
    ]


def _monthly(budget: Any, lines: list[_Movement]) -> tuple[MonthToDate, ...]:
    """Month by month to the latest movement: budget shared out by day vs money spent."""
    if not lines:
        return ()
    days = (budget.end - budget.start).days + 1
    last = min(date.fromisoformat(lines[-1].date), budget.end)
    by_month: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.flow in SPENDING:
            by_month[line.date[:7]] -= line.value
    spent = ZERO
    months = []
    month_start = budget.start.replace(day=1)
    while month_start <= last:
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        key = month_start.strftime("%Y-%m")
        spent += by_month.get(key, ZERO)
        elapsed = min((next_month - budget.start).days, days)
        months.append(MonthToDate(key, round_half_up(budget.amount * elapsed / days), spent))
        month_start = next_month
    return tuple(months)
