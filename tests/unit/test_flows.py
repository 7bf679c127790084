"""Every event that moves money has its statement line, under the name it is stored by."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import isf_ledger.domain
from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.flows import FLOWS, flow_of

for module in pkgutil.iter_modules(isf_ledger.domain.__path__):
    importlib.import_module(f"isf_ledger.domain.{module.name}")  # every aggregate is known


def aggregates(cls: type = LedgerAggregate) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from aggregates(sub)


def money_events() -> set[str]:
    """The stored type of every event class that carries legs."""
    found = set()
    for aggregate in aggregates():
        for name in dir(aggregate):
            value = getattr(aggregate, name)
            if isinstance(value, type) and issubclass(value, LedgerAggregate.Event):
                fields = {k for c in value.__mro__ for k in getattr(c, "__annotations__", {})}
                if "legs" in fields:
                    found.add(value.__qualname__)
    return found


def test_every_event_with_legs_has_a_flow_and_every_flow_names_such_an_event():
    assert money_events() == set(FLOWS)


def test_an_event_without_legs_on_a_fund_is_other():
    assert flow_of("Schedule.PaymentMade") == "payments_in"
    assert flow_of("Budget.Revised") == "other"
