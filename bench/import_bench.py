"""`cards import` throughput and memory, beside the floor, in interleaved pairs.

Three generated exports across 5,000 cards: 1M rows with the provider's ids,
1M rows without ids (identity by content and occurrence) and 5M rows with
ids (quick: 20k and 100k). Each is imported through the real command
(`python -m cli cards import`, a subprocess, start-up included), and right
after it the floor runs on the same database: the same file read with
Python's `csv` and loaded into a table whose primary key is the transaction
id, in one transaction (SQLite `executemany`, PostgreSQL `COPY`). A pair is
one fresh ledger: import, re-import of the same file (adds nothing), the
id-less file, then the big file, each followed by its floor. Figures are the
medians of the pairs, and the ratio the median of the pairs' own ratios.
The id-less file's floor is that of the file with ids of the same size (a
floor keyed by an id needs ids).

Peak memory is that of the import process (`RUSAGE_CHILDREN` of a wrapper),
for the small and the big file: it should not grow with the file.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

import psycopg

from bench.card_workload import card_commands, write_export
from bench.common import Figure, database, paired, timed
from isf_ledger.adapters.database import parse_url
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings

CARDS = 5000
CHUNK = 5000
PAIRS = 3
FLOOR = "csv + bulk load into a table keyed by the transaction id"

# Runs a command and reports the peak resident memory of its process tree, in kB.
RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)
COLUMNS = "transaction_id, card_id, posted_on, type, description, merchant, mcc, amount, balance"
FLOOR_TABLE = f"CREATE TABLE floor_cards ({COLUMNS.replace(',', ' text,')} text)".replace(
    "transaction_id text", "transaction_id text PRIMARY KEY"
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
    """Seconds to read the file with `csv` and load it into a table keyed by the id."""
    db = parse_url(url)
    if db.is_postgres:
        conninfo = f"host={db.host} port={db.port} user={db.user} dbname={db.dbname}"
        with psycopg.connect(conninfo, options=f"-csearch_path={db.schema}") as conn:
            conn.execute(FLOOR_TABLE)
            conn.commit()

            def copy() -> None:
                with open(path, newline="", encoding="utf-8") as f:
                    rows = csv.reader(f)
                    next(rows)
                    with (
                        conn.cursor() as cur,
                        cur.copy(f"COPY floor_cards ({COLUMNS}) FROM STDIN") as cp,
                    ):
                        for row in rows:
                            cp.write_row(row)
                conn.commit()

            seconds = timed(copy)[0]
            conn.execute("DROP TABLE floor_cards")
            conn.commit()
            return seconds
    lite = sqlite3.connect(db.path)
    lite.execute(FLOOR_TABLE)
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


def exports(folder: Path, small: int, big: int) -> dict[str, tuple[int, Path, Path]]:
    """What each figure imports: (rows, the file, the file its floor loads)."""
    ids = write_export(folder / "ids.csv", small, CARDS, first=date(2026, 1, 1), id_prefix="TA")
    bare = write_export(folder / "bare.csv", small, CARDS, first=date(2026, 4, 1), id_prefix="")
    large = write_export(folder / "big.csv", big, CARDS, first=date(2027, 1, 1), id_prefix="TB")
    return {
        f"cards import, {small:,} rows with ids": (small, ids, ids),
        f"re-import, {small:,} rows (adds nothing)": (small, ids, ids),
        f"cards import, {small:,} rows without ids": (small, bare, ids),
        f"cards import, {big:,} rows with ids": (big, large, large),
    }


def run(kinds: list[str], *, quick: bool = False, scale: float = 1.0) -> list[Figure]:
    small, big = (20_000, 100_000) if quick else (round(1e6 * scale), round(5e6 * scale))
    figures: list[Figure] = []
    with TemporaryDirectory(prefix="isf-import-bench-") as tmp:
        plan = exports(Path(tmp), small, big)
        for kind in kinds:
            rates: dict[str, list[tuple[float, float]]] = defaultdict(list)
            memory: dict[int, list[float]] = defaultdict(list)
            for _ in range(PAIRS):
                with database(kind) as url:
                    issue_cards(url)
                    for what, (rows, path, floor_path) in plan.items():
                        seconds, rss = cli_import(url, path)
                        floor_seconds = floor(url, floor_path)
                        rates[what].append((rows / seconds, rows / floor_seconds))
                        if "with ids" in what:
                            memory[rows].append(rss)
            for what, pairs in rates.items():
                figures.append(paired("import", kind, what, "rows/s", FLOOR, pairs))
            for rows, peaks in memory.items():
                figures.append(
                    Figure("import", kind, f"peak memory, {rows:,} rows", statistics.median(peaks),
                           "MB")
                )  # fmt: skip
    return figures
