"""The ledger's transcoder decodes exactly what eventsourcing's own decodes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)

from isf_ledger.adapters.event_store import DateAsISO, LedgerTranscoder

STATE = {
    "timestamp": datetime(2026, 12, 1, 4, 27, 34, 402504, tzinfo=UTC),
    "effective": date(2026, 4, 6),
    "amount": Decimal("-215.00"),
    "tiny": Decimal("1E-7"),
    "legs": {"isf:A1": Decimal("-215.00"), "support:PRV0": Decimal("215.00")},
    "ids": [UUID("6f1c1a8e-2f3b-4c5d-9e8f-0a1b2c3d4e5f")],
    "flags": [],
    "note": {"_type_": "only one key"},
    "actor": None,
}


def transcoders() -> tuple[JSONTranscoder, LedgerTranscoder]:
    ours, theirs = LedgerTranscoder(), JSONTranscoder()
    for transcoder in (ours, theirs):
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
            transcoder.register(transcoding)
    return theirs, ours


def test_every_value_decodes_to_the_same_type_and_value_as_eventsourcings_own():
    theirs, ours = transcoders()
    encoded = theirs.encode(STATE)
    decoded = ours.decode(encoded)
    assert decoded == theirs.decode(encoded) == STATE
    assert {k: type(v) for k, v in decoded.items()} == {k: type(v) for k, v in STATE.items()}
    assert str(decoded["tiny"]) == "1E-7" and decoded["timestamp"].tzinfo is not None


def test_a_value_of_an_unregistered_type_is_refused_with_its_name():
    _, ours = transcoders()
    with pytest.raises(TranscodingNotRegisteredError, match="'money_pence'"):
        ours.decode(b'{"amount": {"_type_": "money_pence", "_data_": 100}}')


def test_state_that_is_not_one_json_object_gets_the_json_decoders_own_answer():
    theirs, ours = transcoders()
    assert ours.decode(b' {"a": 1}\n') == theirs.decode(b' {"a": 1}\n') == {"a": 1}
    not_one_object = {
        b'{"a": 1} x': "Extra data",
        b"": "Expecting value",
        b'{"a"': "Expecting ':' delimiter",
    }
    for bad, why in not_one_object.items():
        with pytest.raises(json.JSONDecodeError, match=why):
            ours.decode(bad)
