"""`payments due` and `payments run` for people: text and CSV of the typed records.

Accounts arrive already masked in the records (`paid_to`); nothing here
ever sees an account number.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TextIO

from isf_ledger.adapters.render.csv_safe import write_csv
from isf_ledger.domain.money import fmt
from isf_ledger.reports.payments import DueLine, KindTotal, PaymentsDue, RunResult

CSV_COLUMNS = (
    "status", "schedule_id", "period", "start", "end", "amount", "option", "payee_kind",
    "payee", "paid_to", "person_id", "budget_id", "reason",
)  # fmt: skip


def _line(ln: DueLine) -> str:
    text = (
        f"  {ln.schedule_id:<12} #{ln.period:<3} {ln.start} {fmt(ln.amount):>12}  "
        f"{ln.payee_kind:<14} {ln.paid_to}"
    )
    return text + (f"\n      cannot be paid: {ln.reason}" if ln.reason else "")


def _totals(totals: Sequence[KindTotal]) -> list[str]:
    rows = [f"  {t.payee_kind:<14} {t.count:>6} {fmt(t.total):>14}" for t in totals]
    count = sum(t.count for t in totals)
    total = sum((t.total for t in totals), Decimal("0.00"))
    return [*rows, f"  {'total':<14} {count:>6} {fmt(total):>14}"]


def render_due_text(due: PaymentsDue) -> str:
    when = f", as at {due.as_at}" if due.as_at else ""
    out = [f"Payments due for periods starting {due.period_from} to {due.period_to}{when}", ""]
    out.append(f"To pay ({len(due.payable)}):")
    out.extend(_line(ln) for ln in due.payable)
    out += ["", f"Cannot be paid ({len(due.cannot_pay)}):"]
    out.extend(_line(ln) for ln in due.cannot_pay)
    out += ["", "Totals to pay:", *_totals(due.totals)]
    return "\n".join(out) + "\n"


def render_due_csv(due: PaymentsDue, out: TextIO) -> None:
    rows = [
        ("cannot pay" if ln.reason else "due", ln.schedule_id, ln.period, ln.start.isoformat(),
         ln.end.isoformat(), ln.amount, ln.option, ln.payee_kind, ln.payee, ln.paid_to,
         ln.person_id, ln.budget_id, ln.reason)
        for ln in (*due.payable, *due.cannot_pay)
    ]  # fmt: skip
    write_csv(rows, CSV_COLUMNS, out)


def render_run_text(run: RunResult) -> str:
    if run.dry_run:
        head = f"DRY RUN {run.run_id}: nothing recorded; would pay {run.payments} periods"
    elif run.already_recorded:
        head = f"Payment run {run.run_id} was already recorded: nothing more paid"
    else:
        head = f"Payment run {run.run_id}: paid {run.payments} periods on {run.paid_on}"
    out = [head, *_totals(run.totals)]
    if run.cannot_pay:
        out += ["", f"Not paid ({len(run.cannot_pay)}):", *(_line(ln) for ln in run.cannot_pay)]
    for what, path in (("bank file", run.bank_file), ("card-load file", run.card_file)):
        if path:
            out.append(f"{what}: {path}")
    return "\n".join(out) + "\n"
