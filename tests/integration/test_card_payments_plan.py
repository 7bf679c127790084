"""On SQLite the payments to cards are read from the legs' index, not every leg.

SQLite's LIKE ignores case, so no index serves `account LIKE 'card:%'`: each
month of the exceptions refresh passed over every leg. The same prefix as a
range lets it read the card accounts' part of the index alone.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import create_engine, event

from isf_ledger.adapters.schema import metadata
from isf_ledger.domain.flows import PAYMENT_MADE
from isf_ledger.projections.ledger_legs import ledger_legs
from isf_ledger.reports.card_loads import card_payments

LEG = {"effective": date(2022, 5, 3), "recorded_at": "2022-05-03T00:00:00Z",
       "type": PAYMENT_MADE}  # fmt: skip


def test_payments_to_cards_are_read_from_the_index_and_are_the_same(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'legs.db'}")
    metadata.create_all(engine, tables=[ledger_legs])
    run: list[tuple[str, Any]] = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cur, sql, params, *_: run.append((sql, params)))  # fmt: skip
    with engine.begin() as conn:
        conn.execute(
            ledger_legs.insert(),
            [
                {**LEG, "position": 1, "leg": 0, "account": "council:CITY", "pence": -300,
                 "command_id": "c1"},
                {**LEG, "position": 1, "leg": 1, "account": "card:C1", "pence": 300,
                 "command_id": "c1"},
                {**LEG, "position": 2, "leg": 0, "account": "cardx:C2", "pence": 500,
                 "command_id": "c2"},
            ],
        )  # fmt: skip
        run.clear()
        found = card_payments(conn, date(2022, 5, 1), date(2022, 6, 1))
        assert [(p.card_id, p.pence) for p in found] == [("C1", 300)]
        ((sql, params),) = run
        plan = " ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "USING INDEX ix_ledger_legs_account_effective" in plan, plan
