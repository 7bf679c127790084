"""Payments in advance: scheduling, paying, withholding and reversing periods.

The schedule decides; these handlers only load what it needs: its budget, the
person (for the council that pays), and the payee (an agreement for option 2,
a card for option 1), refusing ids the ledger does not know.
"""

from __future__ import annotations

from isf_ledger.application import commands as c
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.bounds import check_schedule
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.card import Card
from isf_ledger.domain.person import Person
from isf_ledger.domain.schedule import Payee, Schedule
from isf_ledger.handlers.bounds import breach


def payee_of(uow: UnitOfWork, option: int, ref: str) -> Payee:
    """Option 2 pays an agreement's ISF; option 1 pays a card."""
    return uow.get(Agreement, ref) if option == 2 else uow.get(Card, ref)


def schedule_payments(uow: UnitOfWork, cmd: c.SchedulePayments) -> None:
    uow.check_new(Schedule, cmd.schedule_id)
    budget = uow.get(Budget, cmd.budget_id)
    schedule = Schedule.make(
        schedule_id=cmd.schedule_id,
        budget=budget,
        person=uow.get(Person, budget.person_id),
        option=cmd.option,
        payee=payee_of(uow, cmd.option, cmd.payee),
        frequency=cmd.frequency,
        first_due=cmd.first_due,
        amount=cmd.amount,
        command_id=cmd.command_id,
    )
    uow.add(schedule)
    check_schedule(breach(uow, budget, first=schedule.ref))


def revise_schedule(uow: UnitOfWork, cmd: c.ReviseSchedule) -> None:
    schedule = uow.get(Schedule, cmd.schedule_id)
    budget = uow.get(Budget, schedule.budget_id)
    schedule.revise(cmd.effective, cmd.amount, budget, command_id=cmd.command_id)
    check_schedule(breach(uow, budget, first=schedule.ref))


def record_payment(uow: UnitOfWork, cmd: c.RecordPayment) -> None:
    schedule = uow.get(Schedule, cmd.schedule_id)
    schedule.record_payment(
        cmd.period,
        cmd.paid_on,
        payee=payee_of(uow, schedule.option, schedule.payee),
        budget=uow.get(Budget, schedule.budget_id),
        command_id=cmd.command_id,
        offset=cmd.offset,
    )


def withhold_payment(uow: UnitOfWork, cmd: c.WithholdPayment) -> None:
    uow.get(Schedule, cmd.schedule_id).withhold(
        cmd.period, cmd.on, cmd.reason, command_id=cmd.command_id
    )


def reverse_payment(uow: UnitOfWork, cmd: c.ReversePayment) -> None:
    uow.get(Schedule, cmd.schedule_id).reverse(
        cmd.period, cmd.on, cmd.reason, command_id=cmd.command_id
    )


HANDLERS = (schedule_payments, revise_schedule, record_payment, withhold_payment, reverse_payment)
