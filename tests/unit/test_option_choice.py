"""How a budget is split between the options, from dated choices."""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import NotFound, RuleBroken
from isf_ledger.domain.option_choice import Allocation, OptionChoice

D = Decimal
START = date(2026, 4, 6)


def budget(amount: str = "13000.00") -> Budget:
    return Budget.propose("B1", "P1", START, D(amount), "RAS", command_id="b1")


def choose(b: Budget, effective: date = START, *allocations: Allocation, **kw: Any) -> OptionChoice:
    return OptionChoice.choose(
        b, effective, allocations or (Allocation(2, D("13000.00")),), command_id="o1", **kw
    )


def state(agg: OptionChoice) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in vars(agg).items() if k != "_pending_events"}


def test_the_first_choice_names_its_budget_and_person():
    choice = choose(budget())
    first = choice.pending_events[0]
    assert type(first).__qualname__ == "OptionChoice.Chosen"
    assert (first.budget_id, first.person_id, first.effective, first.command_id) == (
        "B1",
        "P1",
        START,
        "o1",
    )
    assert first.allocations == [
        {"option": 2, "amount": D("13000.00"), "agreement_id": None, "card_id": None}
    ]
    assert choice.id == OptionChoice.id_for("B1")


def test_a_choice_splits_the_budget_by_option_from_its_effective_date():
    choice = choose(
        budget(),
        START,
        Allocation(1, D("3000.00"), card_id="C1"),
        Allocation(2, D("9000.00"), agreement_id="A1"),
        agreement_budgets={"A1": "B1"},
        card_budgets={"C1": "B1"},
    )
    assert choice.allocations_on(date(2026, 4, 5)) == ()
    assert choice.amounts_on(START) == {1: D("3000.00"), 2: D("9000.00")}
    assert choice.allocation_for("A1", START) == Allocation(2, D("9000.00"), agreement_id="A1")


def test_several_options_together_are_option_4():
    b = budget()
    assert not choose(b).is_option_4_on(START)
    mixed = choose(b, START, Allocation(2, D("10000.00")), Allocation(3, D("3000.00")))
    assert mixed.is_option_4_on(START)


def test_allocations_above_the_budget_in_force_are_refused():
    with pytest.raises(
        RuleBroken,
        match=re.escape(
            "allocations total £14,000.00, more than budget B1's £13,000.00 in force on 2026-04-06"
        ),
    ):
        choose(budget(), START, Allocation(2, D("10000.00")), Allocation(3, D("4000.00")))


def test_allocations_above_a_later_revision_already_recorded_are_refused():
    b = budget()
    b.revise(D("12000.00"), date(2026, 10, 1), "less support", command_id="r1")
    with pytest.raises(
        RuleBroken,
        match=re.escape(
            "allocations total £13,000.00, more than budget B1's £12,000.00 in force on 2026-10-01"
        ),
    ):
        choose(b, START)


def test_a_revision_upward_lets_a_larger_choice_through_from_its_date():
    b = budget()
    b.revise(D("14000.00"), date(2026, 10, 1), "more support", command_id="r1")
    choice = choose(b, START)
    choice.change(b, date(2026, 10, 1), (Allocation(2, D("14000.00")),), command_id="o2")
    assert choice.amounts_on(date(2026, 10, 1)) == {2: D("14000.00")}


def test_a_choice_outside_the_budget_period_is_refused():
    with pytest.raises(RuleBroken, match="on 2027-04-06 is outside budget B1's period"):
        choose(budget(), date(2027, 4, 6))


def test_no_choice_is_made_for_an_ended_budget():
    b = budget()
    b.end_on(date(2026, 9, 30), command_id="e1")
    with pytest.raises(RuleBroken, match="budget B1 ended on 2026-09-30"):
        choose(b, START)


def test_a_later_choice_never_rewrites_an_earlier_one():
    b = budget()
    choice = choose(b)
    choice.change(
        b,
        date(2026, 10, 1),
        (Allocation(1, D("4000.00")), Allocation(2, D("9000.00"))),
        command_id="o2",
    )
    assert type(choice.pending_events[-1]).__qualname__ == "OptionChoice.Changed"
    assert choice.amounts_on(date(2026, 9, 30)) == {2: D("13000.00")}
    assert choice.amounts_on(date(2026, 10, 1)) == {1: D("4000.00"), 2: D("9000.00")}


def test_a_new_choice_must_take_effect_after_the_latest_one():
    b = budget()
    choice = choose(b)
    choice.change(b, date(2026, 10, 1), (Allocation(3, D("13000.00")),), command_id="o2")
    before, pending = state(choice), len(choice.pending_events)
    with pytest.raises(
        RuleBroken,
        match="budget B1's options were already chosen from 2026-10-01; a new choice must "
        "take effect after it",
    ):
        choice.change(b, date(2026, 7, 1), (Allocation(1, D("13000.00")),), command_id="o3")
    assert state(choice) == before
    assert len(choice.pending_events) == pending


def test_a_refused_change_leaves_the_choice_as_it_was():
    b = budget()
    choice = choose(b)
    before, pending = state(choice), len(choice.pending_events)
    with pytest.raises(RuleBroken, match=re.escape("allocations total £13,000.01")):
        choice.change(b, date(2026, 10, 1), (Allocation(2, D("13000.01")),), command_id="o2")
    assert state(choice) == before
    assert len(choice.pending_events) == pending


def test_an_allocation_naming_an_agreement_is_option_2():
    with pytest.raises(RuleBroken, match="agreement A1 is an individual service fund, so its "
                       "allocation is option 2, not option 3"):  # fmt: skip
        choose(
            budget(),
            START,
            Allocation(3, D("1000.00"), agreement_id="A1"),
            agreement_budgets={"A1": "B1"},
        )


def test_an_allocation_names_an_agreement_of_the_same_budget():
    with pytest.raises(RuleBroken, match="agreement A1 belongs to budget B2, not budget B1"):
        choose(
            budget(),
            START,
            Allocation(2, D("1000.00"), agreement_id="A1"),
            agreement_budgets={"A1": "B2"},
        )


def test_an_allocation_naming_an_unknown_agreement_is_refused():
    with pytest.raises(NotFound, match="unknown agreement A9"):
        choose(budget(), START, Allocation(2, D("1000.00"), agreement_id="A9"))


def test_an_allocation_naming_a_card_is_option_1():
    with pytest.raises(RuleBroken, match="card C1 is a direct payment, so its allocation is "
                       "option 1, not option 2"):  # fmt: skip
        choose(budget(), START, Allocation(2, D("1000.00"), card_id="C1"))


def test_an_allocation_names_a_card_of_the_same_budget():
    with pytest.raises(RuleBroken, match="card C1 belongs to budget B2, not budget B1"):
        choose(
            budget(),
            START,
            Allocation(1, D("1000.00"), card_id="C1"),
            card_budgets={"C1": "B2"},
        )


def test_an_allocation_names_an_agreement_or_a_card_not_both():
    with pytest.raises(RuleBroken, match="names either an agreement or a card, not both"):
        choose(
            budget(),
            START,
            Allocation(2, D("1000.00"), agreement_id="A1", card_id="C1"),
            agreement_budgets={"A1": "B1"},
        )


def test_a_payee_is_named_in_one_allocation_only():
    with pytest.raises(RuleBroken, match="names A1 in two allocations"):
        choose(
            budget(),
            START,
            Allocation(2, D("1000.00"), agreement_id="A1"),
            Allocation(2, D("2000.00"), agreement_id="A1"),
            agreement_budgets={"A1": "B1"},
        )


@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_an_allocation_is_more_than_zero(amount):
    with pytest.raises(RuleBroken, match="allocation for option 2 must be more than zero"):
        choose(budget(), START, Allocation(2, D(amount)))


def test_an_option_is_1_2_or_3():
    with pytest.raises(RuleBroken, match="option must be 1, 2 or 3, not 4"):
        choose(budget(), START, Allocation(4, D("100.00")))
