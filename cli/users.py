"""`isf-ledger users add|link|disable|list`: the portal's accounts, run by the council."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from cli.options import db_option, format_option, on_ledger, print_json
from isf_ledger.application.accounts import ROLES

BASE_URL = "http://127.0.0.1:8000"


def base_url_option(func: Any) -> Any:
    return click.option(
        "--base-url",
        default=BASE_URL,
        show_default=True,
        help="Where the portal is reached (`isf-ledger serve`), for the link printed.",
    )(func)


def _link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/set-password/{token}"


@click.group()
def users() -> None:
    """Accounts for the portal (`isf-ledger serve`): council, auditor, provider, person."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may see.")
@click.option("--provider", "provider_id", help="The provider a provider account is bound to.")
@click.option("--person", "person_id", help="The person a person account is bound to.")
@base_url_option
@db_option
def add_command(
    username: str,
    role: str,
    provider_id: str | None,
    person_id: str | None,
    base_url: str,
    db_url: str | None,
) -> None:
    """Create USERNAME with no password; prints a one-time link (valid 72 hours) where
    its owner sets the first one. Give the link to them alone."""
    subject = provider_id if role == "provider" else person_id if role == "person" else None
    if (provider_id and role != "provider") or (person_id and role != "person"):
        raise click.BadParameter("--provider goes with --role provider, --person with person")
    token = on_ledger(db_url, lambda ledger: ledger.accounts.add(username, role, subject))
    click.echo(f"added {username} ({role}{' ' + subject if subject else ''})")
    click.echo(f"set the first password (once, within 72 hours): {_link(base_url, token)}")


@users.command("link")
@click.argument("username")
@base_url_option
@db_option
def link_command(username: str, base_url: str, db_url: str | None) -> None:
    """A new one-time link for USERNAME to set a password (a forgotten one, say)."""
    token = on_ledger(db_url, lambda ledger: ledger.accounts.new_link(username))
    click.echo(f"set a new password (once, within 72 hours): {_link(base_url, token)}")


@users.command("disable")
@click.argument("username")
@db_option
def disable_command(username: str, db_url: str | None) -> None:
    """USERNAME can no longer log in; an open session is refused at its next page."""
    on_ledger(db_url, lambda ledger: ledger.accounts.disable(username))
    click.echo(f"disabled {username}")


@users.command("list")
@db_option
@format_option("text", "json")
def list_command(db_url: str | None, fmt: str) -> None:
    """Every account with its role, whose figures it sees, and whether it can log in."""
    lines = on_ledger(db_url, lambda ledger: ledger.accounts.listing())
    if fmt == "json":
        print_json([asdict(line) for line in lines])
        return
    for line in lines:
        click.echo(f"{line.username:24} {line.role:9} {line.subject_id or '-':16} {line.status}")
    click.echo(f"{len(lines)} account(s)")


COMMANDS = [users]
