"""What the allocation rule needs to know about a budget: its schedules and contributions.

The rule (`domain/bounds.py`) decides; this loads every schedule and
contribution of the budget, stored or made earlier in the batch, as claims.
"""

from __future__ import annotations

from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.bounds import Breach, Claim, first_breach
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.contribution import Contribution
from isf_ledger.domain.option_choice import OptionChoice
from isf_ledger.domain.schedule import Schedule


def claim(of: Schedule | Contribution) -> Claim:
    return Claim(of.ref, of.option, of.payee, of.periods[0].start, of.amount)


def breach(
    uow: UnitOfWork,
    budget: Budget,
    *,
    first: str | None = None,
) -> Breach | None:
    """The first schedule of `budget` above its bound (schedule `first` looked at
    first), with the ledger as this batch leaves it."""
    schedules = sorted(
        (claim(s) for s in uow.of_budget(Schedule, budget.ref)), key=lambda c: c.ref != first
    )
    contributions = [claim(c) for c in uow.of_budget(Contribution, budget.ref)]
    choice = uow.find(OptionChoice, budget.ref)
    return first_breach(
        schedules,
        contributions,
        choice.allocations_on if choice else lambda _: (),
        budget.amount_on,
        [day for day, _ in [*budget.amounts, *(choice.choices if choice else [])]],
    )
