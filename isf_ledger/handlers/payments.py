"""Payments in advance: scheduling, paying, withholding and reversing periods.

The schedule decides; these handlers only load what it needs: its budget, the
person (for the council that pays), and the payee (an agreement for option 2,
a card or the person's bank account for option 1), refusing ids the ledger
does not know. A payment run's record is made by the run itself.
"""

from __future__ import annotations

from isf_ledger.application import commands as c
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.bank_account import BankAccount
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.card import Card
from isf_ledger.domain.errors import NotFound
from isf_ledger.domain.payment_run import PaymentRun, RunPayment
from isf_ledger.domain.person import Person
from isf_ledger.domain.schedule import Payee, Schedule
from isf_ledger.handlers.bounds import hold

PAYEES: dict[str, type[Agreement] | type[Card] | type[BankAccount]] = {
    "agreement": Agreement,
    "card": Card,
    "account": BankAccount,
}


def _payee(uow: UnitOfWork, option: int, ref: str) -> Payee:
    """Option 2 pays an agreement's ISF; option 1 pays a card or a bank account."""
    if option == 2:
        return uow.get(Agreement, ref)
    found: Payee | None = uow.find(Card, ref) or uow.find(BankAccount, ref)
    if found is None:
        raise NotFound(f"unknown card or bank account {ref}")
    return found


def payee_of(uow: UnitOfWork, schedule: Schedule) -> Payee:
    """The payee a schedule names."""
    return uow.get(PAYEES[schedule.payee_kind], schedule.payee)


def schedule_payments(uow: UnitOfWork, cmd: c.SchedulePayments) -> None:
    uow.check_new(Schedule, cmd.schedule_id)
    budget = uow.get(Budget, cmd.budget_id)
    schedule = Schedule.make(
        schedule_id=cmd.schedule_id,
        budget=budget,
        person=uow.get(Person, budget.person_id),
        option=cmd.option,
        payee=_payee(uow, cmd.option, cmd.payee),
        frequency=cmd.frequency,
        first_due=cmd.first_due,
        amount=cmd.amount,
        command_id=cmd.command_id,
    )
    uow.add(schedule)
    hold(
        uow,
        budget,
        f"schedule {schedule.ref}",
        cmd.first_due,
        cmd.command_id,
        schedule=schedule.ref,
    )


def revise_schedule(uow: UnitOfWork, cmd: c.ReviseSchedule) -> None:
    schedule = uow.get(Schedule, cmd.schedule_id)
    budget = uow.get(Budget, schedule.budget_id)
    schedule.revise(cmd.effective, cmd.amount, budget, command_id=cmd.command_id)
    change = f"the revision of schedule {schedule.ref} from {cmd.effective}"
    hold(uow, budget, change, cmd.effective, cmd.command_id, schedule=schedule.ref)


def record_payment(uow: UnitOfWork, cmd: c.RecordPayment) -> None:
    schedule = uow.get(Schedule, cmd.schedule_id)
    schedule.record_payment(
        cmd.period,
        cmd.paid_on,
        payee=payee_of(uow, schedule),
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


def record_payment_run(uow: UnitOfWork, cmd: c.RecordPaymentRun) -> None:
    uow.check_new(PaymentRun, cmd.run_id)
    paid = [
        RunPayment(uow.get(Schedule, line.schedule_id), line.period, line.account_id)
        for line in cmd.lines
    ]
    uow.add(
        PaymentRun.record(
            cmd.run_id, cmd.period_from, cmd.period_to, cmd.paid_on, paid, cmd.command_id
        )
    )


HANDLERS = (
    schedule_payments,
    revise_schedule,
    record_payment,
    withhold_payment,
    reverse_payment,
    record_payment_run,
)
