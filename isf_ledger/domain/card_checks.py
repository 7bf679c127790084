"""What makes a card's month need a look: the reconciliation's rules, in words.

The reconciliation finds the transactions in the database; whether a card is
`ok`, and how each kind of flag is worded, is decided here.
"""

from __future__ import annotations

from decimal import Decimal

from isf_ledger.domain.money import fmt

DUPLICATE = "possible duplicate: same date, amount and merchant more than once"


def status(difference: Decimal | None, missing_loads: int, unexpected_loads: int) -> str:
    """A card is "ok" when its reported balance agrees (or none was reported) and every
    payment met its load; flags alone never make a discrepancy."""
    ok = not difference and not missing_loads and not unexpected_loads
    return "ok" if ok else "discrepancy"


def blocked_category(mcc: str, name: str) -> str:
    return f"blocked merchant category {mcc} ({name})"


def cash_over_limit(so_far: Decimal, limit: Decimal) -> str:
    return f"cash withdrawals this month reach {fmt(so_far)}, over the limit of {fmt(limit)}"
