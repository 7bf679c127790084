"""`isf-ledger statement provider|person`: the statements people read."""

from __future__ import annotations

import sys

import click

from cli.options import (
    as_at_option,
    db_option,
    format_option,
    ledger_for,
    month_option,
    parse_instant,
    print_json,
)
from isf_ledger.adapters.render import person_statement as person_render
from isf_ledger.adapters.render import provider_statement as provider_render
from isf_ledger.domain.errors import LedgerError


@click.group()
def statement() -> None:
    """Monthly ISF statements for providers; plain budget statements for people."""


@statement.command("provider")
@click.option("--provider", "provider_id", required=True, help="The provider's id.")
@month_option
@db_option
@as_at_option
@click.option(
    "--previous-as-at",
    metavar="INSTANT",
    callback=parse_instant,
    help="When last month's statement was issued (default: the start of this month); "
    "earlier-dated changes recorded since show as prior-period adjustments.",
)
@format_option("text", "json", "csv", "html")
def provider_command(
    provider_id: str,
    month: str,
    db_url: str | None,
    as_at: str | None,
    previous_as_at: str | None,
    fmt: str,
) -> None:
    """Each person's ISF held by the provider for the month, individually:
    opening, money in, money out, closing, hours, surplus and flex flags."""
    ledger = ledger_for(db_url)
    try:
        data = ledger.provider_statement(
            provider_id, month, as_at=as_at, previous_as_at=previous_as_at
        )
    except LedgerError as e:
        click.echo(f"isf-ledger: {e}", err=True)
        sys.exit(1)
    finally:
        ledger.close()
    if not data.agreements:
        click.echo(f"isf-ledger: provider {provider_id} holds no ISF in {month}", err=True)
    if fmt == "json":
        print_json(data.as_json())
    elif fmt == "csv":
        provider_render.render_csv(data, sys.stdout)
    elif fmt == "html":
        click.echo(provider_render.render_html(data))
    else:
        click.echo(provider_render.render_text(data))


@statement.command("person")
@click.option("--person", "person_id", required=True, help="The person's id.")
@click.option("--budget", "budget_id", help="Which budget (default: the latest).")
@db_option
@as_at_option
@format_option("text", "json", "html")
def person_command(
    person_id: str, budget_id: str | None, db_url: str | None, as_at: str | None, fmt: str
) -> None:
    """A plain statement for the supported person: the budget, how it is split,
    what was paid, spent and topped up, what is left, and a picture of the year."""
    ledger = ledger_for(db_url)
    try:
        data = ledger.person_statement(person_id, budget_id=budget_id, as_at=as_at)
    except LedgerError as e:
        click.echo(f"isf-ledger: {e}", err=True)
        sys.exit(1)
    finally:
        ledger.close()
    if fmt == "json":
        print_json(data.as_json())
    elif fmt == "html":
        click.echo(person_render.render_html(data))
    else:
        click.echo(person_render.render_text(data))


COMMANDS = [statement]
