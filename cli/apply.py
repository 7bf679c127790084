"""`isf-ledger apply FILE|-`: apply a JSONL file of commands, all or nothing."""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator
from typing import BinaryIO

import click

from cli.options import db_option, format_option, ledger_for, print_batch


def numbered(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Lines as bytes, each decoded on its own so a bad byte is pinned to its line;
    a UTF-8 byte-order mark at the start is dropped."""
    for number, line in enumerate(stream, start=1):
        yield number, line.removeprefix(codecs.BOM_UTF8) if number == 1 else line


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
        if file == "-":
            result = ledger.apply(numbered(sys.stdin.buffer))
        else:
            with open(file, "rb") as stream:
                result = ledger.apply(numbered(stream))
    finally:
        ledger.close()
    print_batch(result, name, fmt, "applied")


COMMANDS = [apply]
