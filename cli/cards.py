"""`isf-ledger cards import|profiles`: card transactions from providers' exports."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from cli.options import db_option, format_option, ledger_for, print_json
from isf_ledger.adapters.card_files.cells import date_format_words
from isf_ledger.adapters.card_files.profile import (
    Profile,
    ProfileError,
    builtin_profiles,
    load_profile,
    profile_template,
)
from isf_ledger.adapters.card_files.rejects import RejectsWriter
from isf_ledger.application.card_import import FileResult, ImportReport


@click.group()
def cards() -> None:
    """Card transactions: import providers' CSV exports; list the formats understood."""


@contextmanager
def _progress_bar(
    show: bool,
) -> Iterator[Callable[[str | Path, int], Callable[[int, str], None]] | None]:
    """A bar per file, by bytes read, then naming each later phase; on a terminal only."""
    if not show:
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )

    def start(path: str | Path, size: int) -> Callable[[int, str], None]:
        name = Path(path).name
        task = bar.add_task(f"{name}: reading", total=size)

        def advance(done: int, phase: str) -> None:
            bar.update(task, completed=min(done, size), description=f"{name}: {phase}")

        return advance

    with bar:
        yield start


@cards.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--profile",
    "profile_name",
    required=True,
    metavar="NAME|PATH.toml",
    help="A built-in profile (see `cards profiles`) or your own profile file.",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the good rows of a file with bad ones (needs --rejects).",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, writable=True),
    metavar="OUT.csv",
    help="Write bad rows here, unchanged, with the reason.",
)
@db_option
@format_option("text", "json")
def import_command(
    files: tuple[str, ...],
    profile_name: str,
    skip_invalid: bool,
    rejects_path: str | None,
    db_url: str | None,
    fmt: str,
) -> None:
    """Import card transactions from one or more CSV exports, each file all or nothing.

    A transaction already stored (the same file again, or an overlapping
    export, in any format) is counted as a duplicate and not added twice. A
    file with a bad row is rejected whole, unless --skip-invalid --rejects
    OUT.csv: then its good rows are imported and the bad ones written to
    OUT.csv as they were, with the reason. Exit 0 when every file was
    imported, 1 when any was rejected.
    """  # fmt: skip
    if skip_invalid and not rejects_path:
        raise click.UsageError("--skip-invalid needs --rejects OUT.csv, so no bad row is lost")
    try:
        profile = load_profile(profile_name)
    except ProfileError as e:
        raise click.BadParameter(str(e), param_hint="--profile") from None
    rejects = RejectsWriter(rejects_path, profile) if rejects_path else None
    ledger = ledger_for(db_url)
    try:
        with _progress_bar(sys.stderr.isatty() and fmt == "text") as progress:
            report = ledger.import_cards(
                files,
                profile,
                skip_invalid=skip_invalid,
                rejects=rejects,
                progress=progress,
            )
    finally:
        if rejects is not None:
            rejects.close()
        ledger.close()
    if fmt == "json":
        print_json(report.as_json())
    else:
        _print_text(report, skip_invalid)
    if report.any_rejected:
        sys.exit(1)


def _print_text(report: ImportReport, skip_invalid: bool) -> None:
    for result in report.files:
        _print_file(result, skip_invalid)
    click.echo(
        f"imported {report.total('imported')}, duplicate {report.total('duplicates')}, "
        f"rejected {report.total('rejected')}, skipped-pending {report.total('skipped_pending')}"
    )


def _print_file(result: FileResult, skip_invalid: bool) -> None:
    name = result.file
    for line, warning in result.warnings:
        click.echo(f"{name}:{line}: warning: {warning}", err=True)
    if result.more_warnings:
        click.echo(f"{name}: {result.more_warnings} more warning(s)", err=True)
    for line, reason in result.problems:
        where = f"{name}:{line}" if line else name
        click.echo(f"{where}: {reason}", err=True)
    if result.more_problems:
        click.echo(f"{name}: {result.more_problems} more bad row(s)", err=True)
    if result.status == "rejected":
        click.echo(
            f"rejected: {name}: {result.rejected} bad row(s); nothing imported from it", err=True
        )
    elif result.rejected and skip_invalid:
        click.echo(f"{name}: {result.rejected} bad row(s) skipped and written to rejects", err=True)


@cards.command("profiles")
@format_option("text", "json")
@click.option(
    "--template",
    is_flag=True,
    help="Print an annotated profile that describes every key; save it, edit it, "
    "and use it with --profile PATH.toml.",
)
def profiles_command(fmt: str, template: bool) -> None:
    """The card export formats built in (use your own with --profile PATH.toml).

    A profile is a TOML file saying how to read one provider's export: its
    encoding, delimiter, header line, date formats, column names, and the
    spelling of each transaction type. The format is described key by key,
    with a complete example to copy, by `isf-ledger cards profiles --template`
    (save it with `> my-provider.toml`, then edit it)."""
    if template:
        click.echo(profile_template(), nl=False)
        return
    found = builtin_profiles()
    if fmt == "json":
        print_json([_profile_json(p) for p in found])
        return
    if sys.stdout.isatty():
        table = Table("name", "description", "encoding", "date formats")
        for p in found:
            table.add_row(p.name, p.description, p.encoding, _dates(p))
        Console().print(table)
        return
    for p in found:
        click.echo(f"{p.name}\t{p.description}\t{p.encoding}\t{_dates(p)}")


def _dates(profile: Profile) -> str:
    return ", ".join(date_format_words(f) for f in profile.date_formats)


def _profile_json(profile: Profile) -> dict[str, object]:
    return {
        "name": profile.name,
        "description": profile.description,
        "encoding": profile.encoding,
        "delimiter": profile.delimiter,
        "date_formats": list(profile.date_formats),
        "card_column_holds": profile.card_column_holds,
        "columns": profile.columns.used(),
    }


COMMANDS = [cards]
