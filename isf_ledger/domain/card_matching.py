"""Payments made to a card against the loads seen on it, one to one.

A payment is matched by a load of the same amount on the same card posted
within a window of days either side. Each load can match one payment only.
Taking payments in date order and giving each the earliest load it may
have finds the most matches there can be (loads are intervals of equal
width, so earliest-first is optimal); what is left over is a missing load
or an unexpected one.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Payment:
    """Money the ledger paid onto a card (`pence` positive), or a reversal of one (negative)."""

    card_id: str
    on: date
    pence: int
    ref: str


class Load(NamedTuple):
    """A load seen on a card: a tuple, as a month's tens of thousands are made from rows."""

    card_id: str
    posted_on: date
    pence: int
    ref: int
    description: str = ""


def net_of_reversals(payments: Iterable[Payment]) -> list[Payment]:
    """Payments left once each reversal has cancelled the latest earlier payment of its amount.

    A reversal with no such payment among those given cancels nothing.
    """
    ordered = sorted(payments, key=lambda p: (p.on, p.pence < 0, p.ref))
    kept: list[Payment] = []
    for payment in ordered:
        if payment.pence > 0:
            kept.append(payment)
            continue
        for i in range(len(kept) - 1, -1, -1):
            if kept[i].card_id == payment.card_id and kept[i].pence == -payment.pence:
                del kept[i]
                break
    return kept


_BY_DATE = attrgetter("posted_on", "ref")  # a load's order: tens of thousands sorted


def match(
    payments: Iterable[Payment], loads: Iterable[Load], window_days: int
) -> tuple[list[Payment], list[Load]]:
    """(payments with no load, loads with no payment), each in date order."""
    window = timedelta(days=window_days)
    payments = sorted(payments, key=lambda p: (p.on, p.ref))
    ordered = sorted(loads, key=_BY_DATE)
    if not payments:  # nothing to match: every load is unexpected
        return [], ordered
    paid = {(p.card_id, p.pence) for p in payments}
    waiting: dict[tuple[str, int], deque[Load]] = defaultdict(deque)
    missing: list[Payment] = []
    unexpected: list[Load] = []  # in date order as they come
    late: list[Load] = []  # left by the payments of their card and amount
    for load in ordered:
        key = (load.card_id, load.pence)
        # No payment of the card and amount: unexpected without a wait (most loads, when
        # a month's payments are few).
        if key in paid:
            waiting[key].append(load)
        else:
            unexpected.append(load)
    for payment in payments:
        candidates = waiting.get((payment.card_id, payment.pence))
        # A load too early for this payment is too early for every later one too.
        while candidates and candidates[0].posted_on < payment.on - window:
            late.append(candidates.popleft())
        if candidates and candidates[0].posted_on <= payment.on + window:
            candidates.popleft()
        else:
            missing.append(payment)
    for left in waiting.values():
        late.extend(left)
    if late:
        unexpected += late
        unexpected.sort(key=_BY_DATE)
    return missing, unexpected
