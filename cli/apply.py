"""`isf-ledger apply FILE|-`: apply a JSONL file of commands, all or nothing."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from typing import TextIO

import click

from cli.options import db_option, format_option, ledger_for, print_json
from isf_ledger.application.apply import ApplyResult, LineError


def numbered(stream: TextIO) -> Iterator[tuple[int, str]]:
    return enumerate(stream, start=1)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@db_option
@format_option("text", "json")
def apply(file: str, db_url: str | None, fmt: str) -> None:
    """Apply the commands in FILE (JSONL; - for stdin) as one all-or-nothing batch.

    A command_id seen before with the same content is reported as a duplicate
    and changes nothing; with different content it is a conflict. Exit 0 when
    applied, 1 when rejected (nothing applied), 2 for usage errors.
    """
    name = "<stdin>" if file == "-" else file
    ledger = ledger_for(db_url)
    try:
        try:
            if file == "-":
                stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="strict")
                result = ledger.apply(numbered(stdin))
            else:
                with open(file, encoding="utf-8-sig", errors="strict") as stream:
                    result = ledger.apply(numbered(stream))
        except UnicodeDecodeError as e:
            result = ApplyResult(errors=[LineError(0, None, f"not UTF-8 text: {e.reason}")])
    finally:
        ledger.close()
    if fmt == "json":
        print_json(result.as_json())
    elif not result.errors:
        click.echo(f"applied {result.applied}, duplicate {result.duplicates}")
    for error in result.errors:
        where = f"{name}:{error.line}" if error.line else name
        command = f" [{error.command_id}]" if error.command_id else ""
        click.echo(f"{where}:{command} {error.error}", err=True)
    if result.errors:
        if fmt == "text":
            click.echo(f"rejected: {len(result.errors)} bad line(s); nothing applied", err=True)
        sys.exit(1)


COMMANDS = [apply]
