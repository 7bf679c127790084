"""The budget lifecycle: proposed, agreed, revised, ended."""

from __future__ import annotations

from decimal import Decimal

from isf_ledger.application import commands as c
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.bounds import check_change
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.option_choice import OptionChoice
from isf_ledger.domain.person import Person
from isf_ledger.handlers.bounds import breach


def propose_budget(uow: UnitOfWork, cmd: c.ProposeBudget) -> None:
    uow.check_new(Budget, cmd.budget_id)
    uow.get(Person, cmd.person_id)
    uow.add(
        Budget.propose(
            budget_id=cmd.budget_id,
            person_id=cmd.person_id,
            start=cmd.start,
            amount=cmd.amount,
            method=cmd.method,
            command_id=cmd.command_id,
        )
    )


def agree_budget(uow: UnitOfWork, cmd: c.AgreeBudget) -> None:
    uow.get(Budget, cmd.budget_id).agree(cmd.agreed_on, command_id=cmd.command_id)


def revise_budget(uow: UnitOfWork, cmd: c.ReviseBudget) -> None:
    choice = uow.find(OptionChoice, cmd.budget_id)
    amounts = choice.amounts_on(cmd.effective).values() if choice else ()
    budget = uow.get(Budget, cmd.budget_id)
    budget.revise(
        cmd.amount,
        cmd.effective,
        cmd.reason,
        allocated=sum(amounts, Decimal("0.00")),
        command_id=cmd.command_id,
    )
    check_change(f"revising budget {budget.ref} from {cmd.effective}", breach(uow, budget))


def end_budget(uow: UnitOfWork, cmd: c.EndBudget) -> None:
    uow.get(Budget, cmd.budget_id).end_on(cmd.ended_on, command_id=cmd.command_id)


HANDLERS = (propose_budget, agree_budget, revise_budget, end_budget)
