"""The record that a command was accepted, keyed by the caller's command_id.

Saving it in the same transaction as the command's events makes a
`command_id` usable once only, even between processes racing each other: the
second attempt collides in the event store and nothing of it is written. Its
digest tells a harmless repeat (same content) from a conflict.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event
from eventsourcing.utils import get_topic

from isf_ledger.domain.base import LedgerAggregate


class CommandRecord(LedgerAggregate):
    KIND = "command"

    @staticmethod
    def create_id(command_id: str, **_: object) -> object:  # type: ignore[override]
        return CommandRecord.id_for(command_id)

    @event("Accepted")
    def __init__(
        self,
        command_type: str,
        digest: str,
        actor: str | None,
        reason: str | None,
        command_id: str,
        effective: None = None,
    ) -> None:
        self.ref = command_id
        self.command_type = command_type
        self.digest = digest
        self.actor = actor  # who sent it: a repeat by someone else is still a repeat


def accepted(
    command_type: str, digest: str, actor: str | None, reason: str | None, command_id: str
) -> Any:
    """The event `CommandRecord(...)` records, made without building the aggregate.

    A batch makes one record a command and only stores it: the aggregate
    machinery around each (its arguments matched, the aggregate built from the
    event) was two thirds of the cost of tens of thousands of records.
    """
    accepted_event: Any = CommandRecord.Accepted  # type: ignore[attr-defined]
    return accepted_event(
        originator_topic=TOPIC,
        originator_id=CommandRecord.id_for(command_id),
        originator_version=CommandRecord.INITIAL_VERSION,
        timestamp=accepted_event.create_timestamp(),
        command_id=command_id,
        effective=None,
        command_type=command_type,
        digest=digest,
        actor=actor,
        reason=reason,
    )


TOPIC = get_topic(CommandRecord)
