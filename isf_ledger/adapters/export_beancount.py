"""The ledger as a beancount journal that `bean-check` accepts with our balances.

Written in one pass (see `isf_ledger.adapters.journal`): transactions as they
come, then an `open` for every account and a `balance` assertion for every
account on the day after the last entry, so beancount itself proves that its
totals are the ledger's. Each assertion says `~ 0.00`: beancount's own tolerance
for a two-place balance is a whole penny, which would let a penny go missing.
Beancount orders directives by date, not file position, so opening accounts at
the end of the file is fine.

Write to a UTF-8 stream: beancount reads nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TextIO

from isf_ledger.adapters.journal import (
    CURRENCY,
    JournalEntry,
    Tally,
    account_name,
    posting_lines,
)
from isf_ledger.domain.money import fmt


def quoted(text: str) -> str:
    """A beancount string literal; its lexer unescapes exactly these three."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def write_beancount(
    entries: Iterable[JournalEntry], out: TextIO, *, opened_on: date | None = None
) -> None:
    """Write `entries` to `out` as a beancount journal.

    Accounts open on `opened_on` if given (an earlier entry is refused, as
    beancount would refuse the file), otherwise on the day each is first used.
    """
    out.write(f'option "operating_currency" "{CURRENCY}"\n')
    tally = Tally()
    for entry in entries:
        if opened_on is not None and entry.date < opened_on:
            raise ValueError(f"entry {entry.ref!r} on {entry.date} is before opened_on")
        tally.add(entry)
        out.write(f"\n{entry.date.isoformat()} * {quoted(entry.narration)}\n")
        if entry.ref:
            out.write(f"    ref: {quoted(entry.ref)}\n")
        out.writelines(posting_lines(entry))
    if not tally.balance:
        return
    accounts = tally.accounts()
    out.write("\n")
    for account in accounts:
        opened = opened_on or tally.first_use[account]
        out.write(f"{opened.isoformat()} open {account_name(account)} {CURRENCY}\n")
    closing = tally.closing_date().isoformat()
    out.write("\n")
    for account in accounts:
        balance = fmt(tally.balance[account])
        out.write(f"{closing} balance {account_name(account)}  {balance} ~ 0.00 {CURRENCY}\n")
