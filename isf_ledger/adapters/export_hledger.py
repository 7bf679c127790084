"""The ledger as an hledger journal that `hledger check --strict` accepts.

Written in one pass (see `isf_ledger.adapters.journal`): transactions as they
come, then an `account` directive for every account (strict mode wants each one
declared; hledger does not mind where) and a closing transaction, dated the day
after the last entry, whose zero postings assert each account's balance.

hledger has no escapes in a transaction's first line, so a narration or ref is
flattened there: line breaks and other control characters become spaces, as
does `;` in the narration (it would start a comment) and `)` in the ref (it
would end the code). The ref goes in the code, `(...)`, which is always written
after a `*` status, so a narration starting with `(`, `*` or `!` stays the
description.

Write to a UTF-8 stream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from isf_ledger.adapters.journal import (
    CURRENCY,
    JournalEntry,
    Tally,
    account_name,
    gbp,
    posting_lines,
)
from isf_ledger.domain.money import ZERO

_BREAKS_TEXT = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029;]")
_BREAKS_CODE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029)]")


def write_hledger(entries: Iterable[JournalEntry], out: TextIO) -> None:
    """Write `entries` to `out` as an hledger journal."""
    out.write(f"commodity 1000.00 {CURRENCY}\n")
    tally = Tally()
    for entry in entries:
        tally.add(entry)
        code = _BREAKS_CODE.sub(" ", entry.ref)
        description = _BREAKS_TEXT.sub(" ", entry.narration)
        out.write(f"\n{entry.date.isoformat()} * ({code}) {description}\n")
        out.writelines(posting_lines(entry))
    if not tally.balance:
        return
    accounts = tally.accounts()
    out.write("\n")
    for account in accounts:
        out.write(f"account {account_name(account)}\n")
    out.write(f"\n{tally.closing_date().isoformat()} * () closing balance assertions\n")
    for account in accounts:
        balance = gbp(tally.balance[account])
        out.write(f"    {account_name(account)}  {gbp(ZERO)} == {balance}\n")
