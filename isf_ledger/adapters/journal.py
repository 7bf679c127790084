"""What the beancount and hledger exporters share: entries, account names, totals.

The ledger is exported as plain-text journals so an auditor can check it with a
tool we did not write. Both writers make one pass over the entries (the ledger
can hold millions) and keep only per-account totals in memory: transactions are
written in the order given, and everything that needs the whole ledger (account
declarations, closing balance assertions) is written at the end. Both tools sort
by date themselves, stably in file order, so the journal checks out whatever
order the entries come in; pass them in (date, position) order for a file that
also reads in date order.

Internal accounts are `kind:id` (see `isf_ledger.domain.ledger`). Each kind has
a place in the standard five-root chart, and the id becomes one account-name
component, escaped so that the mapping is injective:

- an id that is already a valid component, `[A-Z0-9][A-Za-z0-9-]*`, and does not
  start with `X` is used as it is (`AGR-1`, `CITY`, `2026A`);
- any other id becomes `X` followed by the id with letters and digits kept,
  `-` doubled to `--`, and every other character written as `-HH` per UTF-8
  byte (upper-case hex): `PRV.2` -> `XPRV-2E2`, `a-b` -> `Xa--b`, `X1` -> `XX1`.

Plain components never start with `X` and escaped ones always do, and the escape
is decoded unambiguously left to right (`--` or `-HH`), so different ids never
share a name. The rule is beancount's lexer (`ACCOUNTNAME` in
`beancount/parser/lexer.l`); hledger accepts any such name too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from isf_ledger.domain.ledger import residual
from isf_ledger.domain.money import ZERO, fmt, money

CURRENCY = "GBP"

KIND_ROOTS = {
    "council": "Income:Council",
    "topup": "Income:TopUp",
    "recovered": "Income:Recovered",
    "isf": "Assets:ISF",
    "card": "Assets:Card",
    "support": "Expenses:Support",
    "costs": "Expenses:Costs",
    "cardspend": "Expenses:Card",
    "direct": "Expenses:DirectPayment",  # paid to a person's own account: not reconciled
}
UNKNOWN_ROOT = "Equity:Other"

_PLAIN = re.compile(r"[A-WYZ0-9][A-Za-z0-9-]*")
_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One ledger transaction as the journals need it.

    Checked on creation because both tools would otherwise reject the file (or,
    for a third decimal place, quietly accept a total the ledger never had).
    """

    date: date
    narration: str
    legs: tuple[tuple[str, Decimal], ...]
    ref: str = ""

    def __post_init__(self) -> None:
        if not self.legs:
            raise ValueError(f"entry {self.ref!r} on {self.date} has no legs")
        for _, amount in self.legs:
            money(amount)
        left = residual(amount for _, amount in self.legs)
        if left != 0:
            raise ValueError(f"entry {self.ref!r} on {self.date} does not balance: {left} left")


def component(text: str) -> str:
    """`text` as one account-name component valid in beancount and hledger."""
    if _PLAIN.fullmatch(text):
        return text
    escaped = []
    for char in text:
        if char in _ALNUM:
            escaped.append(char)
        elif char == "-":
            escaped.append("--")
        else:
            escaped.extend(f"-{byte:02X}" for byte in char.encode())
    return "X" + "".join(escaped)


@lru_cache(maxsize=1 << 16)
def account_name(internal: str) -> str:
    """The journal account for an internal `kind:id` account.

    Cached because every leg of every entry asks, and a ledger has far fewer
    accounts than legs.
    """
    kind, colon, ident = internal.partition(":")
    if not (kind and colon and ident):
        raise ValueError(f"{internal!r} is not an account of the form kind:id")
    root = KIND_ROOTS.get(kind)
    if root is None:
        return f"{UNKNOWN_ROOT}:{component(kind)}:{component(ident)}"
    return f"{root}:{component(ident)}"


def gbp(amount: Decimal) -> str:
    """An amount as both tools write it: `-12.50 GBP`."""
    return f"{fmt(amount)} {CURRENCY}"


def posting_lines(entry: JournalEntry) -> Iterator[str]:
    """An entry's legs as indented posting lines; both tools read the same syntax."""
    for account, amount in entry.legs:
        yield f"    {account_name(account)}  {gbp(amount)}\n"


@dataclass
class Tally:
    """What a writer learns in its single pass and needs for the closing directives."""

    balance: dict[str, Decimal] = field(default_factory=dict)
    first_use: dict[str, date] = field(default_factory=dict)
    last: date | None = None

    def add(self, entry: JournalEntry) -> None:
        for account, amount in entry.legs:
            self.balance[account] = self.balance.get(account, ZERO) + amount
            first = self.first_use.get(account)
            if first is None or entry.date < first:
                self.first_use[account] = entry.date
        if self.last is None or entry.date > self.last:
            self.last = entry.date

    def accounts(self) -> list[str]:
        """Internal accounts seen, in journal-name order so the output is stable."""
        return sorted(self.balance, key=account_name)

    def closing_date(self) -> date:
        """The day after the last entry: an assertion then sees every transaction."""
        if self.last is None:
            raise ValueError("no entries, so nothing to close")
        return self.last + timedelta(days=1)


def balances(entries: Iterable[JournalEntry]) -> dict[str, Decimal]:
    """Each internal account's total over `entries`: what the journals must show."""
    tally = Tally()
    for entry in entries:
        tally.add(entry)
    return tally.balance
