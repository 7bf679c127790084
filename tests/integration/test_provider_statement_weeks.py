"""A provider statement's hours and flex flags, read from the weeks read model.

The statement reads only the weeks of its month and of the reviews that can
end in it, plus each agreement's first week: review blocks are counted from
that week, however long ago it was.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from alembic import command
from eventsourcing.utils import resolve_topic
from sqlalchemy import delete

from isf_ledger.adapters.schema import projection_positions
from isf_ledger.bootstrap import Ledger, NotInitialised, alembic_config, init_ledger, open_ledger
from isf_ledger.projections.agreement_weeks import HOURS_RECORDED, HOURS_RECORDED_TOPIC
from isf_ledger.projections.runner import instant
from isf_ledger.reports.provider_statement import provider_statement
from isf_ledger.reports.records import json_of
from tests.integration.in_process import applied
from tests.integration.test_agreement_commands import SETUP

HOURS = [
    # The first week anchors the review blocks: 13 April, then every 4 weeks.
    {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-13",
     "delivered_hours": "10"},
    *[{"type": "RecordHours", "agreement_id": "A1", "week_start": week, "delivered_hours": "12"}
      for week in ("2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22")],
]  # fmt: skip

LAST_WEEK = [
    {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-06-29",
     "delivered_hours": "12"},
]  # fmt: skip


def june(ledger: Ledger, as_at: str | None = None) -> dict:
    with ledger.engine.connect() as conn:
        statement = provider_statement(
            conn, ledger.app, ledger.settings, "PR1", "2026-06", as_at=as_at
        )
    [line] = statement.agreements
    return json_of(line)


def test_a_sustained_variance_is_flagged_in_review_blocks_counted_from_the_first_week(ledger):
    applied(ledger, SETUP + HOURS, "s")
    time.sleep(0.01)
    before_last_week = instant(datetime.now(UTC))
    time.sleep(0.01)
    applied(ledger, LAST_WEEK, "l")

    line = june(ledger)
    assert line["hours_planned"] == "50.00"
    assert line["hours_delivered"] == "60.00"
    assert line["charges_hours"] == "1290.00"  # 60 hours at £21.50
    weekly = [f"week of 2026-06-{day}: 12 hours against 10 planned, above plan within flex cap"
              for day in ("01", "08", "15", "22", "29")]  # fmt: skip
    # 1 June closes the block from 11 May, which has only that week recorded:
    # no review. The block from 8 June is whole and 20% above plan every week.
    assert line["flex_flags"] == [
        *weekly,
        "delivered 20.0% above plan for 4 weeks (weeks from 2026-06-08)",
    ]

    # As issued before the last week was recorded: its week and the review are not there.
    earlier = june(ledger, as_at=before_last_week)
    assert earlier["hours_delivered"] == "48.00"
    assert earlier["flex_flags"] == weekly[:4]


def test_the_statement_leaves_out_the_events_the_weeks_read_model_holds():
    assert resolve_topic(HOURS_RECORDED_TOPIC).__qualname__ == HOURS_RECORDED


def test_init_fills_the_weeks_of_a_ledger_made_before_they_were_kept(ledger):
    applied(ledger, SETUP + HOURS + LAST_WEEK, "s")
    issued = june(ledger)
    # Back to how a ledger stood before migration 0007: no weeks, no position for them.
    with ledger.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0006")
        conn.execute(
            delete(projection_positions).where(projection_positions.c.name == "agreement_weeks")
        )
    ledger.close()
    with pytest.raises(NotInitialised, match="run `isf-ledger init` to upgrade"):
        open_ledger(ledger.settings)

    upgraded = init_ledger(ledger.settings)
    try:
        assert june(upgraded) == issued
    finally:
        upgraded.close()
