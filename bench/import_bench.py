"""`cards import` throughput and memory, re-import, and the monthly reconciliation.

- Import: two generated exports across 5,000 cards (1M and 5M rows; quick:
  20k and 100k) through the real command (`python -m cli cards import`, a
  subprocess, start-up included), beside the floor: reading the same file
  with the `csv` module and bulk-inserting its rows into a plain table of the
  same database (SQLite `executemany`, PostgreSQL `COPY`), in one transaction.
- Peak memory of the import process (`RUSAGE_CHILDREN` of a wrapper), for
  the small and the big file: it should not grow with the file.
- Re-import of the small file, which adds nothing, beside the same floor.
- Reconciliation of every card for one month, beside the one raw aggregate
  SELECT (opening and the month's totals by card) it cannot do without.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg

from bench.card_workload import card_commands, write_export
from bench.common import Figure, database, timed
from isf_ledger.adapters.database import parse_url
from isf_ledger.bootstrap import init_ledger, open_ledger
from isf_ledger.settings import Settings

CARDS = 5000
CHUNK = 5000
MONTH = "2027-02"

# Runs a command and reports the peak resident memory of its process tree, in kB.
RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


def issue_cards(url: str) -> None:
    ledger = init_ledger(Settings(db_url=url))
    try:
        lines = [json.dumps(c) for c in card_commands(CARDS)]
        result = ledger.apply(list(enumerate(lines, start=1)))
        assert not result.errors, result.errors[:3]
    finally:
        ledger.close()


def cli_import(url: str, path: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of `cards import` as a subprocess."""
    command = [sys.executable, "-m", "cli", "cards", "import", str(path), "--profile", "generic",
               "--db", url, "--format", "json"]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, *command], capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - start
    return seconds, int(done.stdout.strip()) / 1024


def floor(url: str, path: Path) -> float:
    """Seconds to read the file with `csv` and bulk-insert its rows into a plain table."""
    db = parse_url(url)
    columns = (
        "transaction_id, card_id, posted_on, type, description, merchant, mcc, amount, balance"
    )
    if db.is_postgres:
        conninfo = f"host={db.host} port={db.port} user={db.user} dbname={db.dbname}"
        with psycopg.connect(conninfo, options=f"-csearch_path={db.schema}") as conn:
            conn.execute(f"CREATE TABLE floor_cards ({columns.replace(',', ' text,')} text)")
            conn.commit()

            def copy() -> None:
                with open(path, newline="", encoding="utf-8") as f:
                    rows = csv.reader(f)
                    next(rows)
                    with (
                        conn.cursor() as cur,
                        cur.copy(f"COPY floor_cards ({columns}) FROM STDIN") as cp,
                    ):
                        for row in rows:
                            cp.write_row(row)
                conn.commit()

            seconds = timed(copy)[0]
            conn.execute("DROP TABLE floor_cards")
            conn.commit()
            return seconds
    lite = sqlite3.connect(db.path)
    lite.execute(f"CREATE TABLE floor_cards ({columns.replace(',', ' text,')} text)")
    marks = ", ".join("?" * 9)

    def insert() -> None:
        with open(path, newline="", encoding="utf-8") as f, lite:
            rows = csv.reader(f)
            next(rows)
            chunk: list[list[str]] = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= CHUNK:
                    lite.executemany(f"INSERT INTO floor_cards VALUES ({marks})", chunk)
                    chunk = []
            lite.executemany(f"INSERT INTO floor_cards VALUES ({marks})", chunk)

    seconds = timed(insert)[0]
    lite.execute("DROP TABLE floor_cards")
    lite.close()
    return seconds


def reconcile_times(url: str) -> tuple[float, float, int]:
    """(seconds for every card's reconciliation, seconds for the raw aggregate, cards)."""
    from sqlalchemy import text

    ledger = open_ledger(Settings(db_url=url))
    try:
        seconds, data = timed(lambda: ledger.reconcile_cards(MONTH))
        with ledger.engine.connect() as conn:
            raw = text(
                "SELECT card_id, SUM(CASE WHEN posted_on < :start THEN pence ELSE 0 END), "
                "SUM(CASE WHEN posted_on >= :start AND type = 'LOAD' THEN pence ELSE 0 END), "
                "SUM(CASE WHEN posted_on >= :start AND type = 'PURCHASE' THEN pence ELSE 0 END) "
                "FROM card_transactions WHERE posted_on < :end GROUP BY card_id"
            )
            start, end = date(2027, 2, 1), date(2027, 3, 1)
            floor_seconds = timed(lambda: conn.execute(raw, {"start": start, "end": end}).all())[0]
    finally:
        ledger.close()
    return seconds, floor_seconds, len(data.cards)


def run(kinds: list[str], *, quick: bool = False, scale: float = 1.0) -> list[Figure]:
    small, big = (20_000, 100_000) if quick else (round(1e6 * scale), round(5e6 * scale))
    figures: list[Figure] = []
    with TemporaryDirectory(prefix="isf-import-bench-") as tmp:
        files = [
            (small, write_export(Path(tmp) / "small.csv", small, CARDS, first=date(2026, 1, 1),
                                 id_prefix="TA")),
            (big, write_export(Path(tmp) / "big.csv", big, CARDS, first=date(2027, 1, 1),
                               id_prefix="TB")),
        ]  # fmt: skip
        for kind in kinds:
            with database(kind) as url:
                issue_cards(url)
                for rows, path in files:
                    seconds, rss = cli_import(url, path)
                    floor_seconds = floor(url, path)
                    figures += [
                        Figure("import", kind, f"cards import, {rows:,} rows", rows / seconds,
                               "rows/s", rows / floor_seconds, "csv parse + bulk insert"),
                        Figure("import", kind, f"peak memory, {rows:,} rows", rss, "MB"),
                    ]  # fmt: skip
                rows, path = files[0]
                seconds, _ = cli_import(url, path)
                floor_seconds = floor(url, path)
                figures.append(
                    Figure(
                        "import",
                        kind,
                        f"re-import, {rows:,} rows (adds nothing)",
                        rows / seconds,
                        "rows/s",
                        rows / floor_seconds,
                        "csv parse + bulk insert",
                    )
                )
                seconds, floor_seconds, cards = reconcile_times(url)
                figures.append(
                    Figure(
                        "import",
                        kind,
                        f"reconcile {cards:,} cards, {small + big:,} rows",
                        cards / seconds,
                        "cards/s",
                        cards / floor_seconds,
                        "raw aggregate SELECT",
                    )
                )
    return figures
