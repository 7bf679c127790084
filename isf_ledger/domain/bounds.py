"""Payments bounded by the allocation: the council never schedules more than it allows.

For each budget, option and payee, the yearly amounts of the schedules must
not exceed the allocation in force on their first due day for that option
(for that payee, where the allocation names one), less the yearly amount of
the contributions assessed for the same payees: the council pays the budget
less what the person pays. Before any option choice is in force the whole
budget is the bound, for every option together.

`first_breach` finds the first schedule over its bound, given what the
allocations and the budget would be; each command that could break the rule
(a schedule, its revision, an option choice, a budget revision, a
contribution) asks it with the state the command would leave, and words its
own refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from isf_ledger.domain.agreement_terms import pounds
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.money import ZERO
from isf_ledger.domain.option_choice import Allocation


@dataclass(frozen=True)
class Claim:
    """A schedule's (or a contribution's) yearly amount on one option and payee."""

    ref: str
    option: int
    payee: str
    first_due: date
    amount: Decimal


@dataclass(frozen=True)
class Breach:
    """A schedule above what its allocation leaves for the council to pay."""

    schedule: str
    option: int
    payee: str | None  # the payee the allocation names, if it names one
    on: date
    scheduled: Decimal
    allocation: Decimal
    contributions: Decimal

    def words(self) -> str:
        to = f" to {self.payee}" if self.payee else ""
        source = f"option {self.option}'s allocation{to}" if self.option else "the budget"
        less = (
            f" less contributions of {pounds(self.contributions)} "
            f"({pounds(self.allocation - self.contributions)})"
            if self.contributions
            else ""
        )
        return (
            f"schedules{to} of {pounds(self.scheduled)} a year (schedule {self.schedule} "
            f"among them) above {source} of {pounds(self.allocation)}{less} in force on {self.on}"
        )


Allocations = Callable[[date], tuple[Allocation, ...]]


def first_breach(
    schedules: Sequence[Claim],
    contributions: Sequence[Claim],
    allocations_on: Allocations,
    budget_on: Callable[[date], Decimal],
    change_days: Sequence[date] = (),
) -> Breach | None:
    """The first schedule (in the order given) above its bound, or None.

    A schedule is held to the allocation in force on its first due day and on
    every later day the choice changes (`change_days`), so a new choice cannot
    bring an allocation below what is already scheduled.
    """
    for s in schedules:
        for day in [s.first_due, *sorted(d for d in change_days if d > s.first_due)]:
            found = _breach_on(s, day, schedules, contributions, allocations_on, budget_on)
            if found is not None:
                return found
    return None


def _breach_on(
    s: Claim,
    day: date,
    schedules: Sequence[Claim],
    contributions: Sequence[Claim],
    allocations_on: Allocations,
    budget_on: Callable[[date], Decimal],
) -> Breach | None:
    allocs = allocations_on(day)
    named = {a.agreement_id or a.card_id for a in allocs} - {None}
    if not allocs:
        option, payee, limit = 0, None, budget_on(day)
    else:
        option, payee = s.option, s.payee if s.payee in named else None
        limit = sum((a.amount for a in allocs if _pays(a, s, named)), ZERO)
    scheduled = sum((c.amount for c in schedules if _same_bound(s, c, allocs, named)), ZERO)
    contributed = sum((c.amount for c in contributions if _same_bound(s, c, allocs, named)), ZERO)
    if scheduled > limit - contributed:
        return Breach(s.ref, option, payee, day, scheduled, limit, contributed)
    return None


def _pays(a: Allocation, s: Claim, named: set[str | None]) -> bool:
    """Does allocation `a` bound schedule `s`: it names its payee, or it is
    the option's unnamed part and no allocation names the payee."""
    if s.payee in named:
        return s.payee in (a.agreement_id, a.card_id)
    return a.option == s.option and a.agreement_id is None and a.card_id is None


def _same_bound(s: Claim, c: Claim, allocs: tuple[Allocation, ...], named: set[str | None]) -> bool:
    """Is `c` counted against the same bound as `s`."""
    if not allocs:
        return True
    if s.payee in named:
        return c.payee == s.payee
    return c.option == s.option and c.payee not in named


def check_schedule(breach: Breach | None) -> None:
    """Refuse a schedule (new or revised) that would be above its allocation."""
    if breach is not None:
        raise RuleBroken(f"schedule {breach.schedule} is refused: it would bring {breach.words()}")


def check_change(change: str, breach: Breach | None) -> None:
    """Refuse a change (an option choice, a budget revision, a contribution)
    that would leave a schedule above its allocation."""
    if breach is not None:
        raise RuleBroken(
            f"{change} would leave {breach.words()}: revise schedule {breach.schedule} first"
        )
