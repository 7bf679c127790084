"""A payment run's use case: pay every payable period of a window in one batch, then
write its bank and card-load files (see `payments` for the periods and the batch)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from isf_ledger.adapters.payment_files.profile import FileProfile
from isf_ledger.adapters.payment_files.writers import (
    Originator,
    bank_file,
    card_file,
    write_atomically,
)
from isf_ledger.application import payments
from isf_ledger.domain.errors import LedgerError
from isf_ledger.reports.payments import RunResult
from isf_ledger.settings import Settings

if TYPE_CHECKING:
    from isf_ledger.application.service import Ledger


def run_payments(
    ledger: Ledger,
    run_id: str,
    since: date,
    until: date,
    paid_on: date,
    *,
    bank_profile: FileProfile,
    card_profile: FileProfile,
    bank_out: str | Path | None = None,
    card_out: str | Path | None = None,
    dry_run: bool = False,
    progress: payments.Progress | None = None,
) -> RunResult:
    """Pay every payable period of the window in one batch, then write the files
    (`Ledger.payments_run`).

    A run id recorded before pays nothing more: its files are written again
    from the run as recorded, byte for byte (a crash after the commit and
    before the files is recovered this way). A dry run records nothing.
    """
    origin = originator(ledger.settings) if bank_out is not None else None
    for out in (bank_out, card_out):
        if out is not None and not Path(out).parent.is_dir():
            raise LedgerError(f"cannot write {out}: no such folder")
    run = None if dry_run else payments.recorded_run(ledger, run_id)
    existed = run is not None
    report, entries = payments.due(ledger, since, until, on=paid_on, progress=progress)
    if run is not None:
        payments.check_same_run(run, since, until, paid_on)
    elif not dry_run:
        payments.record_run(ledger, run_id, since, until, paid_on, entries)
        run = payments.recorded_run(ledger, run_id)
    if run is not None:
        entries = payments.entries_of(run)
    bank, cards = payments.file_lines(ledger, entries, paid_on)
    if bank_out is not None and origin is not None:
        text = bank_file(bank_profile, origin, bank, paid_on, dry_run=dry_run)
        write_atomically(bank_out, text)
    if card_out is not None:
        write_atomically(card_out, card_file(card_profile, cards, dry_run=dry_run))
    return RunResult(
        run_id=run_id,
        period_from=since,
        period_to=until,
        paid_on=paid_on,
        dry_run=dry_run,
        already_recorded=existed,
        payments=len(entries),
        totals=payments.totals_of(entries),
        cannot_pay=report.cannot_pay,
        bank_file=str(bank_out) if bank_out is not None else None,
        card_file=str(card_out) if card_out is not None else None,
    )


def originator(s: Settings) -> Originator:
    """The council's own account, from the settings; refused plainly when unset."""
    if not (s.bank_sort_code and s.bank_account and s.bank_name):
        raise LedgerError(
            "a bank file needs the council's own account: set ISF_LEDGER_BANK_SORT_CODE "
            "(6 digits), ISF_LEDGER_BANK_ACCOUNT (8 digits) and ISF_LEDGER_BANK_NAME"
        )
    if not (
        re.fullmatch(r"[0-9]{6}", s.bank_sort_code) and re.fullmatch(r"[0-9]{8}", s.bank_account)
    ):
        raise LedgerError(
            "ISF_LEDGER_BANK_SORT_CODE must be 6 digits and ISF_LEDGER_BANK_ACCOUNT 8 digits"
        )
    return Originator(s.bank_sort_code, s.bank_account, s.bank_name)
