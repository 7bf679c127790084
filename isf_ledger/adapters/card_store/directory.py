"""Which ledger card an export's card column names.

A row names its card by the ledger's card id (the `generic` format) or, when
the export shows only a masked number, by its last four digits. An id is
looked up first; four digits that are no card's id are then matched against
the cards' last four digits. Four digits shared by several cards, or naming
no card, are a reason to reject the row, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from isf_ledger.projections.card_registry import card_registry


@dataclass
class CardDirectory:
    """The issued cards, by id and by last four digits, with answers cached by key."""

    ids: set[str] = field(default_factory=set)
    by_last4: dict[str, list[str]] = field(default_factory=dict)
    _answers: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection) -> CardDirectory:
        directory = cls()
        for card_id, last4 in conn.execute(select(card_registry.c.card_id, card_registry.c.last4)):
            directory.add(card_id, last4)
        return directory

    def add(self, card_id: str, last4: str) -> None:
        self.ids.add(card_id)
        self.by_last4.setdefault(last4, []).append(card_id)
        self._answers.clear()

    def resolve(self, key: str) -> tuple[str | None, str | None]:
        """(the card id, None), or (None, why the row cannot be given a card)."""
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._resolve(key)
        return answer

    def _resolve(self, key: str) -> tuple[str | None, str | None]:
        if key in self.ids:
            return key, None
        if len(key) == 4 and key.isascii() and key.isdigit():
            found = sorted(self.by_last4.get(key, ()))
            if len(found) == 1:
                return found[0], None
            if found:
                return None, (
                    f"the card ending {key} is ambiguous: cards {', '.join(found)} all end "
                    f"{key}; export the card id instead"
                )
            return None, f"no card ending {key} has been issued in the ledger"
        return None, f"card {key} has not been issued in the ledger"
