"""Every report of the demo ledger, in every format, written to files.

A refactor must not change one byte of what the contract shows. Build the
demo ledger once, write every report with the old code, write them again
from the same database with the new code, and `diff -r` the two folders:

    python scripts/contract_snapshot.py build  DB_URL
    python scripts/contract_snapshot.py write  DB_URL OUT_DIR

`build` makes the demo ledger on any database (on SQLite through `isf-ledger
demo`; elsewhere `init`, the demo's commands through `apply`, then its card
export through `cards import`). `write` runs each report through the real
command line, in process, and fails if a command fails unexpectedly.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from cli.__main__ import main

PROVIDERS = ("PRV-CARE", "PRV-HILL", "PRV-NONE")
PEOPLE = (("P-0001", None), ("P-0001", "B-0001"), ("P-0002", None), ("P-0003", None))
CARDS = ("C-0001", "C-0002")
MONTHS = tuple(f"2026-{m:02d}" for m in range(3, 13))
SUBJECTS = (("--person", "P-0001"), ("--provider", "PRV-HILL"), ("--budget", "B-0003"),
            ("--agreement", "A-0001"), ("--card", "C-0002"))  # fmt: skip


def run(db: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", db, *args])
    failed = result.exception
    crash = "" if failed is None or isinstance(failed, SystemExit) else f"crash {failed!r}\n"
    return result.exit_code, result.stdout, result.stderr + crash


def build(db: str) -> None:
    if "://" not in db:
        code, _, err = run(db, "demo", "--db", db)
        assert code == 0, err
        return
    from isf_ledger.demo import demo_commands

    code, _, err = run(db, "init")
    assert code == 0, err
    with tempfile.TemporaryDirectory() as tmp:
        commands = Path(tmp, "demo.jsonl")
        commands.write_text("".join(json.dumps(c) + "\n" for c in demo_commands()))
        code, _, err = run(db, "apply", str(commands))
        assert code == 0, err
        # The card export the SQLite demo wrote from the same commands.
        sqlite = Path(tmp, "demo.db")
        code, _, err = run(str(sqlite), "demo", "--db", str(sqlite))
        assert code == 0, err
        code, _, err = run(db, "cards", "import", str(Path(tmp, "demo-cards.csv")),
                           "--profile", "generic")  # fmt: skip
        assert code == 0, err


def reports(as_at: str) -> dict[str, tuple[str, ...]]:
    """File name -> command line, for every report and format."""
    wanted: dict[str, tuple[str, ...]] = {}
    for when, extra in (("now", ()), ("as-at", ("--as-at", as_at))):
        for provider in PROVIDERS:
            for month in MONTHS:
                for fmt in ("text", "json", "csv", "html"):
                    wanted[f"provider-{provider}-{month}-{when}.{fmt}"] = (
                        "statement", "provider", "--provider", provider, "--month", month,
                        "--format", fmt, *extra)  # fmt: skip
            wanted[f"provider-{provider}-2026-10-previous-{when}.text"] = (
                "statement", "provider", "--provider", provider, "--month", "2026-10",
                "--previous-as-at", as_at, *extra)  # fmt: skip
        for person, budget in (*PEOPLE, ("P-9999", None)):
            for fmt in ("text", "json", "html"):
                also = ("--budget", budget) if budget else ()
                wanted[f"person-{person}-{budget}-{when}.{fmt}"] = (
                    "statement",
                    "person",
                    "--person",
                    person,
                    *also,
                    "--format",
                    fmt,
                    *extra,
                )
        for month in MONTHS:
            for card in (None, *CARDS, "C-9999"):
                only = ("--card", card) if card else ()
                for fmt in ("text", "json", "csv"):
                    wanted[f"reconcile-{month}-{card}-{when}.{fmt}"] = (
                        "reconcile",
                        "cards",
                        "--month",
                        month,
                        *only,
                        "--format",
                        fmt,
                        *extra,
                    )
        for fmt in ("text", "json"):
            wanted[f"trail-all-{when}.{fmt}"] = ("audit", "trail", "--format", fmt, *extra)
            for option, value in SUBJECTS:
                wanted[f"trail{option}-{value}-{when}.{fmt}"] = (
                    "audit", "trail", option, value, "--format", fmt, *extra)  # fmt: skip
            wanted[f"trail-dates-{when}.{fmt}"] = (
                "audit", "trail", "--from", "2026-06-01", "--to", "2026-09-30",
                "--format", fmt, *extra)  # fmt: skip
        for tool in ("beancount", "hledger"):
            wanted[f"export-{when}.{tool}"] = ("export", tool, *extra)
    for fmt in ("text", "json"):
        wanted[f"verify.{fmt}"] = ("audit", "verify", "--format", fmt)
    return wanted


def write(db: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    code, trail, err = run(db, "audit", "trail", "--format", "json")
    assert code == 0, err
    changes = json.loads(trail)
    as_at = changes[len(changes) // 2]["recorded_at"]  # half the ledger recorded
    for name, args in reports(as_at).items():
        code, stdout, stderr = run(db, *args)
        (out / name).write_text(f"exit {code}\n--- stdout\n{stdout}--- stderr\n{stderr}")
    print(f"{len(reports(as_at))} reports written to {out}")


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2])
    else:
        write(sys.argv[2], Path(sys.argv[3]))
