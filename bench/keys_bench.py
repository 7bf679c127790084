"""How fast the import could be with the table it stores into: its rows, as
stored, written again into a table of `card_transactions`' shape and keys.

No reading, checking or numbering: the stored rows of a 1M-row import
(`--scale` scales it) are read back first, then written by the database's
bulk path alone (PostgreSQL `COPY` of CSV; SQLite `INSERT OR IGNORE`
`executemany` in chunks, as the import does), into a copy of the table with
its three unique keys (id, identity, content), with the id and identity
alone (its two parts: provider ids, and content digests by day), and with
no key but SQLite's rowid. Each pair is the import floor (`import_bench.floor`)
on the raw file, then the three. The ratio of the keyed write to the floor
is the most an import into this table could reach.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import psycopg

from bench.card_workload import write_export
from bench.common import Figure, database, paired, timed
from bench.import_bench import CARDS, FLOOR, PAIRS, floor, issue_cards
from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.adapters.card_store.staging import COLUMNS
from isf_ledger.adapters.database import parse_url
from isf_ledger.application.card_import import CACHE_MB
from isf_ledger.bootstrap import open_ledger
from isf_ledger.settings import Settings

CHUNK = 5000
KEYS = {"all": "its three keys", "identity": "id and identity keys", "none": "no key"}
# The identity key's two parts (`tables`, migration 0018), as `CREATE INDEX` ends them.
IDENTITY_KEYS = (
    "(identity) WHERE source IS NOT NULL",
    "(posted_on, identity) WHERE source IS NULL",
)
NAMES = ", ".join(COLUMNS)


def run(kinds: list[str], *, quick: bool = False, scale: float = 1.0) -> list[Figure]:
    rows = 20_000 if quick else round(1e6 * scale)
    figures = []
    with TemporaryDirectory(prefix="isf-keys-bench-") as tmp:
        path = write_export(Path(tmp) / "ids.csv", rows, CARDS, first=date(2026, 1, 1),
                            id_prefix="TA")  # fmt: skip
        for kind in kinds:
            with database(kind) as url:
                pairs = _pairs(url, path)
            for keys, what in KEYS.items():
                figures.append(paired("keys", kind, f"stored rows again, {rows:,}, {what}",
                                      "rows/s", FLOOR, pairs[keys]))  # fmt: skip
    return figures


def _pairs(url: str, path: Path) -> dict[str, list[tuple[float, float]]]:
    issue_cards(url)
    ledger = open_ledger(Settings(db_url=url))
    try:
        ledger.import_cards([path], load_profile("generic"))
    finally:
        ledger.close()
    db = parse_url(url)
    write = _postgres(url) if db.is_postgres else _sqlite(db.path)
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _ in range(PAIRS):
        floor_seconds = floor(url, path)
        for keys in KEYS:
            count, seconds = write(keys)
            pairs[keys].append((count / seconds, count / floor_seconds))
    return pairs


def _postgres(url: str) -> Any:
    db = parse_url(url)
    conninfo = f"host={db.host} port={db.port} user={db.user} dbname={db.dbname}"
    conn = psycopg.connect(conninfo, options=f"-csearch_path={db.schema}", autocommit=True)
    with conn.cursor().copy(f"COPY (SELECT {NAMES} FROM card_transactions ORDER BY id) "
                            "TO STDOUT (FORMAT csv)") as out:  # fmt: skip
        data = b"".join(bytes(part) for part in out)
    (count,) = conn.execute("SELECT count(*) FROM card_transactions").fetchall()[0]

    def write(keys: str) -> tuple[int, float]:
        including = "ALL" if keys == "all" else "DEFAULTS"
        conn.execute("DROP TABLE IF EXISTS again")
        conn.execute(f"CREATE TABLE again (LIKE card_transactions INCLUDING {including})")
        if keys == "identity":
            conn.execute("ALTER TABLE again ADD PRIMARY KEY (id)")
            for key in IDENTITY_KEYS:
                conn.execute(f"CREATE UNIQUE INDEX ON again {key}")

        def copy() -> None:
            with (
                conn.transaction(),
                conn.cursor().copy(f"COPY again ({NAMES}) FROM STDIN (FORMAT csv)") as into,
            ):
                for at in range(0, len(data), 1 << 20):
                    into.write(data[at : at + (1 << 20)])

        seconds = timed(copy)[0]
        conn.execute("DROP TABLE again")
        return count, seconds

    return write


def _sqlite(file: str) -> Any:
    lite = sqlite3.connect(file, isolation_level=None)
    lite.execute(f"PRAGMA cache_size = -{CACHE_MB * 1024}")  # as the import has it
    rows = lite.execute(f"SELECT {NAMES} FROM card_transactions ORDER BY id").fetchall()
    schema = lite.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = "
                          "'card_transactions' AND sql IS NOT NULL").fetchall()  # fmt: skip
    marks = ", ".join("?" * len(COLUMNS))

    def write(keys: str) -> tuple[int, float]:
        lite.execute("DROP TABLE IF EXISTS again")
        for kind, sql in schema:
            if kind == "table" or keys == "all":
                lite.execute(_renamed(sql))
        if keys == "identity":
            for n, key in enumerate(IDENTITY_KEYS):
                lite.execute(f"CREATE UNIQUE INDEX again_identity_{n} ON again {key}")

        def insert() -> None:
            lite.execute("BEGIN")
            for at in range(0, len(rows), CHUNK):
                lite.executemany(f"INSERT OR IGNORE INTO again ({NAMES}) VALUES ({marks})",
                                 rows[at : at + CHUNK])  # fmt: skip
            lite.execute("COMMIT")

        seconds = timed(insert)[0]
        lite.execute("DROP TABLE again")
        return len(rows), seconds

    return write


def _renamed(sql: str) -> str:
    """`card_transactions`' statement for `again` (its indexes' names prefixed)."""
    return sql.replace("card_transactions", "again").replace("INDEX ", "INDEX again_", 1)
