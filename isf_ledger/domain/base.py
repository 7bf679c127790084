"""What every aggregate in the ledger shares.

Each aggregate is known to callers by an id they chose (`budget_id`,
`agreement_id`, ...). Its eventsourcing id is derived from that with uuid5, so
the same caller id always names the same aggregate and creating it twice
collides in the event store instead of silently forking.

Every event carries the business date it takes effect (`effective`, None
for facts with no business date, like registering a person) and the
`command_id` that caused it; the recording time is eventsourcing's `timestamp`.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from hashlib import sha1
from typing import ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

NAMESPACE = UUID("6f1c2d0e-4c1b-4d53-9a57-2b8a3b1e5f10")


_NAMESPACE_BYTES = NAMESPACE.bytes
# uuid5's version (5) and variant (RFC 4122) bits: cleared, then set.
_UUID5_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID5_SET = (5 << 76) | (0x8000 << 48)


@lru_cache(maxsize=65536)
def aggregate_id(kind: str, ref: str) -> UUID:
    """The stable event-store id of the aggregate a caller calls `ref`:
    `uuid5(NAMESPACE, f"{kind}:{ref}")`, made here with half its Python steps (every
    command's own record is a new id, tens of thousands a batch)."""
    digest = sha1(_NAMESPACE_BYTES + f"{kind}:{ref}".encode()).digest()
    return UUID(int=int.from_bytes(digest[:16]) & _UUID5_CLEAR | _UUID5_SET)


class LedgerAggregate(Aggregate):
    """Base of every ledger aggregate: a kind, a caller's id (`self.ref`), dated events."""

    KIND: ClassVar[str] = ""

    class Event(Aggregate.Event):
        command_id: str
        effective: date | None

    @classmethod
    def id_for(cls, ref: str) -> UUID:
        return aggregate_id(cls.KIND, ref)
