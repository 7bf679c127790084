"""Command handlers: each turns one typed command into calls on aggregates.

Handlers hold no rules of their own: they fetch the aggregates a command
names (refusing unknown ids), ask the aggregates to act, and add new ones to
the unit of work. Each module lists its handlers; `HANDLERS` files each one
under the command type its signature takes, so a handler can only ever be
given the command it was written for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, TypeVar, get_type_hints

from isf_ledger.application.commands import Command
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.handlers import (
    accounts,
    agreements,
    budgets,
    cards,
    contributions,
    exceptions,
    payments,
    people,
    topups,
)

C = TypeVar("C", bound=Command, contravariant=True)


class Handler(Protocol[C]):
    def __call__(self, uow: UnitOfWork, cmd: C, /) -> None: ...


def by_command(handlers: Iterable[Handler[Any]]) -> dict[str, Handler[Any]]:
    """Handlers by the name of the command type their `cmd` parameter declares."""
    found: dict[str, Handler[Any]] = {}
    for handler in handlers:
        name = get_type_hints(handler)["cmd"].__name__
        if name in found:
            raise TypeError(f"two handlers for {name}")
        found[name] = handler
    return found


HANDLERS = by_command(
    (
        *people.HANDLERS,
        *budgets.HANDLERS,
        *agreements.HANDLERS,
        *payments.HANDLERS,
        *topups.HANDLERS,
        *cards.HANDLERS,
        *accounts.HANDLERS,
        *contributions.HANDLERS,
        *exceptions.HANDLERS,
    )
)


def handle(uow: UnitOfWork, cmd: Command) -> None:
    """Give the command to the one handler of its type."""
    HANDLERS[cmd.type](uow, cmd)
