"""The rule every reversal shares (a cost, a top-up's receipt): once, and never
before the thing it takes back."""

from __future__ import annotations

from datetime import date

from isf_ledger.domain.errors import RuleBroken


def check_reversal(
    what: str, reversed_by: str | None, original_on: date, on: date, before: str
) -> None:
    """Refuse reversing `what` twice (`reversed_by` names the earlier reversal),
    or on a day before `original_on` (`before` says what happened then)."""
    if reversed_by is not None:
        raise RuleBroken(f"{what} was already reversed by command {reversed_by}")
    if on < original_on:
        raise RuleBroken(f"{what} cannot be reversed on {on}, before {before}")
