"""`isf-ledger forget person ID`: make a person's name unreadable for good."""

from __future__ import annotations

import click

from cli.options import db_option, format_option, on_ledger, print_json


@click.group()
def forget() -> None:
    """Erase personal data (crypto-shredding), keeping every balance intact."""


@forget.command("person")
@click.argument("person_id")
@click.option("--actor", help="Who asked for the erasure (kept in the audit trail).")
@click.option("--reason", help="Why, e.g. the request reference.")
@db_option
@format_option("text", "json")
def forget_person(
    person_id: str, actor: str | None, reason: str | None, db_url: str | None, fmt: str
) -> None:
    """Destroy PERSON_ID's key: their name is unreadable from then on, while every
    event, balance, statement and `audit verify` still stands."""
    on_ledger(db_url, lambda ledger: ledger.forget_person(person_id, actor=actor, reason=reason))
    if fmt == "json":
        print_json({"forgotten": person_id})
    else:
        click.echo(f"forgot person {person_id}: their name can no longer be read")


COMMANDS = [forget]
