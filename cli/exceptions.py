"""`isf-ledger exceptions`: everything that needs a person to look, oldest first."""

from __future__ import annotations

from typing import Any

import click

from cli.options import as_at_option, db_option, emit, format_option, ledger_for
from isf_ledger.adapters.render.exceptions import render_csv, render_text
from isf_ledger.application.inputs import MONTH


def _month(_ctx: Any, _param: Any, value: str | None) -> str | None:
    if value is not None and not MONTH.match(value):
        raise click.BadParameter(f"{value!r} is not a month written YYYY-MM")
    return value


@click.command("exceptions")
@click.option("--month", metavar="YYYY-MM", callback=_month, help="Only those of this month.")
@click.option(
    "--status",
    type=click.Choice(("open", "resolved", "all")),
    default="open",
    show_default=True,
    help="Which to list.",
)
@db_option
@as_at_option
@format_option("text", "json", "csv")
def exceptions_command(
    month: str | None, status: str, db_url: str | None, as_at: str | None, fmt: str
) -> None:
    """Blocked merchants, cash over the limit, possible duplicates, missing and unexpected
    loads, balance differences, flex awaiting approval or varying, negative balances,
    surpluses, contribution arrears and final balances due back: each with a stable
    id to resolve it by (`ResolveException`), its age and its status."""
    ledger = ledger_for(db_url)
    try:
        data = ledger.exceptions(month=month, status=status, as_at=as_at)
    finally:
        ledger.close()
    emit(fmt, data, text=render_text, csv=render_csv)


COMMANDS = [exceptions_command]
