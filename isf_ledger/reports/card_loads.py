"""Payments made to cards, net of reversals: what the card provider should show as
loads, for the reconciliation's matching and for the demo's exports of them.

Expected loads are positive legs on `card:<id>` of a `...PaymentMade`,
less those cancelled by a `...PaymentReversed` of the same amount.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, and_, or_, select

from isf_ledger.domain.card_matching import Payment, net_of_reversals
from isf_ledger.domain.flows import PAYMENT_MADE, PAYMENT_REVERSED
from isf_ledger.projections.ledger_legs import ledger_legs

CARD_ACCOUNT = "card:"
CARD_END = "card;"  # the first text after every "card:..." (";" follows ":")


def card_payments(
    conn: Connection,
    start: date,
    end: date,
    *,
    as_at: str | None = None,
    card: str | None = None,
) -> list[Payment]:
    """Payments made to cards (to one card if given) effective in [start, end),
    net of reversals: what the card provider should show as loads."""
    legs = ledger_legs
    query = select(legs.c.account, legs.c.effective, legs.c.pence, legs.c.command_id).where(
        legs.c.effective >= start,
        legs.c.effective < end,
        or_(
            and_(legs.c.type == PAYMENT_MADE, legs.c.pence > 0),
            and_(legs.c.type == PAYMENT_REVERSED, legs.c.pence < 0),
        ),
    )
    if card is None:
        query = query.where(legs.c.account.like(f"{CARD_ACCOUNT}%"))
        if conn.dialect.name == "sqlite":
            # SQLite's LIKE ignores case, so no index serves it, and a month's payments
            # were a pass over every leg; the same prefix as a range (its text compares
            # byte by byte) reads the card accounts' part of the legs' index alone.
            query = query.where(legs.c.account >= CARD_ACCOUNT, legs.c.account < CARD_END)
    else:
        query = query.where(legs.c.account == f"{CARD_ACCOUNT}{card}")
    if as_at is not None:
        query = query.where(legs.c.recorded_at <= as_at)
    return net_of_reversals(
        Payment(account.removeprefix(CARD_ACCOUNT), effective, pence, command_id)
        for account, effective, pence, command_id in conn.execute(query)
    )
