"""The person's own part of a budget: contributions assessed, due and paid, money
kept back from payments, and what is owed back once the budget has ended.

What is due is worked out on the statement's day: the as-at instant's date,
or today for a statement of the ledger as it stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.domain import ledger
from isf_ledger.domain.money import ZERO
from isf_ledger.reports.card_queries import card_balance
from isf_ledger.reports.sources import Window, flows, instant_of, load_each, total


@dataclass(frozen=True)
class PersonsShare:
    contribution: Decimal
    arrears: Decimal
    offsets: Decimal
    due_back: Decimal


def statement_day(as_at: str | None) -> date:
    """The day a person statement speaks of: its as-at instant's, else today."""
    instant = instant_of(as_at)
    return instant.date() if instant else date.today()


def persons_share(
    conn: Connection,
    app: LedgerApp,
    budget: Any,
    of_budget: Sequence[tuple[str, str]],
    funds: Sequence[str],
    as_at: str | None,
) -> PersonsShare:
    """Contributions, offsets and the funds' balances of one budget, as at `as_at`.

    `funds` are the budget's ledger accounts (ISFs, cards, direct payments)."""
    wanted = [(kind, ref) for kind, ref in of_budget if kind in ("schedule", "contribution")]
    found = load_each(conn, app, wanted, as_at)
    contributions = [a for (kind, _), a in found.items() if kind == "contribution"]
    schedules = [a for (kind, _), a in found.items() if kind == "schedule"]
    day = statement_day(as_at)
    received = flows(
        conn,
        [ledger.contribution(k.ref) for k in contributions],
        Window(before=date.fromordinal(day.toordinal() + 1), as_at=as_at),
    )
    cards = [ref for kind, ref in of_budget if kind == "card"]
    accounts = [f for f in funds if f not in {ledger.card(ref) for ref in cards}]
    balances = [total(legs) for legs in flows(conn, accounts, Window(as_at=as_at)).values()]
    # A card holds what its own transactions say (CONTRACT, card surplus), not
    # what was paid onto it: its holder's spending is in no ledger leg.
    balances += [card_balance(conn, ref, day, as_at) for ref in cards]
    return PersonsShare(
        contribution=sum((k.amount for k in contributions), ZERO),
        arrears=sum(
            (
                max(ZERO, k.due_by(day) + total(received.get(ledger.contribution(k.ref), {})))
                for k in contributions
            ),
            ZERO,
        ),
        offsets=sum((s.offsets for s in schedules), ZERO),
        due_back=sum((max(ZERO, balance) for balance in balances), ZERO),
    )
