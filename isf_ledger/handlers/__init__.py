"""Command handlers: each turns one typed command into calls on aggregates.

Handlers hold no rules of their own: they fetch the aggregates a command
names (refusing unknown ids), ask the aggregates to act, and add new ones to
the unit of work. `HANDLERS` maps each command type to its handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from isf_ledger.handlers import agreements, budgets, cards, payments, people, topups

Handler = Callable[[Any, Any], None]

HANDLERS: dict[str, Handler] = {
    **people.HANDLERS,
    **budgets.HANDLERS,
    **agreements.HANDLERS,
    **payments.HANDLERS,
    **topups.HANDLERS,
    **cards.HANDLERS,
}
