"""`refused`: a command is refused with a named rule and changes nothing."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.errors import RuleBroken


def state(agg: LedgerAggregate) -> dict[str, Any]:
    """Everything the aggregate holds, bar the events not yet saved."""
    return {k: copy.deepcopy(v) for k, v in vars(agg).items() if k != "_pending_events"}


@contextmanager
def refused(agg: LedgerAggregate, match: str) -> Iterator[None]:
    """The command inside is refused with `match` and leaves `agg` as it was."""
    before, pending = state(agg), len(agg.pending_events)
    with pytest.raises(RuleBroken, match=match):
        yield
    assert state(agg) == before
    assert len(agg.pending_events) == pending
