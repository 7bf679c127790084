"""`isf-ledger projections rebuild`: every read model again, from the events."""

from __future__ import annotations

import sys

import click
from rich.progress import Progress

from cli.options import db_option, format_option, ledger_for, print_json


@click.group()
def projections() -> None:
    """The read models behind every report."""


@projections.command("rebuild")
@db_option
@format_option("text", "json")
def rebuild(db_url: str | None, fmt: str) -> None:
    """Drop every read model's rows and rebuild them from the events.

    Reports afterwards are identical to before. It is one transaction:
    stopped part-way, it leaves the read models as they were. Other commands
    wait for it (on SQLite for up to 30 seconds, then they stop and change
    nothing). Personal-data keys and the tamper-evidence seals are not read
    models and are never touched."""
    ledger = ledger_for(db_url)
    try:
        with Progress(disable=not sys.stderr.isatty(), transient=True) as progress:
            task = progress.add_task("rebuilding", total=None)
            read = ledger.rebuild(
                progress=lambda done, total: progress.update(task, completed=done, total=total)
            )
    finally:
        ledger.close()
    if fmt == "json":
        print_json({"read_models": len(ledger.projections), "events": read})
    else:
        click.echo(f"rebuilt {len(ledger.projections)} read models from {read} events")


COMMANDS = [projections]
