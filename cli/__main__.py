"""`isf-ledger`: the command line. One module per command; no rules here."""

from __future__ import annotations

import sys
from typing import Any

import click
from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from psycopg import OperationalError as PgOperationalError
from psycopg_pool import PoolTimeout
from sqlalchemy.exc import OperationalError as SQLOperationalError

from cli import (
    apply,
    audit,
    cards,
    demo,
    exceptions,
    export,
    forget,
    init,
    keys,
    projections,
    reconcile,
    statement,
)
from isf_ledger import logs
from isf_ledger.adapters.database import DatabaseUrlError
from isf_ledger.adapters.event_store import AtRestKeyError
from isf_ledger.bootstrap import NotInitialised

UNREACHABLE = (SQLOperationalError, StoreOperationalError, PgOperationalError, PoolTimeout)


class LedgerGroup(click.Group):
    """Turns expected failures into one plain line and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (NotInitialised, DatabaseUrlError, AtRestKeyError) as e:
            click.echo(f"isf-ledger: {e}", err=True)
            sys.exit(1)
        except MapperDeserialisationError as e:
            cause = e.__cause__
            why = (
                str(cause)
                if isinstance(cause, AtRestKeyError)
                else (
                    "stored events cannot be read; if they are encrypted at rest, "
                    "set ISF_LEDGER_AT_REST_KEY to the key they were written with"
                )
            )
            click.echo(f"isf-ledger: {why}", err=True)
            sys.exit(1)
        except UNREACHABLE as e:
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            click.echo(f"isf-ledger: cannot reach the database: {first}", err=True)
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
    logs.configure(verbose)
    ctx.obj = {"db_url": db_url}


for module in (
    init,
    apply,
    cards,
    audit,
    statement,
    reconcile,
    exceptions,
    projections,
    export,
    forget,
    keys,
    demo,
):
    for command in module.COMMANDS:
        main.add_command(command)

if __name__ == "__main__":
    main()
