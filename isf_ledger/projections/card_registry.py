"""Every card the ledger has issued: whose it is, for which budget, its last four digits.

Card imports resolve each row's card column through this table: a ledger card
id, or the last four digits when the export shows only a masked number.
Built from the first event of each Card aggregate (KIND "card").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.utils import resolve_topic
from sqlalchemy import Column, Connection, Date, String, Table, insert

from isf_ledger.adapters.schema import metadata
from isf_ledger.projections.runner import Recorded

card_registry = Table(
    "card_registry",
    metadata,
    Column("card_id", String(64), primary_key=True),
    Column("person_id", String(64), nullable=False),
    Column("budget_id", String(64), nullable=False),
    Column("last4", String(4), nullable=False, index=True),
    Column("issued_on", Date),
    Column("recorded_at", String(32), nullable=False),
)


def _kind(event: Any) -> str | None:
    try:
        return getattr(resolve_topic(event.originator_topic), "KIND", None)
    except Exception:  # a topic this code no longer has: not a card
        return None


@dataclass
class CardRegistry:
    name: str = "card_registry"
    tables: tuple[Table, ...] = (card_registry,)
    reads: tuple[Table, ...] = ()

    def project(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        rows = []
        for rec in batch:
            event = rec.event
            if event.originator_version != 1 or _kind(event) != "card":
                continue
            rows.append(
                {
                    "card_id": event.card_id,
                    "person_id": event.person_id,
                    "budget_id": event.budget_id,
                    "last4": event.last4,
                    "issued_on": getattr(event, "effective", None),
                    "recorded_at": rec.recorded_at,
                }
            )
        if rows:
            conn.execute(insert(card_registry), rows)
