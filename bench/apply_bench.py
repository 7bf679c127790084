"""`apply` throughput on a realistic mix, beside a plain bulk insert.

The floor writes the same number of rows (the command lines themselves) into
a plain table of the same database: SQLite `executemany`, PostgreSQL `COPY`.
"""

from __future__ import annotations

import json
import sqlite3
from functools import partial

import psycopg

from bench.common import Figure, database, timed
from bench.workload import people
from isf_ledger.adapters.database import parse_url
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings

BATCH = 20_000


def floor(url: str, lines: list[str]) -> float:
    """Seconds to bulk-insert the lines as rows, nothing else."""
    db = parse_url(url)
    rows = [(n, line) for n, line in enumerate(lines)]
    if db.is_postgres:
        conninfo = f"host={db.host} port={db.port} user={db.user} dbname={db.dbname}"
        with psycopg.connect(conninfo, options=f"-csearch_path={db.schema}") as conn:
            conn.execute("CREATE TABLE floor_rows (n bigint primary key, line text)")

            def copy() -> None:
                with conn.cursor() as cur, cur.copy("COPY floor_rows (n, line) FROM STDIN") as cp:
                    for row in rows:
                        cp.write_row(row)
                conn.commit()

            return timed(copy)[0]
    lite = sqlite3.connect(db.path)
    lite.execute("CREATE TABLE floor_rows (n integer primary key, line text)")

    def insert() -> None:
        with lite:
            lite.executemany("INSERT INTO floor_rows VALUES (?, ?)", rows)

    seconds = timed(insert)[0]
    lite.close()
    return seconds


def run(kinds: list[str], *, quick: bool = False, scale: float = 1.0) -> list[Figure]:
    lines = [json.dumps(c) for c in people(50 if quick else round(1000 * scale))]
    figures = []
    for kind in kinds:
        with database(kind) as url:
            ledger = init_ledger(Settings(db_url=url))
            spent = 0.0
            for start in range(0, len(lines), BATCH):
                part = list(enumerate(lines[start : start + BATCH], start=1))
                seconds, result = timed(partial(ledger.apply, part))
                assert not result.errors, result.errors[:3]
                spent += seconds
            ledger.close()
            floor_seconds = floor(url, lines)
        figures.append(
            Figure(
                "apply",
                kind,
                f"apply, {len(lines):,} commands (batches of {BATCH:,})",
                len(lines) / spent,
                "cmds/s",
                len(lines) / floor_seconds,
                "bulk insert of the same rows",
            )
        )
    return figures
