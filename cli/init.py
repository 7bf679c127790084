"""`isf-ledger init`: create or upgrade the ledger's tables."""

from __future__ import annotations

import click

from cli.options import db_option, format_option, print_json
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import settings_from_env


@click.command()
@db_option
@format_option("text", "json")
def init(db_url: str | None, fmt: str) -> None:
    """Create or upgrade the event store and read models (safe to run again)."""
    url = db_url or (click.get_current_context().find_root().obj or {}).get("db_url")
    ledger = init_ledger(settings_from_env(url))
    ledger.recover()
    ledger.close()
    if fmt == "json":
        print_json({"ready": True, "database": ledger.db.describe()})
    else:
        click.echo(f"ledger ready: {ledger.db.describe()}")


COMMANDS = [init]
