"""How a budget is split between the options, as chosen from dated days.

One option choice per budget. Each choice gives allocations by option (1, 2
or 3; several options together are Option 4) from an effective date within
the budget's period, and never rewrites an earlier choice: `allocations_on(day)`
answers what was chosen on any day. The parts never exceed the budget in force
on any day from the choice on, revisions already recorded included.

An allocation may name the ISF agreement (option 2) or the payment card
(option 1) it is paid to; the handler fetches them (refusing unknown ids) and
this module checks they fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from isf_ledger.domain.agreement_terms import pounds
from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import NotFound, RuleBroken

OPTIONS = (1, 2, 3)


@dataclass(frozen=True)
class Allocation:
    """Part of a budget for one option, maybe paid to one agreement or card."""

    option: int
    amount: Decimal
    agreement_id: str | None = None
    card_id: str | None = None

    def as_data(self) -> dict[str, Any]:
        return {
            "option": self.option,
            "amount": self.amount,
            "agreement_id": self.agreement_id,
            "card_id": self.card_id,
        }


def check_allocations(
    budget: Budget,
    effective: date,
    allocations: tuple[Allocation, ...],
    agreement_budgets: dict[str, str],
    card_budgets: dict[str, str | None],
) -> None:
    """Refuse allocations that do not fit budget `budget` from `effective` on.

    `agreement_budgets` maps each named agreement to the budget it belongs to;
    `card_budgets` each named card to its budget (None when not known).
    """
    budget.check_not_ended()
    budget.check_within_period(effective, f"an option choice for budget {budget.ref}")
    if not allocations:
        raise RuleBroken(f"an option choice for budget {budget.ref} needs at least one allocation")
    named: set[str] = set()
    for a in allocations:
        _check_allocation(budget.ref, a, agreement_budgets, card_budgets)
        payee = a.agreement_id or a.card_id
        if payee is not None:
            if payee in named:
                raise RuleBroken(
                    f"an option choice for budget {budget.ref} names {payee} in two allocations"
                )
            named.add(payee)
    total = sum((a.amount for a in allocations), Decimal("0.00"))
    later_revisions = sorted(day for day, _ in budget.amounts if day > effective)
    for day in [effective, *later_revisions]:
        in_force = budget.amount_on(day)
        if total > in_force:
            raise RuleBroken(
                f"allocations total {pounds(total)}, more than budget {budget.ref}'s "
                f"{pounds(in_force)} in force on {day}"
            )


def _check_allocation(
    budget_id: str,
    a: Allocation,
    agreement_budgets: dict[str, str],
    card_budgets: dict[str, str | None],
) -> None:
    if a.option not in OPTIONS:
        raise RuleBroken(f"budget {budget_id}: option must be 1, 2 or 3, not {a.option}")
    if a.amount <= 0:
        raise RuleBroken(
            f"budget {budget_id}: the allocation for option {a.option} must be more than zero"
        )
    if a.agreement_id is not None and a.card_id is not None:
        raise RuleBroken(
            f"budget {budget_id}: an allocation names either an agreement or a card, not both"
        )
    if a.agreement_id is not None:
        if a.option != 2:
            raise RuleBroken(
                f"budget {budget_id}: agreement {a.agreement_id} is an individual service fund, "
                f"so its allocation is option 2, not option {a.option}"
            )
        owner = agreement_budgets.get(a.agreement_id)
        if owner is None:
            raise NotFound(f"unknown agreement {a.agreement_id}")
        if owner != budget_id:
            raise RuleBroken(
                f"agreement {a.agreement_id} belongs to budget {owner}, not budget {budget_id}"
            )
    if a.card_id is not None:
        if a.option != 1:
            raise RuleBroken(
                f"budget {budget_id}: card {a.card_id} is a direct payment, so its allocation "
                f"is option 1, not option {a.option}"
            )
        card_owner = card_budgets.get(a.card_id)
        if card_owner is not None and card_owner != budget_id:
            raise RuleBroken(
                f"card {a.card_id} belongs to budget {card_owner}, not budget {budget_id}"
            )


class OptionChoice(LedgerAggregate):
    KIND = "options"

    @staticmethod
    def create_id(budget_id: str, **_: object) -> object:  # type: ignore[override]
        return OptionChoice.id_for(budget_id)

    @classmethod
    def choose(
        cls,
        budget: Budget,
        effective: date,
        allocations: tuple[Allocation, ...],
        command_id: str,
        agreement_budgets: dict[str, str] | None = None,
        card_budgets: dict[str, str | None] | None = None,
    ) -> OptionChoice:
        """The first choice for a budget."""
        check_allocations(
            budget, effective, allocations, agreement_budgets or {}, card_budgets or {}
        )
        return cls(
            budget_id=budget.ref,
            person_id=budget.person_id,
            allocations=[a.as_data() for a in allocations],
            effective=effective,
            command_id=command_id,
        )

    @event("Chosen")
    def __init__(
        self,
        budget_id: str,
        person_id: str,
        allocations: list[dict[str, Any]],
        effective: date,
        command_id: str,
    ) -> None:
        self.ref = budget_id
        self.person_id = person_id
        self.choices: list[tuple[date, tuple[Allocation, ...]]] = []
        self._add(effective, allocations)

    def _add(self, effective: date, allocations: list[dict[str, Any]]) -> None:
        self.choices.append((effective, tuple(Allocation(**a) for a in allocations)))

    # Queries

    def allocations_on(self, day: date) -> tuple[Allocation, ...]:
        """The allocations chosen for `day`; none before the first choice."""
        chosen = [allocs for effective, allocs in self.choices if effective <= day]
        return chosen[-1] if chosen else ()

    def amounts_on(self, day: date) -> dict[int, Decimal]:
        """Each option's total on `day`, by option number."""
        totals: dict[int, Decimal] = {}
        for a in self.allocations_on(day):
            totals[a.option] = totals.get(a.option, Decimal("0.00")) + a.amount
        return dict(sorted(totals.items()))

    def is_option_4_on(self, day: date) -> bool:
        """A mix of options is Option 4."""
        return len(self.amounts_on(day)) > 1

    def allocation_for(self, payee: str, day: date) -> Allocation | None:
        """The allocation naming agreement or card `payee` on `day`."""
        for a in self.allocations_on(day):
            if payee in (a.agreement_id, a.card_id):
                return a
        return None

    # Commands

    def change(
        self,
        budget: Budget,
        effective: date,
        allocations: tuple[Allocation, ...],
        command_id: str,
        agreement_budgets: dict[str, str] | None = None,
        card_budgets: dict[str, str | None] | None = None,
    ) -> None:
        """A new choice from `effective`, after the latest one."""
        latest = self.choices[-1][0]
        if effective <= latest:
            raise RuleBroken(
                f"budget {self.ref}'s options were already chosen from {latest}; a new choice "
                f"must take effect after it, so nothing paid under the earlier one is rewritten"
            )
        check_allocations(
            budget, effective, allocations, agreement_budgets or {}, card_budgets or {}
        )
        self._changed(
            allocations=[a.as_data() for a in allocations],
            effective=effective,
            command_id=command_id,
        )

    @event("Changed")
    def _changed(self, allocations: list[dict[str, Any]], effective: date, command_id: str) -> None:
        self._add(effective, allocations)
