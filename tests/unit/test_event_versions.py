"""Events stored before a shape changed are read back through their upcasters."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, Mapper, UUIDAsHex

from isf_ledger.adapters.event_store import DateAsISO, LedgerTranscoder
from tests.unit.test_agreement_hours import signed


def mapper() -> Mapper:
    transcoder = LedgerTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def test_a_cost_stored_before_cost_id_reads_back_with_none_and_cannot_be_reversed():
    a = signed()
    a.record_cost(date(2026, 4, 20), Decimal("40.00"), "trip", command_id="k1")
    m = mapper()
    stored = m.to_stored_event(a.pending_events[-1])
    state = m.transcoder.decode(stored.state)
    assert state.pop("class_version") == 2 and state.pop("cost_id") is None
    state["class_version"] = 1  # as version 1 was written: no cost_id
    old = dataclasses.replace(stored, state=m.transcoder.encode(state))
    event = m.to_domain_event(old)
    assert (event.cost_id, event.amount) == (None, Decimal("40.00"))
