"""`isf-ledger statement provider|person`: the statements people read."""

from __future__ import annotations

import click

from cli.options import (
    as_at_option,
    db_option,
    emit,
    format_option,
    month_option,
    on_ledger,
    parse_instant,
)
from isf_ledger.adapters.render import person_statement as person_render
from isf_ledger.adapters.render import provider_statement as provider_render


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
    data = on_ledger(
        db_url,
        lambda ledger: ledger.provider_statement(
            provider_id, month, as_at=as_at, previous_as_at=previous_as_at
        ),
    )
    if not data.agreements:
        click.echo(f"isf-ledger: provider {provider_id} holds no ISF in {month}", err=True)
    render = provider_render
    emit(
        fmt, data, text=render.render_text, csv=render.render_csv, html=render.render_html, nl=True
    )


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
    data = on_ledger(
        db_url, lambda ledger: ledger.person_statement(person_id, budget_id=budget_id, as_at=as_at)
    )
    emit(fmt, data, text=person_render.render_text, html=person_render.render_html, nl=True)


COMMANDS = [statement]
