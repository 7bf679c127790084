"""Each card's weekly share of its planned payments, for its surplus.

A card's surplus is its balance above `surplus_weeks` weekly shares, where a
weekly share is the yearly amount of the card's schedules x 7 / days in the
budget's period (see `domain.surplus.weekly_share`). Once the budget has
ended the share is nil: the whole balance is due back.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.domain.money import ZERO
from isf_ledger.domain.surplus import weekly_share
from isf_ledger.projections.audit_trail import audit_subjects
from isf_ledger.reports.fund_endings import SCHEDULE_PAYMENTS
from isf_ledger.reports.sources import load_each


def weekly_shares(
    conn: Connection,
    app: LedgerApp,
    card: str | None,
    as_at: str | None,
    loaded: Mapping[tuple[str, str], Any] | None = None,
) -> dict[str, Decimal]:
    """card_id -> its weekly share, for every card (or one) with a schedule.

    `loaded`: aggregates by (kind, ref) already read as at `as_at` (the exceptions
    refresh has every agreement's budget), not read again.
    """
    s = audit_subjects
    query = select(s.c.kind, s.c.ref, s.c.card_id, s.c.budget_id).where(
        s.c.kind == "schedule", s.c.card_id.is_not(None)
    )
    if card is not None:
        query = query.where(s.c.card_id == card)
    rows = conn.execute(query).all()
    known = loaded or {}
    wanted = [("schedule", ref) for _, ref, _, _ in rows]
    wanted += [("budget", b) for b in {budget for _, _, _, budget in rows}]
    found = {key: known[key] for key in wanted if key in known}
    missing = [key for key in wanted if key not in found]
    found.update(load_each(conn, app, missing, as_at, without=SCHEDULE_PAYMENTS))
    yearly: dict[tuple[str, str], Decimal] = {}
    for _, ref, card_id, budget_id in rows:
        schedule = found.get(("schedule", ref))
        if schedule is not None:
            key = (card_id, budget_id)
            yearly[key] = yearly.get(key, ZERO) + schedule.amount
    shares: dict[str, Decimal] = {}
    for (card_id, budget_id), amount in yearly.items():
        budget = found.get(("budget", budget_id))
        if budget is None or budget.ended_on is not None:
            continue
        days = (budget.end - budget.start).days + 1
        shares[card_id] = weekly_share(amount, days)
    return shares
