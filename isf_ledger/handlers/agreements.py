"""Option choices, tripartite agreements, hours, costs and surplus recovery."""

from __future__ import annotations

from isf_ledger.application import commands as c
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain import ledger
from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.card import Card
from isf_ledger.domain.cost import Cost
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.option_choice import Allocation, OptionChoice
from isf_ledger.domain.person import Person
from isf_ledger.domain.provider import Provider
from isf_ledger.handlers.bounds import hold


def choose_options(uow: UnitOfWork, cmd: c.ChooseOptions) -> None:
    budget = uow.get(Budget, cmd.budget_id)
    allocations = tuple(
        Allocation(a.option, a.amount, a.agreement_id, a.card_id) for a in cmd.allocations
    )
    agreement_budgets = {
        a.agreement_id: uow.get(Agreement, a.agreement_id).budget_id
        for a in allocations
        if a.agreement_id is not None
    }
    card_budgets = {a.card_id: _card_budget(uow, a.card_id) for a in allocations if a.card_id}
    choice = uow.find(OptionChoice, cmd.budget_id)
    if choice is None:
        uow.add(
            OptionChoice.choose(
                budget,
                cmd.effective,
                allocations,
                command_id=cmd.command_id,
                agreement_budgets=agreement_budgets,
                card_budgets=card_budgets,
            )
        )
    else:
        choice.change(
            budget,
            cmd.effective,
            allocations,
            command_id=cmd.command_id,
            agreement_budgets=agreement_budgets,
            card_budgets=card_budgets,
        )
    change = f"the option choice from {cmd.effective}"
    hold(uow, budget, change, cmd.effective, cmd.command_id)


def _card_budget(uow: UnitOfWork, card_id: str) -> str | None:
    """The budget a named card was issued for (refusing an unknown card)."""
    return uow.get(Card, card_id).budget_id


def draft_agreement(uow: UnitOfWork, cmd: c.DraftAgreement) -> None:
    uow.check_new(Agreement, cmd.agreement_id)
    budget = uow.get(Budget, cmd.budget_id)
    uow.get(Provider, cmd.provider_id)
    person = uow.get(Person, budget.person_id)
    uow.add(
        Agreement.draft(
            agreement_id=cmd.agreement_id,
            budget=budget,
            provider_id=cmd.provider_id,
            authority=person.authority,
            start=cmd.start,
            hourly_rate=cmd.hourly_rate,
            planned_weekly_hours=cmd.planned_weekly_hours,
            payment_frequency=cmd.payment_frequency,
            flex_cap_hours=cmd.flex_cap_hours,
            review_weeks=cmd.review_weeks,
            surplus_weeks=cmd.surplus_weeks,
            command_id=cmd.command_id,
        )
    )


def sign_agreement(uow: UnitOfWork, cmd: c.SignAgreement) -> None:
    uow.get(Agreement, cmd.agreement_id).sign(cmd.party, cmd.signed_on, command_id=cmd.command_id)


def vary_agreement(uow: UnitOfWork, cmd: c.VaryAgreement) -> None:
    uow.get(Agreement, cmd.agreement_id).vary(
        cmd.effective,
        command_id=cmd.command_id,
        hourly_rate=cmd.hourly_rate,
        planned_weekly_hours=cmd.planned_weekly_hours,
        flex_cap_hours=cmd.flex_cap_hours,
    )


def suspend_agreement(uow: UnitOfWork, cmd: c.SuspendAgreement) -> None:
    uow.get(Agreement, cmd.agreement_id).suspend(cmd.on, command_id=cmd.command_id)


def resume_agreement(uow: UnitOfWork, cmd: c.ResumeAgreement) -> None:
    uow.get(Agreement, cmd.agreement_id).resume(cmd.on, command_id=cmd.command_id)


def terminate_agreement(uow: UnitOfWork, cmd: c.TerminateAgreement) -> None:
    uow.get(Agreement, cmd.agreement_id).terminate(cmd.on, command_id=cmd.command_id)


def record_hours(uow: UnitOfWork, cmd: c.RecordHours) -> None:
    uow.get(Agreement, cmd.agreement_id).record_hours(
        cmd.week_start, cmd.delivered_hours, command_id=cmd.command_id
    )


def approve_flex(uow: UnitOfWork, cmd: c.ApproveFlex) -> None:
    uow.get(Agreement, cmd.agreement_id).approve_flex(
        cmd.week_start, cmd.approved_by, command_id=cmd.command_id
    )


def decline_flex(uow: UnitOfWork, cmd: c.DeclineFlex) -> None:
    uow.get(Agreement, cmd.agreement_id).decline_flex(
        cmd.week_start, cmd.declined_by, cmd.reason, command_id=cmd.command_id
    )


def correct_hours(uow: UnitOfWork, cmd: c.CorrectHours) -> None:
    uow.get(Agreement, cmd.agreement_id).correct_hours(
        cmd.week_start, cmd.delivered_hours, cmd.reason, command_id=cmd.command_id
    )


def record_cost(uow: UnitOfWork, cmd: c.RecordCost) -> None:
    agreement = uow.get(Agreement, cmd.agreement_id)
    if cmd.cost_id is not None:
        uow.check_new(Cost, cmd.cost_id)
    agreement.record_cost(
        cmd.on, cmd.amount, cmd.description, command_id=cmd.command_id, cost_id=cmd.cost_id
    )
    if cmd.cost_id is not None:
        uow.add(Cost.name(cmd.cost_id, agreement, cmd.on, cmd.command_id))


def reverse_cost(uow: UnitOfWork, cmd: c.ReverseCost) -> None:
    cost = uow.get(Cost, cmd.cost_id)
    uow.get(Agreement, cost.agreement_id).reverse_cost(
        cmd.cost_id, cmd.on, cmd.reason, command_id=cmd.command_id
    )


def recover_surplus(uow: UnitOfWork, cmd: c.RecoverSurplus) -> None:
    """From an ISF (`agreement_id`) or a payment card (`card_id`), never both."""
    if (cmd.agreement_id is None) == (cmd.card_id is None):
        raise RuleBroken("name either agreement_id or card_id")
    if cmd.agreement_id is not None:
        agreement = uow.get(Agreement, cmd.agreement_id)
        agreement.recover_surplus(
            cmd.amount,
            cmd.on,
            cmd.reason,
            balance=uow.balance(ledger.isf(cmd.agreement_id), cmd.on),
            command_id=cmd.command_id,
        )
    elif cmd.card_id is not None:
        uow.get(Card, cmd.card_id).recover_surplus(
            cmd.amount,
            cmd.on,
            cmd.reason,
            balance=uow.card_balance(cmd.card_id, cmd.on),
            command_id=cmd.command_id,
        )


HANDLERS = (
    choose_options,
    draft_agreement,
    sign_agreement,
    vary_agreement,
    suspend_agreement,
    resume_agreement,
    terminate_agreement,
    record_hours,
    approve_flex,
    decline_flex,
    correct_hours,
    record_cost,
    reverse_cost,
    recover_surplus,
)
