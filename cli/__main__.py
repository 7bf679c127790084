"""`isf-ledger`: the command line. One module per command; no rules here."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

# Each command lives in the module of the same name and is imported only when
# it runs (or `--help` lists it), so `--version` does not load the database
# drivers, eventsourcing and pydantic first.
COMMAND_MODULES = (
    "init",
    "apply",
    "cards",
    "audit",
    "statement",
    "reconcile",
    "projections",
    "export",
    "forget",
    "keys",
    "demo",
    "payments",
    "exceptions",
    "returns",
    "users",
    "serve",
)


def _plain_failure(e: Exception) -> str | None:
    """The one line to print for an expected failure, or None for a real bug."""
    from eventsourcing.persistence import MapperDeserialisationError
    from eventsourcing.persistence import OperationalError as StoreOperationalError
    from psycopg import OperationalError as PgOperationalError
    from psycopg_pool import PoolTimeout
    from sqlalchemy.exc import OperationalError as SQLOperationalError

    from isf_ledger.adapters.database import DatabaseUrlError
    from isf_ledger.adapters.event_store import AtRestKeyError
    from isf_ledger.bootstrap import NotALedger, NotInitialised

    if isinstance(e, NotInitialised | NotALedger | DatabaseUrlError | AtRestKeyError):
        return str(e)
    if isinstance(e, MapperDeserialisationError):
        if isinstance(e.__cause__, AtRestKeyError):
            return str(e.__cause__)
        return (
            "stored events cannot be read; if they are encrypted at rest, "
            "set ISF_LEDGER_AT_REST_KEY to the key they were written with"
        )
    unreachable = (SQLOperationalError, StoreOperationalError, PgOperationalError, PoolTimeout)
    if isinstance(e, unreachable):
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return f"cannot reach the database: {first}"
    return None


class LedgerGroup(click.Group):
    """Loads each command when asked for it; turns expected failures into one
    plain line and exit status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMAND_MODULES:
            return None
        module = importlib.import_module(f"cli.{cmd_name}")
        return next(c for c in module.COMMANDS if c.name == cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as e:
            why = _plain_failure(e)
            if why is None:
                raise
            click.echo(f"isf-ledger: {why}", err=True)
            sys.exit(1)


@click.group(cls=LedgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_url", metavar="URL", default=None, help="Database (see each command).")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.version_option(package_name="isf-ledger")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, verbose: bool) -> None:
    """An event-sourced ledger for self-directed support money: individual
    service funds (Option 2) and direct payments on cards (Option 1).

    Start with `isf-ledger demo`, or `isf-ledger init` then `isf-ledger apply`.
    """
    from isf_ledger import logs

    logs.configure(verbose)
    ctx.obj = {"db_url": db_url}


if __name__ == "__main__":
    main()
