"""The record that a command was accepted, keyed by the caller's command_id.

Saving it in the same transaction as the command's events makes a
`command_id` usable once only, even between processes racing each other: the
second attempt collides in the event store and nothing of it is written. Its
digest tells a harmless repeat (same content) from a conflict.
"""

from __future__ import annotations

from eventsourcing.domain import event

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
