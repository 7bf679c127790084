"""`isf-ledger audit ...`: the trail of every change, and proof nothing stored was altered."""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Unpack

import click
from rich.progress import Progress

from cli.options import (
    as_at_option,
    db_option,
    format_option,
    ledger_for,
    parse_day,
    print_json,
)
from isf_ledger.projections.audit_trail import TrailFilter
from isf_ledger.reports.records import json_of


@click.group()
def audit() -> None:
    """What changed, who changed it and why; proof that nothing was altered."""


@audit.command("trail")
@db_option
@click.option("--person", help="Only changes concerning this person.")
@click.option("--provider", help="Only changes concerning this provider.")
@click.option("--budget", help="Only changes concerning this budget.")
@click.option("--agreement", help="Only changes concerning this agreement.")
@click.option("--card", help="Only changes concerning this card.")
@click.option(
    "--from", "since", metavar="DATE", callback=parse_day, help="Effective on or after DATE."
)
@click.option(
    "--to", "until", metavar="DATE", callback=parse_day, help="Effective on or before DATE."
)
@as_at_option
@format_option("text", "json")
def trail_command(db_url: str | None, fmt: str, **where: Unpack[TrailFilter]) -> None:
    """Every recorded change, oldest first, with recording time, effective date,
    type, actor, reason, command id and data."""
    ledger = ledger_for(db_url)
    try:
        rows = ledger.audit_trail(**where)
    finally:
        ledger.close()
    if fmt == "json":
        print_json(json_of(rows))
        return
    for row in rows:
        effective = row.effective.isoformat() if row.effective else "-"
        click.echo(
            f"{row.recorded_at}  effective {effective:10}  {row.type:28} "
            f"{row.subject:24} by {row.actor or '-'} ({row.command_id})"
        )
        if row.reason:
            click.echo(f"    why: {row.reason}")
        click.echo(f"    {json.dumps(row.data, sort_keys=True, ensure_ascii=False)}")
    click.echo(f"{len(rows)} change(s)")


HEAD_HASH = re.compile(r"^[0-9a-f]{64}$")


def parse_head(_ctx: Any, _param: Any, value: str | None) -> str | None:
    if value is not None and not HEAD_HASH.match(value):
        raise click.BadParameter(f"{value!r} is not a chain head (64 hex digits)")
    return value


@audit.command("verify")
@db_option
@click.option(
    "--recorded-head",
    metavar="HASH",
    callback=parse_head,
    help="A chain head printed by an earlier run and kept outside the system: "
    "also prove the history up to it was not rewritten.",
)
@format_option("text", "json")
def verify_command(db_url: str | None, recorded_head: str | None, fmt: str) -> None:
    """Prove nothing stored was changed, removed, inserted or reordered since it
    was written, and that every money movement's legs sum to zero. Exits 1
    naming the first bad record. Prints the chain head: keep it outside the
    system and pass it back with --recorded-head later."""
    ledger = ledger_for(db_url)
    try:
        with Progress(disable=not sys.stderr.isatty(), transient=True) as progress:
            task = progress.add_task("verifying", total=None)
            result = ledger.verify(
                recorded_head=recorded_head,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    finally:
        ledger.close()
    if fmt == "json":
        print_json(result.as_json())
    elif result.ok:
        click.echo(f"verified {result.events} events; chain head {result.head}")
    else:
        for problem in result.problems:
            click.echo(f"isf-ledger: {problem.message}", err=True)
    if not result.ok:
        sys.exit(1)


COMMANDS = [audit]
