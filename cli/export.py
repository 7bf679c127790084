"""`isf-ledger export beancount|hledger`: the whole ledger as a journal."""

from __future__ import annotations

import sys
from typing import TextIO

import click

from cli.options import as_at_option, db_option, ledger_for
from isf_ledger.adapters.export_beancount import write_beancount
from isf_ledger.adapters.export_hledger import write_hledger

WRITERS = {"beancount": write_beancount, "hledger": write_hledger}


@click.command()
@click.argument("tool", type=click.Choice(sorted(WRITERS)))
@db_option
@as_at_option
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write the journal here (default: stdout).")  # fmt: skip
def export(tool: str, db_url: str | None, as_at: str | None, output: TextIO) -> None:
    """Write every money movement as a journal that `bean-check` or
    `hledger check` accepts, with balance assertions for every account."""
    ledger = ledger_for(db_url)
    try:
        ledger.export(WRITERS[tool], output or sys.stdout, as_at=as_at)
    finally:
        ledger.close()


COMMANDS = [export]
