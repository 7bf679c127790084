"""`isf-ledger returns import`: a provider's weekly hours and costs, from its CSV return."""

from __future__ import annotations

import click

from cli.options import db_option, format_option, on_ledger, print_batch
from isf_ledger.adapters.returns_file import ENCODINGS


@click.group()
def returns() -> None:
    """Providers' returns: the hours they delivered and the costs they met."""


@returns.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--provider", "provider_id", required=True, metavar="ID", help="Whose return.")
@click.option(
    "--actor",
    metavar="NAME",
    help="Who sent it, kept in the audit trail (default: the provider's id).",
)
@click.option(
    "--encoding",
    type=click.Choice(ENCODINGS),
    default="utf-8",
    show_default=True,
    help="The file's encoding (a UTF-8 byte-order mark wins); cp1252 is what "
    'Excel on Windows writes for "CSV (Comma delimited)".',
)
@db_option
@format_option("text", "json")
def import_command(
    file: str, provider_id: str, actor: str | None, encoding: str, db_url: str | None, fmt: str
) -> None:
    """Record a provider's return: one line a week of hours or a cost, for its own
    agreements only, all or nothing. The header names these columns, in any order
    (others are left alone):

    \b
      kind             hours | cost
      agreement_id     one of the provider's agreements
      week_start       hours: the Monday the week starts
      delivered_hours  hours: in quarter hours (7.5, 37.25)
      on               cost: the day it was met
      amount           cost: money (1234.50, £1,234.50)
      description      cost: what it was
      cost_id          cost: your id for it (to tell it apart, and to reverse it)

    \b
    For example:
      kind,agreement_id,week_start,delivered_hours,on,amount,description,cost_id
      hours,AG-0001,2026-04-06,12.5,,,,
      cost,AG-0001,,,08/04/2026,"£1,234.50",Day trip,C-0412

    Dates as 2026-04-06, 06/04/2026 or 6 Apr 2026. Every bad line is reported
    with its number, and then nothing is recorded. The same return again adds
    nothing; a line that comes back with other figures is refused (the council
    corrects hours and reverses costs). Exit 0 when recorded, 1 when refused.
    """
    result = on_ledger(
        db_url,
        lambda ledger: ledger.import_returns(
            file, provider_id, actor=actor or provider_id, encoding=encoding
        ),
    )
    print_batch(result, file, fmt, "recorded")


COMMANDS = [returns]
