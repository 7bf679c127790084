"""What the card tests share: a ledger with two cards, and the command run in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import select

from cli.__main__ import main
from isf_ledger.adapters.card_store.tables import card_transactions as t
from isf_ledger.bootstrap import init_ledger, open_ledger
from isf_ledger.settings import Settings

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cards"
FORMATS = ("generic", "council-portal", "processor-semicolon")

# Two people, each with a budget and a card; the fixtures' cards end 4821 and 7730.
TWO_CARDS: list[dict[str, Any]] = [
    {"command_id": "p1", "type": "RegisterPerson", "person_id": "P1", "authority": "CITY"},
    {"command_id": "p2", "type": "RegisterPerson", "person_id": "P2", "authority": "CITY"},
    {"command_id": "b1", "type": "ProposeBudget", "budget_id": "B1", "person_id": "P1",
     "start": "2026-01-06", "amount": "12000.00", "method": "RAS"},
    {"command_id": "b2", "type": "ProposeBudget", "budget_id": "B2", "person_id": "P2",
     "start": "2026-01-06", "amount": "24000.00", "method": "RAS"},
    {"command_id": "a1", "type": "AgreeBudget", "budget_id": "B1", "agreed_on": "2026-01-05"},
    {"command_id": "a2", "type": "AgreeBudget", "budget_id": "B2", "agreed_on": "2026-01-05"},
    {"command_id": "c1", "type": "IssueCard", "card_id": "CARD-A", "person_id": "P1",
     "budget_id": "B1", "last4": "4821"},
    {"command_id": "c2", "type": "IssueCard", "card_id": "CARD-B", "person_id": "P2",
     "budget_id": "B2", "last4": "7730"},
]  # fmt: skip


def fixture(name: str) -> Path:
    return FIXTURES / f"march-2026-{name}.csv"


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def apply(db_url: str, tmp_path: Path, commands: list[dict[str, Any]], name: str = "c") -> None:
    """Apply `commands` to the ledger at `db_url`, made first if there is none yet."""
    init_ledger(Settings(db_url=db_url)).close()
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in commands))
    result = cli("apply", str(path), "--db", db_url)
    assert result.exit_code == 0, result.output


def import_json(db_url: str, *files: str | Path, profile: str, extra: tuple[str, ...] = ()):
    result = cli(
        "cards", "import", *map(str, files), "--profile", profile, "--db", db_url,
        "--format", "json", *extra,
    )  # fmt: skip
    return result.exit_code, json.loads(result.stdout)


def stored(db_url: str) -> list[tuple]:
    """Every stored transaction's content, in a stable order."""
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            query = select(
                t.c.card_id, t.c.posted_on, t.c.type, t.c.pence, t.c.balance_pence, t.c.merchant
            ).order_by(t.c.card_id, t.c.posted_on, t.c.balance_pence.desc())
            return [tuple(row) for row in conn.execute(query)]
    finally:
        ledger.close()
