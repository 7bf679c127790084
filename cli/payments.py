"""`isf-ledger payments due` and `payments run`: what is due, paying it, the files."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import Any

import click
from rich.progress import Progress

from cli.options import as_at_option, db_option, emit, format_option, on_ledger
from isf_ledger.adapters.card_files.profile import ProfileError
from isf_ledger.adapters.payment_files.profile import load_file_profile
from isf_ledger.adapters.render.payments import render_due_csv, render_due_text, render_run_text


def _day(_ctx: Any, param: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None


def _window(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--to", "until", required=True, callback=_day, metavar="DATE",
                        help="Last day a period may start on.")(func)  # fmt: skip
    return click.option("--from", "since", required=True, callback=_day, metavar="DATE",
                        help="First day a period may start on.")(func)  # fmt: skip


@click.group()
def payments() -> None:
    """Payment runs: what is due, and paying it with files for the bank and cards."""


@payments.command("due")
@_window
@db_option
@as_at_option
@format_option("text", "json", "csv")
def due_command(since: date, until: date, db_url: str | None, as_at: str | None, fmt: str) -> None:
    """Every schedule period starting in the window, neither paid nor withheld, with
    payee (accounts masked) and amount; those that cannot be paid listed apart, with why."""
    data = on_ledger(db_url, lambda ledger: ledger.payments_due(since, until, as_at=as_at))
    emit(fmt, data, text=render_due_text, csv=render_due_csv)


@payments.command("run")
@_window
@click.option("--paid-on", required=True, callback=_day, metavar="DATE", help="Payment date.")
@click.option("--run-id", required=True, metavar="ID", help="Names the run; again = no-op.")
@click.option("--bank-file", type=click.Path(dir_okay=False), help="Write the bank file here.")
@click.option("--card-file", type=click.Path(dir_okay=False), help="Write the card loads here.")
@click.option("--bank-profile", default="bacs-standard-18", show_default=True)
@click.option("--card-profile", default="card-load-csv", show_default=True)
@click.option("--dry-run", is_flag=True, help="Record nothing; files marked DRY RUN.")
@db_option
@format_option("text", "json")
def run_command(
    since: date, until: date, paid_on: date, run_id: str, bank_file: str | None,
    card_file: str | None, bank_profile: str, card_profile: str, dry_run: bool,
    db_url: str | None, fmt: str,
) -> None:  # fmt: skip
    """Pay every payable period of `payments due` on --paid-on in one all-or-nothing
    batch, then write the bank file and card-load file. The same --run-id again pays
    nothing more and writes the same files; a different one never pays a period twice."""
    try:
        profiles = load_file_profile(bank_profile, "bank"), load_file_profile(card_profile, "card")
    except ProfileError as e:
        raise click.BadParameter(str(e)) from None
    with Progress(disable=not sys.stderr.isatty(), transient=True) as bar:
        task = bar.add_task("checking periods", total=None)
        result = on_ledger(db_url, lambda ledger: ledger.payments_run(
            run_id, since, until, paid_on,
            bank_profile=profiles[0], card_profile=profiles[1],
            bank_out=bank_file, card_out=card_file, dry_run=dry_run,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        ))  # fmt: skip
    emit(fmt, result, text=render_run_text)


COMMANDS = [payments]
