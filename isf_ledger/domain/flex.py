"""Flexed hours: weekly delivery against the plan, in quarter hours.

Support may flex week to week: up to the agreement's flex cap above plan
without approval, and down freely. Every few weeks a review compares delivered
with planned hours and flags a sustained variance. Caps, review lengths and
thresholds are the agreement's data, passed in; none is a literal here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from isf_ledger.domain.money import round_half_up

QUARTER = Decimal("0.25")
_TENTH = Decimal("0.1")


def is_quarter_hours(hours: Decimal) -> bool:
    """Hours are counted in 15-minute units, and never below zero."""
    return hours.is_finite() and hours >= 0 and hours % QUARTER == 0


def is_monday(d: date) -> bool:
    """Weeks of hours start on a Monday."""
    return d.weekday() == 0


def within_flex_cap(delivered: Decimal, planned: Decimal, cap: Decimal) -> bool:
    """Delivery may rise up to `cap` hours above plan; less is always allowed."""
    return delivered <= planned + cap


def week_charge(delivered_hours: Decimal, hourly_rate: Decimal) -> Decimal:
    """What a week of support costs the ISF, to the penny, half up."""
    return round_half_up(delivered_hours * hourly_rate)


def weekly_flags(delivered: Decimal, planned: Decimal, cap: Decimal, approval: str) -> list[str]:
    """Plain words for a statement about one week's flex; none at or below plan.

    `approval` is what was decided, when the hours were recorded, about hours
    above the cap: "approved", "declined" or "awaiting approval".
    """
    if delivered <= planned:
        return []
    if within_flex_cap(delivered, planned, cap):
        return ["above plan within flex cap"]
    return [f"above flex cap, {approval}"]


def hours_above_cap(delivered: Decimal, planned: Decimal, cap: Decimal) -> Decimal:
    """Hours of a week above plan + cap: the ones that need the council's approval."""
    return max(Decimal(0), delivered - planned - cap)


@dataclass(frozen=True, slots=True)
class FlexReview:
    """One review block: the weeks recorded in it, their hours and any flag."""

    weeks: tuple[date, ...]
    planned: Decimal
    delivered: Decimal
    variance: Decimal
    flag: str | None


def _direction(planned: Decimal, delivered: Decimal, threshold: Decimal) -> int:
    """+1 more than `threshold` above plan, -1 more than it below, else 0."""
    if planned == 0:
        return 1 if delivered > 0 else 0
    share = (delivered - planned) / planned
    if share > threshold:
        return 1
    if share < -threshold:
        return -1
    return 0


def _flag(
    block: Sequence[tuple[date, Decimal, Decimal]],
    planned: Decimal,
    delivered: Decimal,
    threshold: Decimal,
) -> str | None:
    """The sustained-variance flag for a full block with these totals, or None."""
    directions = {_direction(p, d, threshold) for _, p, d in block}
    if len(directions) != 1 or 0 in directions:
        return None
    side = "above" if directions == {1} else "below"
    span = f"for {len(block)} weeks (weeks from {block[0][0].isoformat()})"
    if planned == 0:
        return f"delivered {delivered} hours with none planned {span}"
    share = (abs(delivered - planned) / planned * 100).quantize(_TENTH, rounding=ROUND_HALF_UP)
    return f"delivered {share}% {side} plan {span}"


def review_flex(
    weeks: Sequence[tuple[date, Decimal, Decimal]],
    review_weeks: int = 4,
    threshold: Decimal = Decimal("0.10"),
    *,
    ending_from: date | None = None,
) -> list[FlexReview]:
    """Review recorded weeks (week_start, planned, delivered) in blocks.

    Blocks are `review_weeks` calendar weeks long, counted from the first
    recorded week, so a week with nothing recorded still takes its place in
    the calendar rather than pulling later weeks into an earlier review. A
    block is flagged only when every one of its weeks is recorded and more
    than `threshold` (a fraction of plan) off plan in the same direction: a
    sustained variance, not one busy week. With `ending_from`, blocks whose
    last recorded week is earlier are not reviewed (a monthly statement needs
    only the reviews that end in its month).
    """
    if review_weeks < 1:
        raise ValueError(f"a flex review covers at least one week, not {review_weeks}")
    ordered = sorted(weeks, key=lambda week: week[0])
    if len({w for w, _, _ in ordered}) != len(ordered):
        raise ValueError("each week may be recorded only once in a flex review")
    blocks: dict[int, list[tuple[date, Decimal, Decimal]]] = {}
    for week in ordered:
        offset = (week[0] - ordered[0][0]).days
        if offset % 7:
            raise ValueError(f"week {week[0]} is not a whole number of weeks after {ordered[0][0]}")
        blocks.setdefault(offset // 7 // review_weeks, []).append(week)
    reviews = []
    for block in blocks.values():
        if ending_from is not None and block[-1][0] < ending_from:
            continue
        planned = sum((p for _, p, _ in block), Decimal(0))
        delivered = sum((d for _, _, d in block), Decimal(0))
        full = len(block) == review_weeks
        reviews.append(
            FlexReview(
                weeks=tuple(w for w, _, _ in block),
                planned=planned,
                delivered=delivered,
                variance=delivered - planned,
                flag=_flag(block, planned, delivered, threshold) if full else None,
            )
        )
    return reviews
