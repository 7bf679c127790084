"""The few values an entry point reads from people: months, days and instants.

Shared by the command line and the portal, so `--as-at` and `?as_at=` accept
exactly the same text. Each parser returns the value the use cases take or
raises `ValueError` saying what was wrong, in plain words.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from isf_ledger.adapters.identifiers import ID_PATTERN
from isf_ledger.projections.runner import instant

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def month(value: str) -> str:
    """A calendar month written YYYY-MM."""
    if not MONTH.match(value):
        raise ValueError(f"{value!r} is not a month written YYYY-MM")
    return value


def day(value: str) -> date:
    """A business date written YYYY-MM-DD (not 2026-5-1, 2026-13-01 or a word)."""
    try:
        if not DAY.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD") from None


def as_at(value: str) -> str:
    """An ISO 8601 instant with its offset, as the ledger's fixed-width UTC text."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 instant") from None
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} needs an offset, e.g. 2026-04-01T09:00:00Z")
    return instant(moment)


def identifier(value: str) -> str:
    """A caller-chosen id as the contract spells it: 1-64 of `A-Za-z0-9._:-`."""
    if not ID_PATTERN.match(value):
        raise ValueError(f"{value!r} is not an id: 1-64 characters of A-Z a-z 0-9 . _ : -")
    return value
