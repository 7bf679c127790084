"""A cost named by its caller (`RecordCost ... cost_id`), so it can be found again.

`ReverseCost` names only the cost; this small aggregate says which agreement
charged it. The money and the rules (a cost is reversed once, effective on its
own date) stay with the agreement (`Agreement.reverse_cost`).
"""

from __future__ import annotations

from datetime import date

from eventsourcing.domain import event

from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.base import LedgerAggregate


class Cost(LedgerAggregate):
    KIND = "cost"

    @staticmethod
    def create_id(cost_id: str, **_: object) -> object:  # type: ignore[override]
        return Cost.id_for(cost_id)

    @classmethod
    def name(cls, cost_id: str, agreement: Agreement, on: date, command_id: str) -> Cost:
        return cls(
            cost_id=cost_id,
            agreement_id=agreement.ref,
            person_id=agreement.person_id,
            budget_id=agreement.budget_id,
            effective=on,
            command_id=command_id,
        )

    @event("Named")
    def __init__(
        self,
        cost_id: str,
        agreement_id: str,
        person_id: str,
        budget_id: str,
        effective: date,
        command_id: str,
    ) -> None:
        self.ref = cost_id
        self.agreement_id = agreement_id
        self.person_id = person_id
        self.budget_id = budget_id
