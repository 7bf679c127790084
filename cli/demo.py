"""`isf-ledger demo`: a small council's year, in a fresh embedded ledger."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.adapters.render import exceptions as exceptions_render
from isf_ledger.adapters.render import person_statement as person_render
from isf_ledger.adapters.render import provider_statement as provider_render
from isf_ledger.adapters.render import reconciliation as reconciliation_render
from isf_ledger.application.apply import ApplyResult
from isf_ledger.bootstrap import Ledger, init_ledger
from isf_ledger.demo import card_export, demo_commands, resolutions
from isf_ledger.demo_second_year import (
    CARD_OFFSET_ON,
    morag_card_offset,
    morag_late_approval,
    second_year_commands,
)
from isf_ledger.demo_second_year import START as START_2027
from isf_ledger.projections.runner import instant
from isf_ledger.settings import settings_from_env

DEMO_DB = "isf-ledger-demo.db"
CARDS_UNTIL = date(2026, 11, 15)


@click.command()
@click.option("--db", "db_url", default=DEMO_DB, show_default=True, metavar="PATH",
              help="SQLite file to create afresh (removed first if it exists).")  # fmt: skip
def demo(db_url: str) -> None:
    """Build a realistic small council ledger and show what a user sees first:
    a provider's monthly ISF statement, a person's own statement, October's card
    reconciliation and the audit trail. The card provider's export is written
    beside the database and imported like any other."""
    path = Path(db_url)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    ledger = init_ledger(settings_from_env(str(path)))
    try:
        result = _applied(ledger, demo_commands() + second_year_commands())
        # July 2027's statement is issued; then the crisis week is approved late.
        july_issued = instant(datetime.now(UTC))
        late = _applied(ledger, morag_late_approval())
        cards_csv = path.with_name(f"{path.stem}-cards.csv")
        loads = ledger.card_payments(date(2026, 4, 1), CARDS_UNTIL)
        cards_csv.write_text(
            card_export(((p.card_id, p.on, p.pence) for p in loads), CARDS_UNTIL), encoding="utf-8"
        )
        imported = ledger.import_cards([cards_csv], load_profile("generic"))
        # Morag's card in the second year, as its provider exported it the day
        # before its sixth load: the surplus that load's offset keeps back.
        until = CARD_OFFSET_ON - timedelta(days=1)
        cards_2027 = path.with_name(f"{path.stem}-cards-2027.csv")
        loads = ledger.card_payments(START_2027, until)
        cards_2027.write_text(
            card_export(((p.card_id, p.on, p.pence) for p in loads), until, extras=()),
            encoding="utf-8",
        )
        imported_2027 = ledger.import_cards([cards_2027], load_profile("generic"))
        offset = _applied(ledger, morag_card_offset())
        raised: dict[str, str] = {}
        for x in ledger.exceptions().exceptions:  # oldest first: the first of each kind
            raised.setdefault(x.kind, x.exception_id)
        _applied(ledger, resolutions(raised))
        exceptions = ledger.exceptions(status="resolved")
        # The whole year was recorded just now: treat September's statement as
        # issued now too, so nothing shows as a late correction.
        now = instant(datetime.now(UTC))
        provider = ledger.provider_statement("PRV-CARE", "2026-10", previous_as_at=now)
        person = ledger.person_statement("P-0001", budget_id="B-0001")
        october = ledger.reconcile_cards("2026-10")
        changes = ledger.audit_trail(budget="B-0003")
        august = ledger.provider_statement("PRV-CARE", "2027-08", previous_as_at=july_issued)
        hillside = ledger.provider_statement("PRV-HILL", "2027-07", previous_as_at=now)
        morag_2027 = ledger.person_statement("P-0001", budget_id="B-1001", as_at=now)
    finally:
        ledger.close()
    click.echo(
        f"Demo ledger {path}: applied {result.applied + late.applied + offset.applied} "
        f"commands; imported {imported.total('imported')} card transactions from {cards_csv} "
        f"and {imported_2027.total('imported')} from {cards_2027}.\n"
    )
    click.echo(provider_render.render_text(provider))
    click.echo(person_render.render_text(person))
    click.echo(reconciliation_render.render_text(october))
    click.echo(exceptions_render.render_text(exceptions))
    click.echo("Budget B-0003's audit trail, first changes (who made each, and why):")
    for row in changes[:6]:
        why = f" because {row.reason}" if row.reason else ""
        effective = row.effective.isoformat() if row.effective else ""
        click.echo(f"  {effective:10}  {row.type:22} by {row.actor}{why}")
    click.echo("\nThe second year (from April 2027): a contribution, a crisis week approved")
    click.echo("late, a provider change with a final account, and a card surplus offset.\n")
    click.echo(provider_render.render_text(august))
    click.echo(provider_render.render_text(hillside))
    click.echo(person_render.render_text(morag_2027))
    click.echo(
        "\nTry next, from this folder (`uv run` runs the command line in the project's "
        "environment; after `uv tool install .` plain `isf-ledger` works anywhere):"
    )
    for example in (
        "statement person --person P-0001 --format html > morag.html",
        "statement provider --provider PRV-HILL --month 2026-10",
        f"cards import {cards_csv} --profile generic   # again: nothing twice",
        "reconcile cards --month 2026-10 --format json",
        "exceptions --status all --format csv",
        "statement provider --provider PRV-HILL --month 2026-09",
        "audit trail --card C-0001",
        "export hledger",
        "payments due --from 2026-11-16 --to 2026-12-13",
        "payments run --from 2026-11-16 --to 2026-12-13 --paid-on 2026-11-13 --run-id R12 "
        "--card-file cards.csv --dry-run",
    ):
        click.echo(f"  uv run isf-ledger --db {path} {example}")


def _applied(ledger: Ledger, commands: list[dict[str, Any]]) -> ApplyResult:
    """Apply demo commands as one batch; a refusal is a bug in the demo."""
    result = ledger.apply([(n, json.dumps(c)) for n, c in enumerate(commands, start=1)])
    if result.errors:
        for error in result.errors:
            click.echo(f"demo line {error.line}: {error.error}", err=True)
        raise SystemExit(1)
    return result


COMMANDS = [demo]
