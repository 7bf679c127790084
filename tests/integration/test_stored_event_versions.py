"""An event stored in an earlier shape is read back in today's, from a real database.

`Schedule.PaymentMade` gained `offset` in version 2. A payment stored before
then has no `offset` and no `class_version` in its stored state (version 1
is never written). Here one is written as raw stored data, as that code
stored it, into the event store of each database; the schedule, the reports
and `audit verify` then read it as a payment with no offset.
"""

from __future__ import annotations

import json
from decimal import Decimal

from eventsourcing.persistence import StoredEvent

from isf_ledger.bootstrap import Ledger
from isf_ledger.domain.schedule import Schedule
from tests.integration.in_process import applied
from tests.integration.test_money_rules import SETUP, now, schedule

D = Decimal


def money(text: str) -> dict[str, str]:
    return {"_type_": "decimal_str", "_data_": text}


def version_1_payment(version: int) -> StoredEvent:
    """Period 1 of S1 (£12,000 a year, monthly: 30 days of 365) paid on its first day."""
    state = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2026-04-06T09:00:00+00:00"},
        "command_id": "paid-by-the-old-code",
        "effective": {"_type_": "date_iso", "_data_": "2026-04-06"},
        "period": 1,
        "amount": money("986.30"),
        "legs": {"council:FIFE": money("-986.30"), "isf:A1": money("986.30")},
    }
    return StoredEvent(
        originator_id=Schedule.id_for("S1"),
        originator_version=version,
        topic="isf_ledger.domain.schedule:Schedule.PaymentMade",
        state=json.dumps(state, separators=(",", ":")).encode(),
    )


def test_a_payment_stored_before_offsets_reads_back_with_no_offset(ledger: Ledger) -> None:
    applied(ledger, [*SETUP, schedule("12000.00")], "s")
    made = ledger.app.repository.get(Schedule.id_for("S1"))
    ledger.app.recorder.insert_events([version_1_payment(made.version + 1)])
    ledger.catch_up()

    (stored,) = [
        e
        for e in ledger.app.events.get(Schedule.id_for("S1"))
        if isinstance(e, Schedule.PaymentMade)
    ]
    assert (stored.period, stored.amount, stored.offset) == (1, D("986.30"), D("0.00"))
    paid = ledger.app.repository.get(Schedule.id_for("S1"))
    assert paid.moved == {1: D("986.30")} and paid.offsets == 0
    (isf,) = ledger.provider_statement("PR1", "2026-04").agreements
    assert isf.payments_in == D("986.30")
    assert ledger.person_statement("P1", as_at=now()).recovered_to_date == 0
    assert ledger.verify().problems == []
    # The schedule goes on from it: period 1 is paid, period 2 can be.
    applied(ledger, [{"type": "RecordPayment", "schedule_id": "S1", "period": 2,
                      "paid_on": "2026-05-06"}], "p")  # fmt: skip
