"""`isf-ledger demo`: a small council's year, in a fresh embedded ledger."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import click

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.adapters.render import exceptions as exceptions_render
from isf_ledger.adapters.render import person_statement as person_render
from isf_ledger.adapters.render import provider_statement as provider_render
from isf_ledger.adapters.render import reconciliation as reconciliation_render
from isf_ledger.bootstrap import init_ledger
from isf_ledger.demo import card_export, demo_commands, resolutions
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
        lines = [(n, json.dumps(c)) for n, c in enumerate(demo_commands(), start=1)]
        result = ledger.apply(lines)
        if result.errors:
            for error in result.errors:
                click.echo(f"demo line {error.line}: {error.error}", err=True)
            raise SystemExit(1)
        cards_csv = path.with_name(f"{path.stem}-cards.csv")
        loads = ledger.card_payments(date(2026, 4, 1), CARDS_UNTIL)
        cards_csv.write_text(
            card_export(((p.card_id, p.on, p.pence) for p in loads), CARDS_UNTIL), encoding="utf-8"
        )
        imported = ledger.import_cards([cards_csv], load_profile("generic"))
        raised = {x.kind: x.exception_id for x in ledger.exceptions().exceptions}
        decided = ledger.apply(
            [(n, json.dumps(c)) for n, c in enumerate(resolutions(raised), start=1)]
        )
        for error in decided.errors:
            click.echo(f"demo resolution {error.line}: {error.error}", err=True)
        exceptions = ledger.exceptions(status="all")
        # The whole year was recorded just now: treat September's statement as
        # issued now too, so nothing shows as a late correction.
        now = instant(datetime.now(UTC))
        provider = ledger.provider_statement("PRV-CARE", "2026-10", previous_as_at=now)
        person = ledger.person_statement("P-0001")
        october = ledger.reconcile_cards("2026-10")
        changes = ledger.audit_trail(budget="B-0003")
    finally:
        ledger.close()
    click.echo(
        f"Demo ledger {path}: applied {result.applied} commands; imported "
        f"{imported.total('imported')} card transactions from {cards_csv}.\n"
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
    click.echo("\nTry next:")
    for example in (
        "statement person --person P-0001 --format html > morag.html",
        "statement provider --provider PRV-HILL --month 2026-10",
        f"cards import {cards_csv} --profile generic   # again: nothing twice",
        "reconcile cards --month 2026-10 --format json",
        "exceptions --status all --format csv",
        "statement provider --provider PRV-HILL --month 2026-09",
        "audit trail --card C-0001",
        "export hledger",
    ):
        click.echo(f"  isf-ledger --db {path} {example}")


COMMANDS = [demo]
