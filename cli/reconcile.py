"""`isf-ledger reconcile cards`: loads against payments, balances against transactions."""

from __future__ import annotations

import click

from cli.options import as_at_option, db_option, emit, format_option, month_option, on_ledger
from isf_ledger.adapters.render.reconciliation import render_csv, render_text


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
    data = on_ledger(
        db_url, lambda ledger: ledger.reconcile_cards(month, card=card_id, as_at=as_at)
    )
    emit(fmt, data, text=render_text, csv=render_csv)


COMMANDS = [reconcile]
