"""What the allocation rule needs to know about a budget: its schedules and contributions.

The rule (`domain/bounds.py`) decides; this loads every schedule and
contribution of the budget, stored or made earlier in the batch, as claims.
A change that passes is recorded on the budget (`hold`): two batches at once
that each pass alone would otherwise together schedule more than the bound.
"""

from __future__ import annotations

from datetime import date

from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.bounds import Breach, Claim, check_change, check_schedule, first_breach
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.contribution import Contribution
from isf_ledger.domain.money import ZERO
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
    schedules, contributions = _claims(uow, budget, first)
    return _first_breach(uow, budget, schedules, contributions)


def hold(
    uow: UnitOfWork,
    budget: Budget,
    change: str,
    effective: date,
    command_id: str,
    *,
    schedule: str | None = None,
) -> None:
    """Refuse `change` if it leaves a schedule of `budget` above its bound (a
    schedule made or revised, `schedule`, is refused in its own words);
    otherwise record on the budget that it was checked, so that a batch
    changing the same budget at once conflicts with this one."""
    schedules, contributions = _claims(uow, budget, schedule)
    found = _first_breach(uow, budget, schedules, contributions)
    if schedule is None:
        check_change(change, found)
    else:
        check_schedule(found)
    budget.commitments_checked(
        change,
        scheduled=sum((s.amount for s in schedules), ZERO),
        contributions=sum((k.amount for k in contributions), ZERO),
        effective=effective,
        command_id=command_id,
    )


def _claims(uow: UnitOfWork, budget: Budget, first: str | None) -> tuple[list[Claim], list[Claim]]:
    schedules = sorted(
        (claim(s) for s in uow.of_budget(Schedule, budget.ref)), key=lambda c: c.ref != first
    )
    return schedules, [claim(c) for c in uow.of_budget(Contribution, budget.ref)]


def _first_breach(
    uow: UnitOfWork, budget: Budget, schedules: list[Claim], contributions: list[Claim]
) -> Breach | None:
    choice = uow.find(OptionChoice, budget.ref)
    return first_breach(
        schedules,
        contributions,
        choice.allocations_on if choice else lambda _: (),
        budget.amount_on,
        [day for day, _ in [*budget.amounts, *(choice.choices if choice else [])]],
    )
