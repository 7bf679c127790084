"""`apply` throughput on a realistic mix, beside eventsourcing's own save of its events.

Full size is 20,000 commands (230 people's year), applied in one batch. The
floor is the same events written by eventsourcing's `events.put` (the mapper
and the recorder the ledger uses) into a fresh ledger, in one batch: no
rules, no seals, no read models. A pair is one `apply` into a fresh ledger
and then one `events.put` of the events it stored into another; figures are
the medians of three pairs, the ratio the median of the pairs' own ratios.

A second figure is the same `apply` with its store step writing the events
alone (no seals, no read models, no exceptions refresh): what the rules and
the event writes cost, the least any `apply` that keeps its reports current
could take.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from eventsourcing.persistence import StoredEvent

from bench.common import Figure, apply_in_batches, database, paired, timed
from bench.workload import people
from isf_ledger.adapters.event_store import store_events
from isf_ledger.bootstrap import Ledger, init_ledger
from isf_ledger.settings import Settings

BATCH = 20_000
PAIRS = 3
FLOOR = "eventsourcing events.put of the same events, one batch"


def stored_events(ledger: Ledger) -> list[Any]:
    """Every event in the ledger, as domain events in the order they were recorded."""
    recorder: Any = ledger.app.recorder
    notifications = recorder.select_notifications(start=1, limit=10**9)
    return [
        ledger.app.mapper.to_domain_event(
            StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
        )
        for n in notifications
    ]


def floor(url: str, events: list[Any]) -> float:
    """Seconds for eventsourcing to save `events` in one batch into a fresh ledger."""
    ledger = init_ledger(Settings(db_url=url))
    try:
        return timed(lambda: ledger.app.events.put(events))[0]
    finally:
        ledger.close()


def apply_all(url: str, lines: list[str], *, events_only: bool = False) -> tuple[float, list[Any]]:
    """Seconds to apply `lines` in batches into a fresh ledger, and the events stored;
    `events_only`: the batches' events written, and nothing else."""
    ledger = init_ledger(Settings(db_url=url))
    if events_only:  # and no catching up with them at the next batch
        ledger.store = partial(_events_only, ledger)  # type: ignore[method-assign]
        ledger.catch_up = lambda fresh=(): 0  # type: ignore[method-assign]
    try:
        return apply_in_batches(ledger, lines, BATCH), stored_events(ledger)
    finally:
        ledger.close()


def _events_only(ledger: Ledger, events: list[Any]) -> None:
    with ledger.engine.begin() as conn:
        store_events(conn, ledger.app, events)


def run(kinds: list[str], *, quick: bool = False, scale: float = 1.0) -> list[Figure]:
    lines = [json.dumps(c) for c in people(50 if quick else round(230 * scale))]
    figures = []
    for kind in kinds:
        pairs, alone = [], []
        for _ in range(PAIRS):
            with database(kind) as url:
                seconds, events = apply_all(url, lines)
            with database(kind) as url:
                floor_seconds = floor(url, events)
            with database(kind) as url:
                alone_seconds = apply_all(url, lines, events_only=True)[0]
            pairs.append((len(lines) / seconds, len(lines) / floor_seconds))
            alone.append((len(lines) / alone_seconds, len(lines) / floor_seconds))
        what = f"apply, {len(lines):,} commands (batches of {BATCH:,})"
        figures.append(paired("apply", kind, what, "cmds/s", FLOOR, pairs))
        what = "rules and event writes alone, same commands"
        figures.append(paired("apply", kind, what, "cmds/s", FLOOR, alone))
    return figures
