"""Options shared by every command, defined once and stacked as decorators."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click

from isf_ledger.application import inputs
from isf_ledger.bootstrap import Ledger, open_ledger
from isf_ledger.domain.errors import LedgerError
from isf_ledger.settings import settings_from_env

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def db_option(func: F) -> F:
    """`--db URL` on every command (also accepted before the command name)."""
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        default=None,
        help="SQLite path or postgresql://host:port/db[?schema=s] "
        "(default: $ISF_LEDGER_DB or ./isf-ledger.db).",
    )(func)


def format_option(*choices: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def _month(_ctx: Any, _param: Any, value: str) -> str:
    try:
        return inputs.month(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def parse_day(_ctx: Any, _param: Any, value: str | None) -> date | None:
    """A business date written YYYY-MM-DD (not 2026-5-1, 2026-13-01 or a word)."""
    if value is None:
        return None
    try:
        return inputs.day(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def month_option(func: F) -> F:
    """`--month YYYY-MM`, required: the calendar month a monthly report covers."""
    return click.option(
        "--month", required=True, metavar="YYYY-MM", callback=_month, help="The month."
    )(func)


def parse_instant(_ctx: Any, _param: Any, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return inputs.as_at(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def as_at_option(func: F) -> F:
    return click.option(
        "--as-at",
        "as_at",
        metavar="INSTANT",
        callback=parse_instant,
        help="Show the ledger exactly as it stood at this instant (ISO 8601 with offset).",
    )(func)


def ledger_for(db_url: str | None) -> Ledger:
    """Open the ledger named on the command line, before or after the command."""
    ctx = click.get_current_context()
    url = db_url or (ctx.obj or {}).get("db_url")
    return open_ledger(settings_from_env(url))


def with_ledger(db_url: str | None, call: Callable[[Ledger], T]) -> T:
    """One call on the ledger; a refusal is a plain message and exit status 1."""
    ledger = ledger_for(db_url)
    try:
        return call(ledger)
    except LedgerError as e:
        click.echo(f"isf-ledger: {e}", err=True)
        sys.exit(1)
    finally:
        ledger.close()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
