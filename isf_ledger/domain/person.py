"""A supported person, known to the ledger by a pseudonymous reference.

The name is personal data: it arrives here already sealed with the person's
own key (see `adapters/personal_data.py`), so no event holds it in clear.
"""

from __future__ import annotations

from eventsourcing.domain import event

from isf_ledger.domain.base import LedgerAggregate


class Person(LedgerAggregate):
    KIND = "person"

    @staticmethod
    def create_id(person_id: str, **_: object) -> object:  # type: ignore[override]
        return Person.id_for(person_id)

    @event("Registered")
    def __init__(
        self,
        person_id: str,
        authority: str,
        sealed_name: str | None,
        command_id: str,
        effective: None = None,
    ) -> None:
        self.ref = person_id
        self.authority = authority
        self.sealed_name = sealed_name
        self.forgotten = False

    def forget(self, command_id: str) -> None:
        """Record that the person's key was destroyed: their name is gone for good."""
        if self.forgotten:
            return
        self._forgotten(command_id=command_id)

    @event("Forgotten")
    def _forgotten(self, command_id: str, effective: None = None) -> None:
        self.sealed_name = None
        self.forgotten = True
