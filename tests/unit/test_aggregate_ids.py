"""Aggregate ids are uuid5 of the caller's id, made without `uuid5`: stored events
are keyed by them, so they must never change."""

from uuid import UUID, uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isf_ledger.domain.base import NAMESPACE, aggregate_id


def test_an_id_stored_before_is_made_the_same() -> None:
    assert aggregate_id("agreement", "A1-0") == UUID("3f1d3405-0180-5aca-b8ec-6bdf03e53cd0")


@given(st.sampled_from(["command", "budget", "card", "person"]), st.text(min_size=1))
def test_every_id_is_uuid5_of_kind_and_ref(kind: str, ref: str) -> None:
    try:
        expected = uuid5(NAMESPACE, f"{kind}:{ref}")
    except UnicodeEncodeError:  # a lone surrogate: refused alike
        with pytest.raises(UnicodeEncodeError):
            aggregate_id(kind, ref)
        return
    made = aggregate_id(kind, ref)
    assert made == expected
    assert (made.version, made.variant) == (5, expected.variant)
