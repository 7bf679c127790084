"""What every bad-input test checks: a plain message, exit 1 or 2, and the ledger untouched.

`snapshot` is the whole database as it stands: a SQLite file's bytes, or on
PostgreSQL every row of every table in the ledger's schema. `plain_refusal`
runs the command line in this process (click's runner, so a traceback shows
as an exception the runner caught) and checks the answer is a plain one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from click.testing import CliRunner, Result
from psycopg import sql

from cli.__main__ import main
from isf_ledger.adapters.database import parse_url
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings
from tests.conftest import PG_ROOT

# A ledger with two people, a provider and an agreement, two cards, and the
# first payments: enough for every command and report to have something to
# find. The fixtures' card numbers end 4821 and 7730.
BASE: list[dict[str, Any]] = [
    {"type": "RegisterPerson", "person_id": "P1", "authority": "CITY", "name": "Morag"},
    {"type": "RegisterPerson", "person_id": "P2", "authority": "CITY"},
    {"type": "RegisterProvider", "provider_id": "PR1", "name": "Kingdom Care", "framework": "on"},
    {"type": "ProposeBudget", "budget_id": "B1", "person_id": "P1", "start": "2026-01-06",
     "amount": "13000.00", "method": "RAS"},
    {"type": "ProposeBudget", "budget_id": "B2", "person_id": "P2", "start": "2026-01-06",
     "amount": "24000.00", "method": "RAS"},
    {"type": "AgreeBudget", "budget_id": "B1", "agreed_on": "2026-01-05"},
    {"type": "AgreeBudget", "budget_id": "B2", "agreed_on": "2026-01-05"},
    {"type": "DraftAgreement", "agreement_id": "A1", "budget_id": "B1", "provider_id": "PR1",
     "start": "2026-01-06", "hourly_rate": "21.50", "planned_weekly_hours": "10",
     "payment_frequency": "monthly"},
    *[{"type": "SignAgreement", "agreement_id": "A1", "party": party, "signed_on": "2026-01-05"}
      for party in ("authority", "person", "provider")],
    {"type": "IssueCard", "card_id": "CARD-A", "person_id": "P1", "budget_id": "B1",
     "last4": "4821"},
    {"type": "IssueCard", "card_id": "CARD-B", "person_id": "P2", "budget_id": "B2",
     "last4": "7730"},
    {"type": "SchedulePayments", "schedule_id": "S1", "budget_id": "B1", "option": 2,
     "payee": "A1", "frequency": "monthly", "first_due": "2026-01-06", "amount": "3000.00"},
    {"type": "RecordPayment", "schedule_id": "S1", "period": 1, "paid_on": "2026-01-06"},
    {"type": "RecordHours", "agreement_id": "A1", "week_start": "2026-01-12",
     "delivered_hours": "10"},
]  # fmt: skip


def base_lines() -> list[str]:
    return [json.dumps({"command_id": f"base-{n}", **c}) for n, c in enumerate(BASE, 1)]


def set_up(url: str, folder: Path) -> None:
    """A new ledger at `url` holding BASE."""
    init_ledger(Settings(db_url=url)).close()
    path = folder / "base.jsonl"
    path.write_text("\n".join(base_lines()) + "\n", encoding="utf-8")
    result = invoke("apply", str(path), "--db", url)
    assert result.exit_code == 0, result.output


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=True)


def snapshot(url: str) -> Any:
    """The whole database: SQLite file bytes, or every PostgreSQL table's rows."""
    db = parse_url(url)
    if not db.is_postgres:
        return Path(db.path).read_bytes()
    rows: dict[str, list[str]] = {}
    with psycopg.connect(PG_ROOT) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (db.schema,),
        ).fetchall()
        for (table,) in tables:
            query = sql.SQL("SELECT * FROM {}.{}").format(
                sql.Identifier(db.schema), sql.Identifier(table)
            )
            rows[table] = sorted(repr(row) for row in conn.execute(query))
    return rows


def plain_refusal(result: Result, codes: Sequence[int] = (1, 2)) -> str:
    """The refusal's message, after checking it is plain: no traceback, exit 1 or 2."""
    output = result.output  # click's runner gives stdout and stderr together here
    assert not (result.exception and not isinstance(result.exception, SystemExit)), (
        f"unexpected {type(result.exception).__name__}: {result.exception}\n{output}"
    )
    assert result.exit_code in codes, (result.exit_code, output)
    assert "Traceback" not in output, output
    assert output.strip(), "refused without saying why"
    return output


def refused_unchanged(url: str, *args: str, stdin: bytes | None = None) -> str:
    """Run a command that must be refused; check it is refused plainly and changes nothing."""
    before = snapshot(url)
    message = plain_refusal(invoke(*args, "--db", url, stdin=stdin))
    assert snapshot(url) == before, f"the database changed: {args}"
    return message
