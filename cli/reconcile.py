"""`isf-ledger reconcile cards`: loads against payments, balances against transactions."""

from __future__ import annotations

import sys

import click

from cli.options import as_at_option, db_option, format_option, ledger_for, month_option, print_json
from isf_ledger.adapters.render.reconciliation import render_csv, render_text
from isf_ledger.domain.errors import LedgerError


@click.group()
def reconcile() -> None:
    """Monthly reconciliations."""


@reconcile.command("cards")
@month_option
@click.option("--card", "card_id", metavar="ID", help="Only this card.")
@db_option
@as_at_option
@format_option("text", "json", "csv")
def cards_command(
    month: str, card_id: str | None, db_url: str | None, as_at: str | None, fmt: str
) -> None:
    """Every card's month: opening and closing balances, loads against the payments
    made, the provider's running balance against the transactions, and spending
    that needs a look (blocked merchants, cash over the limit, possible duplicates)."""
    ledger = ledger_for(db_url)
    try:
        data = ledger.reconcile_cards(month, card=card_id, as_at=as_at)
    except LedgerError as e:
        click.echo(f"isf-ledger: {e}", err=True)
        sys.exit(1)
    finally:
        ledger.close()
    if fmt == "json":
        print_json(data.as_json())
    elif fmt == "csv":
        render_csv(data, sys.stdout)
    else:
        click.echo(render_text(data), nl=False)


COMMANDS = [reconcile]
