"""The cycle collector paused for a block (`runner.paused_collector`): back on after it,
and what a report's block made and kept joins the oldest objects, not the young ones
the collector goes through next."""

from __future__ import annotations

import gc

from isf_ledger.projections.runner import paused_collector


def _oldest() -> set[int]:
    return {id(o) for o in gc.get_objects(generation=2)}


def test_what_a_reports_block_keeps_joins_the_oldest_objects():
    assert gc.isenabled()
    with paused_collector(kept=True):
        assert not gc.isenabled()
        kept = [[n] for n in range(1000)]
    assert gc.isenabled()
    oldest = _oldest()
    assert all(id(item) in oldest for item in kept)
    with paused_collector():
        young = [[n] for n in range(1000)]
    assert gc.isenabled()
    oldest = _oldest()
    assert not any(id(item) in oldest for item in young)
