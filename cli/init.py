"""`isf-ledger init`: create or upgrade the ledger's tables."""

from __future__ import annotations

import click

from cli.options import db_option
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import settings_from_env


@click.command()
@db_option
def init(db_url: str | None) -> None:
    """Create or upgrade the event store and read models (safe to run again)."""
    url = db_url or (click.get_current_context().find_root().obj or {}).get("db_url")
    ledger = init_ledger(settings_from_env(url))
    ledger.recover()
    click.echo(f"ledger ready: {ledger.db.describe()}")
    ledger.close()


COMMANDS = [init]
