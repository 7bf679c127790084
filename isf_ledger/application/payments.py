"""Payment runs: what is due, paying it in one batch, and the files for the bank.

`due` finds the periods starting in a window that are neither paid nor
withheld (from the `schedule_periods` read model), loads their schedules,
payees and budgets, and asks the domain (`payment_run.why_not_payable`) which
can be paid; as at an instant, it loads them as they stood then, and their
schedules say which periods were still open. `run` records every payable
period with a `RecordPayment` whose command id derives from the run id,
schedule and period, and the run itself (`RecordPaymentRun`), in one
all-or-nothing batch. Only after that commits are the files written, from
the run as recorded, so running the same run id again (after a crash, say)
pays nothing more and writes the same bytes. A run reads the ledger as it
stands now, never as at an instant.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from isf_ledger.adapters.payment_files.writers import BankLine, CardLine
from isf_ledger.adapters.personal_data import FORGOTTEN
from isf_ledger.application.apply import apply_lines
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.bank_account import BankAccount
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.card import Card
from isf_ledger.domain.errors import LedgerError
from isf_ledger.domain.payment_run import PAYEE_GROUPS, PaymentRun, summarise, why_not_payable
from isf_ledger.domain.person import Person
from isf_ledger.domain.provider import Provider
from isf_ledger.domain.schedule import Schedule
from isf_ledger.projections.schedule_periods import open_periods, periods_starting
from isf_ledger.reports.payments import DueLine, KindTotal, PaymentsDue
from isf_ledger.reports.sources import load

if TYPE_CHECKING:
    from isf_ledger.application.service import Ledger

Progress = Callable[[int, int], None]
PAYEE_TYPES: dict[str, type[Agreement] | type[Card] | type[BankAccount]] = {
    "agreement": Agreement,
    "card": Card,
    "account": BankAccount,
}


@dataclass(frozen=True)
class Entry:
    """A period to pay, with the account it is paid into (None for a card)."""

    schedule_id: str
    period: int
    payee_kind: str
    payee: str
    amount: Decimal
    account_id: str | None


def due(
    ledger: Ledger, since: date, until: date, *, on: date | None = None,
    as_at: str | None = None, progress: Progress | None = None,
) -> tuple[PaymentsDue, list[Entry]]:  # fmt: skip
    """Every open period starting in the window, payable or not (checked on `on`, or on
    each period's start), and the payable ones as entries for a run.

    With `as_at`, as the ledger stood at that instant: the schedules, payees,
    budgets and accounts are rebuilt from the events recorded by then, and
    they say which periods were open; the domain decides which were payable
    as it does now.
    """
    if until < since:
        raise LedgerError(f"the window ends ({until}) before it starts ({since})")
    ledger.catch_up()
    with ledger.engine.connect() as conn:
        if as_at is None:
            found = open_periods(conn, since, until)
        else:
            found = periods_starting(conn, since, until)
    uow = ledger.unit_of_work()
    held = _Held(
        (lambda cls, refs: _load(ledger, uow, cls, refs))
        if as_at is None
        else (lambda cls, refs: _load_as_at(ledger, cls, refs, as_at))
    )
    schedules = held.load(Schedule, {s for s, _ in found})
    # As at an instant, a schedule made since is absent, a period paid since was open.
    found = [(s, n) for s, n in found if s in schedules and schedules[s].is_open(n)]
    held.load(Budget, {s.budget_id for s in schedules.values()})
    held.load(Person, {s.person_id for s in schedules.values()})
    for kind, cls in PAYEE_TYPES.items():
        held.load(cls, {s.payee for s in schedules.values() if s.payee_kind == kind})
    agreements = {s.payee for s in schedules.values() if s.payee_kind == "agreement"}
    providers = held.load(Provider, {held.get(Agreement, a).provider_id for a in agreements})
    held.load(BankAccount, {p.bank_account for p in providers.values() if p.bank_account})
    payable: list[DueLine] = []
    cannot: list[DueLine] = []
    entries: list[Entry] = []
    for done, (schedule_id, number) in enumerate(found, 1):
        line, entry = _check(held, schedules[schedule_id], number, on)
        (cannot if line.reason else payable).append(line)
        if entry is not None:
            entries.append(entry)
        if progress:
            progress(done, len(found))
    report = PaymentsDue(since, until, tuple(payable), tuple(cannot), totals_of(entries), as_at)
    return report, entries


def totals_of(entries: Iterable[Entry]) -> tuple[KindTotal, ...]:
    summary = summarise([(PAYEE_GROUPS[e.payee_kind], e.amount) for e in entries])
    return tuple(KindTotal(kind, s["count"], s["total"]) for kind, s in summary.items())


def _load(ledger: Ledger, uow: UnitOfWork, cls: Any, refs: set[str]) -> dict[str, Any]:
    """Aggregates of one kind, loaded together."""
    uow.preload(ledger.engine, {cls.id_for(r) for r in refs})
    return {r: uow.get(cls, r) for r in refs}


def _load_as_at(ledger: Ledger, cls: Any, refs: set[str], as_at: str) -> dict[str, Any]:
    """Aggregates of one kind as they stood at `as_at`; those made since are absent."""
    with ledger.engine.connect() as conn:
        return load(conn, ledger.app, cls.KIND, refs, as_at)


@dataclass
class _Held:
    """The aggregates a listing reads, by kind and caller id, loaded a kind at a time by
    `fetch`: as they stand (through a unit of work) or as they stood at an instant."""

    fetch: Callable[[Any, set[str]], dict[str, Any]]
    found: dict[tuple[str, str], Any] = field(default_factory=dict)

    def load(self, cls: Any, refs: set[str]) -> dict[str, Any]:
        loaded = self.fetch(cls, refs)
        self.found.update(((cls.KIND, ref), aggregate) for ref, aggregate in loaded.items())
        return loaded

    def get(self, cls: Any, ref: str) -> Any:
        return self.found[(cls.KIND, ref)]


def _check(
    held: _Held, schedule: Schedule, number: int, on: date | None
) -> tuple[DueLine, Entry | None]:
    period = schedule.period(number)
    payee = held.get(PAYEE_TYPES[schedule.payee_kind], schedule.payee)
    account = _account_of(held, payee)
    person = held.get(Person, schedule.person_id)
    reason = why_not_payable(
        schedule, number, on, payee, held.get(Budget, schedule.budget_id),
        account.ref if account else None, person.forgotten,
    )  # fmt: skip
    line = DueLine(
        schedule_id=schedule.ref,
        period=number,
        start=period.start,
        end=period.end,
        amount=period.amount,
        option=schedule.option,
        payee_kind=PAYEE_GROUPS[schedule.payee_kind],
        payee=schedule.payee,
        paid_to=_paid_to(payee, account),
        person_id=schedule.person_id,
        budget_id=schedule.budget_id,
        reason=reason,
    )
    if reason:
        return line, None
    entry = Entry(
        schedule.ref, number, schedule.payee_kind, schedule.payee, period.amount,
        account.ref if account else None,
    )  # fmt: skip
    return line, entry


def _account_of(held: _Held, payee: Any) -> BankAccount | None:
    """The account a payee's money goes to: itself, its provider's, or none (a card)."""
    if isinstance(payee, BankAccount):
        return payee
    if isinstance(payee, Agreement):
        chosen = held.get(Provider, payee.provider_id).bank_account
        return held.get(BankAccount, chosen) if chosen else None
    return None


def _paid_to(payee: Any, account: BankAccount | None) -> str:
    if isinstance(payee, Card):
        return f"card {payee.last4}"
    if isinstance(payee, Agreement):
        where = f"account {account.masked}" if account else "no bank account"
        return f"provider {payee.provider_id} {where}"
    return f"account {account.masked}" if account else "account"


# ---- the run ------------------------------------------------------------------------


def command_id(run_id: str, *parts: object) -> str:
    """A command id derived from the run id and what it pays; fits the 64-character ids."""
    text = "\x1f".join(str(p) for p in (run_id, *parts))
    return "run-" + hashlib.sha256(text.encode()).hexdigest()[:48]


def record_run(
    ledger: Ledger, run_id: str, since: date, until: date, paid_on: date, entries: list[Entry]
) -> None:
    """Every entry paid on `paid_on`, then the run, as one all-or-nothing batch."""
    why = f"payment run {run_id}"
    lines = [
        {
            "command_id": command_id(run_id, e.schedule_id, e.period),
            "type": "RecordPayment",
            "schedule_id": e.schedule_id,
            "period": e.period,
            "paid_on": paid_on.isoformat(),
            "reason": why,
        }
        for e in entries
    ]
    lines.append(
        {
            "command_id": command_id(run_id),
            "type": "RecordPaymentRun",
            "run_id": run_id,
            "period_from": since.isoformat(),
            "period_to": until.isoformat(),
            "paid_on": paid_on.isoformat(),
            "lines": [
                {"schedule_id": e.schedule_id, "period": e.period, "account_id": e.account_id}
                for e in entries
            ],
            "reason": why,
        }
    )
    result = apply_lines(ledger, enumerate((json.dumps(line) for line in lines), 1))
    if result.errors:
        shown = "; ".join(e.error for e in result.errors[:5])
        more = len(result.errors) - 5
        raise LedgerError(
            f"payment run {run_id} was not recorded: {shown}"
            + (f" (and {more} more)" if more > 0 else "")
        )


def recorded_run(ledger: Ledger, run_id: str) -> PaymentRun | None:
    uow = ledger.unit_of_work()
    return uow.find(PaymentRun, run_id)


def entries_of(run: PaymentRun) -> list[Entry]:
    return [
        Entry(ln["schedule_id"], ln["period"], ln["payee_kind"], ln["payee"], ln["amount"],
              ln["account_id"])
        for ln in run.lines
    ]  # fmt: skip


def file_lines(
    ledger: Ledger, entries: list[Entry], paid_on: date
) -> tuple[list[BankLine], list[CardLine]]:
    """The bank and card-load lines of `entries`, bank details unsealed for the file only."""
    uow = ledger.unit_of_work()
    accounts = _load(ledger, uow, BankAccount, {e.account_id for e in entries if e.account_id})
    cards = _load(ledger, uow, Card, {e.payee for e in entries if e.payee_kind == "card"})
    details = {ref: _details(ledger, a) for ref, a in accounts.items()}
    bank, card = [], []
    for e in entries:
        reference = f"{e.schedule_id}/{e.period}"
        if e.account_id:
            d = details[e.account_id]
            bank.append(
                BankLine(
                    d["sort_code"], d["account_number"], d["account_name"], e.amount, reference
                )
            )
        else:
            c = cards[e.payee]
            card.append(CardLine(c.ref, c.last4, e.amount, reference, c.person_id, paid_on))
    return bank, card


def _details(ledger: Ledger, account: BankAccount) -> dict[str, str]:
    clear = ledger.keys.unseal(account.key_owner, account.sealed_details)
    if clear is None or clear == FORGOTTEN:
        raise LedgerError(
            f"the bank details of account {account.ref} were forgotten: "
            "the bank file cannot be written"
        )
    loaded: dict[str, str] = json.loads(clear)
    return loaded


def check_same_run(run: PaymentRun, since: date, until: date, paid_on: date) -> None:
    if (run.period_from, run.period_to, run.paid_on) != (since, until, paid_on):
        raise LedgerError(
            f"payment run {run.ref} was recorded for {run.period_from} to {run.period_to}, "
            f"paid on {run.paid_on}: run it again with those, or choose a new run id"
        )
