"""`isf-ledger keys new`: a key for encrypting stored events at rest."""

from __future__ import annotations

import click

from isf_ledger.adapters.event_store import new_at_rest_key


@click.group()
def keys() -> None:
    """Keys for encryption at rest."""


@keys.command("new")
def new() -> None:
    """Print a new random key (AES-256, base64) for ISF_LEDGER_AT_REST_KEY.

    Choose encryption when the ledger is created, before the first event:

        export ISF_LEDGER_AT_REST_KEY="$(isf-ledger keys new)"

    Every stored event is then encrypted with it (AES-GCM), and every command
    needs the same key. Keep it outside the database, in a secrets store:
    without it no event can be read again."""
    click.echo(new_at_rest_key())


COMMANDS = [keys]
