"""Options shared by every command, defined once and stacked as decorators."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from isf_ledger.application import inputs
from isf_ledger.bootstrap import Ledger, open_ledger
from isf_ledger.domain.errors import LedgerError
from isf_ledger.reports.records import json_of
from isf_ledger.settings import settings_from_env

if TYPE_CHECKING:
    from isf_ledger.application.apply import ApplyResult

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")
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


def on_ledger(db_url: str | None, call: Callable[[Ledger], T]) -> T:
    """One call on the ledger, closed afterwards; a refusal is a plain message and exit 1."""
    ledger = ledger_for(db_url)
    try:
        return call(ledger)
    except LedgerError as e:
        click.echo(f"isf-ledger: {e}", err=True)
        sys.exit(1)
    finally:
        ledger.close()


def print_batch(result: ApplyResult, name: str, fmt: str, done: str) -> None:
    """An all-or-nothing batch's outcome: `<done> N, duplicate N`, or every bad line
    as `FILE:LINE: [command_id] reason` and exit status 1."""
    if fmt == "json":
        print_json(result.as_json())
    elif not result.errors:
        click.echo(f"{done} {result.applied}, duplicate {result.duplicates}")
    for error in result.errors:
        where = f"{name}:{error.line}" if error.line else name
        command = f" [{error.command_id}]" if error.command_id else ""
        click.echo(f"{where}:{command} {error.error}", err=True)
    if result.errors:
        bad_lines = sum(1 for e in result.errors if e.line)
        if fmt == "text":
            count = f"{bad_lines} bad line(s); " if bad_lines else ""
            click.echo(f"rejected: {count}nothing {done}", err=True)
        sys.exit(1)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def emit(
    fmt: str,
    record: R,
    *,
    text: Callable[[R], str],
    csv: Callable[[R, TextIO], None] | None = None,
    html: Callable[[R], str] | None = None,
    nl: bool = False,
) -> None:
    """Print a report's record in the format asked for: its JSON (the record's own
    `as_json` where it has one, else `json_of`), or what its renderer makes of it.
    `nl` adds a line after text and html, as the statements always have."""
    if fmt == "json":
        as_json = getattr(record, "as_json", None)
        print_json(as_json() if as_json is not None else json_of(record))
    elif fmt == "csv" and csv is not None:
        csv(record, sys.stdout)
    elif fmt == "html" and html is not None:
        click.echo(html(record), nl=nl)
    else:
        click.echo(text(record), nl=nl)
