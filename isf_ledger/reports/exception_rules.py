"""Which flags of a report are exceptions: the same records the reports return.

Exceptions are not found by rules of their own. Each is read off the
provider statement's `IsfMonth` or the figures of the card reconciliation's
`CardMonth` (as it is built, which shows their ids; the refresh reads the
same findings and balances without building it, `card_exceptions`), so the
list can never disagree with the flags a finance officer sees there.
The cause that goes into an exception's id is what makes it that one
exception: a month for a month's balance, a payment's command for a missing
load, a transaction's date, amount and merchant for a flag on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from isf_ledger.domain.card_checks import DUPLICATE
from isf_ledger.domain.exceptions import exception_ids
from isf_ledger.domain.periods import month_days
from isf_ledger.reports.card_month import Flag, MissingLoad, UnexpectedLoad
from isf_ledger.reports.exception_refs import ExceptionRef
from isf_ledger.reports.provider_statement import IsfMonth


class Raised(NamedTuple):
    """One exception as a report raises it (a tuple: a refresh raises tens of thousands)."""

    exception_id: str
    kind: str
    subject_kind: str  # agreement or card
    subject: str
    month: str
    raised_on: date
    amount: Decimal | None
    detail: str


# How a report's exceptions get their ids and status (`exceptions.refs_of_raised`):
# given all it raises, a function giving one record's their refs.
RefsOf = Callable[[list[Raised]], Callable[[list[Raised]], tuple[ExceptionRef, ...]]]


# What a report raises on one subject, before its ids: (kind, cause, raised on, amount,
# detail), the cause being what makes it that one exception.
Cause = tuple[str, str, date, Decimal | None, str]
_tuple = tuple.__new__


def _raised(subject: tuple[str, str], month: str, causes: Sequence[Cause]) -> list[Raised]:
    """The exceptions of `causes` on `subject`, their ids made at once; each a tuple made
    by position (`Raised`'s own `__new__` takes keywords: a call a record)."""
    kind_of, of = subject
    ids = exception_ids(f"{kind_of}:{of}", causes)
    return [
        _tuple(Raised, (i, kind, kind_of, of, month, on, amount, detail))
        for i, (kind, _, on, amount, detail) in zip(ids, causes, strict=True)
    ]


def raised_by_isf(isf: IsfMonth, month: str) -> list[Raised]:
    """The exceptions one ISF's month raises on the provider statement."""
    last = month_days(month)[1]
    found: list[Cause] = []
    if isf.hours_awaiting_approval:
        words = f"{isf.hours_awaiting_approval} hours above the flex cap await approval"
        found.append(("flex-awaiting-approval", month, last, None, words))
    for flag in isf.flex_flags:
        if not flag.startswith("week of "):
            found.append(("flex-variance", flag, last, None, flag))
    checks = (
        ("negative-balance", isf.closing_balance < 0, isf.closing_balance, "closing balance"),
        ("surplus", isf.surplus > 0 and not isf.due_back, isf.surplus, "surplus above threshold"),
        ("contribution-arrears", isf.contribution_arrears > 0, isf.contribution_arrears,
         "contribution arrears"),
        ("top-up-arrears", isf.top_up_arrears > 0, isf.top_up_arrears, "top-up arrears"),
    )  # fmt: skip
    for kind, raised, amount, words in checks:
        if raised:
            found.append((kind, month, last, amount, words))
    if isf.due_back:
        # One final account per agreement, whichever month it is seen in.
        found.append(
            ("due-back", "final", last, isf.due_back, "final balance due back to the council")
        )
    return _raised(("agreement", isf.agreement_id), month, found)


@lru_cache(maxsize=256)
def _flag_kind(why: str) -> str:
    """A flag's kind by its words (a month's tens of thousands of flags have a few)."""
    if why.startswith("blocked merchant"):
        return "blocked-merchant"
    return "possible-duplicate" if why == DUPLICATE else "cash-over-limit"


@lru_cache(maxsize=4096)
def _day(day: date) -> str:
    """A date as a cause writes it (ISO): a month's thousands of loads fall on a few
    dozen days, and writing out a date costs more than hashing the id. Amounts are
    written with `!s`, the same text as `format` gives, at a third of the cost."""
    return day.isoformat()


@lru_cache(maxsize=4096)
def _day_and_amount(day: date, amount: Decimal) -> str:
    """An unexpected load's cause: a month's tens of thousands of loads are of a few
    dozen days and a few amounts."""
    return f"{_day(day)}|{amount!s}"


@lru_cache(maxsize=16)
def _last_day(month: str) -> date:
    """The month's last day, worked out once for all its cards."""
    return month_days(month)[1]


def raised_by_card(
    card_id: str,
    flagged: Sequence[Flag],
    missing_loads: Sequence[MissingLoad],
    unexpected_loads: Sequence[UnexpectedLoad],
    difference: Decimal | None,
    surplus: Decimal,
    month: str,
) -> list[Raised]:
    """The exceptions one card's month raises on the reconciliation: the figures its
    `CardMonth` shows, before it is built (it shows their ids too)."""
    found: list[Cause] = []
    if flagged or missing_loads or unexpected_loads:
        found = _row_causes(flagged, missing_loads, unexpected_loads, month)
    return _raised(("card", card_id), month, found + _balance_causes(difference, surplus, month))


def raised_by_rows(
    card_id: str,
    flagged: Iterable[Flag],
    missing_loads: Iterable[MissingLoad],
    unexpected_loads: Iterable[UnexpectedLoad],
    month: str,
) -> list[Raised]:
    """The exceptions a card's month raises on its rows and loads (flags, missing and
    unexpected loads), in the reconciliation's order."""
    causes = _row_causes(flagged, missing_loads, unexpected_loads, month)
    return _raised(("card", card_id), month, causes)


def _row_causes(
    flagged: Iterable[Flag],
    missing_loads: Iterable[MissingLoad],
    unexpected_loads: Iterable[UnexpectedLoad],
    month: str,
) -> list[Cause]:
    """What a card's rows and loads raise, before their ids (see `raised_by_rows`)."""
    found: list[Cause] = []
    for flag in flagged:
        t = flag.transaction
        kind = _flag_kind(flag.why)
        cause = (
            month if kind == "cash-over-limit" else f"{_day(t.posted_on)}|{t.amount!s}|{t.merchant}"
        )
        found.append((kind, cause, t.posted_on, t.amount, flag.why))
    for m in missing_loads:
        found.append(("missing-load", m.command_id, m.date, m.amount,
                      f"payment {m.command_id} has no load"))  # fmt: skip
    found += [
        ("unexpected-load", _day_and_amount(u.posted_on, u.amount), u.posted_on, u.amount,
         u.description)
        for u in unexpected_loads
    ]  # fmt: skip
    return found


# Kinds whose cause is the month itself: an exception of one is raised in that month
# alone, so its stored row (if any) is of that month.
OF_THE_MONTH = frozenset({
    "flex-awaiting-approval", "negative-balance", "surplus", "contribution-arrears",
    "top-up-arrears", "cash-over-limit", "balance-difference",
})  # fmt: skip

# Kinds whose cause holds the date of one of the month's card rows (a flag on it, an
# unexpected load): raised in that month alone too. At full size these are most of a
# month's exceptions, and none needs looking up in another month.
OF_ITS_ROWS = frozenset({"blocked-merchant", "possible-duplicate", "unexpected-load"})

# What a card's month raises from its balances alone (the month sums), not its rows.
BALANCE_KINDS = frozenset({"balance-difference", "surplus"})
CARD_KINDS = BALANCE_KINDS | {
    "blocked-merchant", "cash-over-limit", "possible-duplicate", "missing-load", "unexpected-load"
}  # fmt: skip


def _balance_causes(difference: Decimal | None, surplus: Decimal, month: str) -> list[Cause]:
    """What a card's balances raise, before their ids: a reported closing that differs from
    the computed one, and a surplus (`BALANCE_KINDS`)."""
    last = _last_day(month)
    found: list[Cause] = []
    if difference:
        found.append(("balance-difference", month, last, difference,
                      "reported closing differs from computed"))  # fmt: skip
    if surplus > 0:
        found.append(("surplus", month, last, surplus, "surplus above threshold"))
    return found
