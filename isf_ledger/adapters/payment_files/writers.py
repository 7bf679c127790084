"""Writing a payment run's bank file and card-load file.

Bank file (BACS Standard 18, one 106-character record per line; positions
from the Standard 18 payment record as banks' and bureaux' guides give it):

    1-6    destination sort code        36-46   amount in pence, zero-filled
    7-14   destination account number   47-64   originator's name
    15     account type, "0"            65-82   reference (schedule/period)
    16-17  transaction code, 99 credit  83-100  destination account name
    18-23  originator sort code         101-106 processing date, " YYDDD"
    24-31  originator account number
    32-35  free format, blank

A contra record (code 17) debits the originator's account with the total,
so the file balances. Text fields are upper case, limited to what BACS
accepts (A-Z 0-9 . & / - space), cut to the field. The volume and file
labels (VOL1, HDR1, UHL1, EOF1, UTL1) are left to the submission software,
which writes them with the council's service user number.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from isf_ledger.adapters.payment_files.profile import FileProfile
from isf_ledger.adapters.render.csv_safe import safe_cell

DRY_RUN = "DRY RUN - NOT FOR SUBMISSION"
CREDIT, CONTRA = "99", "17"
_NOT_BACS = re.compile(r"[^A-Z0-9.&/\- ]")


@dataclass(frozen=True)
class BankLine:
    sort_code: str
    account_number: str
    account_name: str
    amount: Decimal
    reference: str


@dataclass(frozen=True)
class CardLine:
    card_id: str
    last4: str
    amount: Decimal
    reference: str
    person_id: str
    paid_on: date


@dataclass(frozen=True)
class Originator:
    sort_code: str
    account_number: str
    name: str


def bacs_text(text: str, width: int) -> str:
    """Upper case, BACS characters only, cut or padded to `width`."""
    return _NOT_BACS.sub(" ", text.upper())[:width].ljust(width)


def pence(amount: Decimal) -> str:
    return f"{int(amount * 100):011d}"


def julian(day: date) -> str:
    return f" {day:%y}{day.timetuple().tm_yday:03d}"


def _record(
    dest: tuple[str, str, str], code: str, origin: Originator, amount: Decimal, ref: str, on: date
) -> str:
    sort_code, account_number, name = dest
    return (
        f"{sort_code}{account_number}0{code}{origin.sort_code}{origin.account_number}    "
        f"{pence(amount)}{bacs_text(origin.name, 18)}{bacs_text(ref, 18)}"
        f"{bacs_text(name, 18)}{julian(on)}"
    )


def bank_file(
    profile: FileProfile,
    origin: Originator,
    lines: Sequence[BankLine],
    on: date,
    *,
    dry_run: bool = False,
) -> str:
    """The whole bank file; a dry run starts with a line no bank accepts."""
    records = [DRY_RUN] if dry_run else []
    records.extend(
        _record((ln.sort_code, ln.account_number, ln.account_name), CREDIT, origin, ln.amount,
                ln.reference, on)
        for ln in lines
    )  # fmt: skip
    if profile.contra and lines:
        total = sum((ln.amount for ln in lines), Decimal("0.00"))
        own = (origin.sort_code, origin.account_number, origin.name)
        records.append(_record(own, CONTRA, origin, total, "CONTRA", on))
    return "".join(r + "\r\n" for r in records)


def card_file(profile: FileProfile, lines: Sequence[CardLine], *, dry_run: bool = False) -> str:
    """The card-load CSV: the profile's columns; money as plain numbers."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=profile.delimiter, lineterminator="\r\n")
    if dry_run:
        writer.writerow([DRY_RUN])
    if profile.header:
        writer.writerow(profile.columns)
    for ln in lines:
        values = {
            "card_id": ln.card_id,
            "last4": ln.last4,
            "amount": ln.amount,
            "reference": ln.reference,
            "person_id": ln.person_id,
            "paid_on": ln.paid_on.isoformat(),
        }
        writer.writerow([safe_cell(values[c]) for c in profile.columns])
    return out.getvalue()


def write_atomically(path: str | Path, text: str) -> None:
    """All of `text` at `path`, or the file as it was: a temp file, synced, renamed."""
    target = Path(path)
    fd, temp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="ascii", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
