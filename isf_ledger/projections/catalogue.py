"""Every projection the ledger keeps, in the order they are fed."""

from __future__ import annotations

from isf_ledger.projections.agreement_weeks import AgreementWeeks
from isf_ledger.projections.audit_trail import AuditTrail
from isf_ledger.projections.card_registry import CardRegistry
from isf_ledger.projections.ledger_legs import LedgerLegs
from isf_ledger.projections.runner import Projection
from isf_ledger.projections.schedule_periods import SchedulePeriods


def all_projections() -> tuple[Projection, ...]:
    return (AuditTrail(), LedgerLegs(), CardRegistry(), AgreementWeeks(), SchedulePeriods())
