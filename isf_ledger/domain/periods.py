"""Dates and amounts of budget periods and payments in advance.

A budget runs twelve months from its own start; payments in advance are due
every 28 days or on the same day each month. Each period's amount is the
yearly amount pro rata by days, rounded half-up to the penny, and the last
period takes the remainder so a year of payments sums exactly to the amount.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext
from typing import Any

from isf_ledger.domain.money import PENNY, ZERO, round_half_up

FREQUENCIES = ("4-weekly", "monthly")

# Digits kept while dividing for a pro-rata share; see `_pro_rata`.
_DIVISION_DIGITS = 50


@dataclass(frozen=True, slots=True)
class Period:
    """One period of a payment schedule: its dates (inclusive) and amount."""

    number: int
    start: date
    end: date
    amount: Decimal

    @property
    def days(self) -> int:
        return _days(self.start, self.end)


def _days(start: date, end: date) -> int:
    """Days from `start` to `end`, counting both."""
    return (end - start).days + 1


def add_months(d: date, n: int) -> date:
    """The same day `n` months later, clamped to that month's last day.

    Always count from the same first day (`add_months(first, k)`), never step
    month by month from a clamped result, or 31 January drifts to the 28th.
    """
    month0 = d.month - 1 + n
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def budget_period_end(start: date) -> date:
    """The last day of a budget that starts on `start`: twelve months less a day.

    6 April 2026 runs to 5 April 2027; 31 January 2026 to 30 January 2027.
    A budget starting on 29 February has no anniversary next year: it runs to
    28 February, the last day before 1 March, a full year of days, rather than
    clamping to 28 February first and then losing that day to "less a day".
    """
    anniversary = add_months(start, 12)
    if anniversary.day != start.day:
        return anniversary
    return anniversary - timedelta(days=1)


def _period_start(first_due: date, frequency: str, n: int) -> date:
    """The start of period n + 1, counted from the first due day."""
    if frequency == "4-weekly":
        return first_due + timedelta(days=28 * n)
    return add_months(first_due, n)


def _starts(first_due: date, frequency: str, budget_end: date) -> list[date]:
    starts = [first_due]
    while True:
        start = _period_start(first_due, frequency, len(starts))
        # A period starting on the budget's last day would last one day. The
        # contract's worked example (£13,000 4-weekly over 365 days: twelve of
        # £997.26, then £1,032.88) folds that day into the period before.
        if start >= budget_end:
            return starts
        starts.append(start)


def starts_until(first: date, frequency: str, until: date) -> list[date]:
    """Every period start from `first`, every 28 days or monthly, up to `until` (inclusive)."""
    starts: list[date] = []
    while (start := _period_start(first, frequency, len(starts))) <= until:
        starts.append(start)
    return starts


def _pro_rata(amount: Decimal, days: int, total_days: int) -> Decimal:
    """`amount × days / total_days`, rounded half-up to the penny.

    The product is exact; the quotient is kept to 50 digits. An exact half
    penny terminates within them, and any other quotient sits at least
    1/(200 × total_days) of a pound from a half penny, far above the 50th
    digit, so the division cannot tip the rounding either way.
    """
    with localcontext() as ctx:
        ctx.prec = _DIVISION_DIGITS
        return round_half_up(amount * days / total_days)


def schedule_periods(
    first_due: date, frequency: str, budget_end: date, amount: Decimal
) -> tuple[Period, ...]:
    """Every period of a schedule, amounts pro rata by days, summing to `amount`.

    Periods start at `first_due`, then every 28 days or on the same day of
    each following month, while they start before the budget ends; each ends
    the day before the next starts, the last at `budget_end`.
    """
    if frequency not in FREQUENCIES:
        raise ValueError(f"payment frequency must be 4-weekly or monthly, not {frequency!r}")
    if first_due > budget_end:
        raise ValueError(f"first payment {first_due} is after the budget ends on {budget_end}")
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"the amount to schedule must be more than zero, not {amount}")
    if amount != amount.quantize(PENNY):
        raise ValueError(f"the amount to schedule must be whole pence, not {amount}")
    starts = _starts(first_due, frequency, budget_end)
    ends = [s - timedelta(days=1) for s in starts[1:]] + [budget_end]
    amounts = spread(
        amount,
        [_days(s, e) for s, e in zip(starts, ends, strict=True)],
        _days(first_due, budget_end),
    )
    return tuple(
        Period(n, s, e, a)
        for n, (s, e, a) in enumerate(zip(starts, ends, amounts, strict=True), start=1)
    )


def spread(amount: Decimal, days: list[int], total_days: int) -> list[Decimal]:
    """`amount` shared by days: each but the last `amount x days / total_days`,
    rounded half-up, the last the remainder, so the shares sum to `amount`."""
    shares = [_pro_rata(amount, d, total_days) for d in days[:-1]]
    remainder = amount - sum(shares, ZERO)
    if remainder < 0:
        # Only for a few pence over many periods: each rounded up, the last
        # would have to pay money back.
        raise ValueError(
            f"{amount} is too little to spread over {len(days)} periods: "
            "rounding each to the penny would leave the last one below zero"
        )
    return [*shares, remainder]


def respread(
    periods: tuple[Period, ...], keep: set[int], amount: Decimal, budget_end: date
) -> tuple[Period, ...]:
    """`periods` with those not in `keep` sharing `amount` less what the kept ones hold.

    The days rule of a new schedule: each shares by its days over the days
    from the first of them to `budget_end`, the last takes the remainder.
    """
    kept = sum((p.amount for p in periods if p.number in keep), ZERO)
    others = [p for p in periods if p.number not in keep]
    if amount < kept:
        raise ValueError(f"{amount} is below the {kept} already paid, withheld or started")
    if not others:
        if amount != kept:
            raise ValueError(f"no period is left to carry {amount - kept}")
        return periods
    shares = spread(amount - kept, [p.days for p in others], _days(others[0].start, budget_end))
    new = dict(zip((p.number for p in others), shares, strict=True))
    return tuple(Period(p.number, p.start, p.end, new.get(p.number, p.amount)) for p in periods)


def period_rows(periods: Iterable[Period]) -> list[dict[str, Any]]:
    """Periods as an event keeps them: number, start, end, amount."""
    return [
        {"number": p.number, "start": p.start, "end": p.end, "amount": p.amount} for p in periods
    ]


def period_containing(periods: Iterable[Period], d: date) -> Period | None:
    """The period whose dates include `d`, or None before the first or after the last."""
    return next((p for p in periods if p.start <= d <= p.end), None)


def month_days(month: str) -> tuple[date, date]:
    """The first and the last day of the calendar month `YYYY-MM`."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def mondays(first: date, last: date) -> list[date]:
    """Every Monday from `first` to `last`, both included: the weeks that start then."""
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    return [day + timedelta(weeks=n) for n in range((last - day).days // 7 + 1) if day <= last]
