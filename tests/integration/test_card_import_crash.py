"""`cards import` killed at any moment and run again ends exactly as one clean run."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from sqlalchemy import select

from bench.card_workload import card_commands, write_export
from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.adapters.card_store.tables import card_imports, card_transactions
from isf_ledger.application.card_import import import_files
from isf_ledger.bootstrap import open_ledger
from isf_ledger.settings import Settings
from tests.integration.apply_runs import start_import, wait_until_reading
from tests.integration.card_setup import apply, cli

ROWS = 50_000
CARDS = 20
KILLS = 3


def import_here(db_url: str, path: Path) -> dict:
    """The same import in this process (no start-up to wait for)."""
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        report = import_files(ledger, [path], load_profile("generic"))
        ledger.catch_up()
    finally:
        ledger.close()
    return report.as_json()


def state(db_url: str) -> tuple[list[tuple], list[tuple]]:
    """(every stored transaction but its surrogate keys, every import record's content)."""
    t, i = card_transactions, card_imports
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            rows = conn.execute(
                select(*(c for c in t.c if c.name not in ("id", "import_id"))).order_by(
                    t.c.identity
                )
            ).all()
            imports = conn.execute(
                select(
                    i.c.card_import_id,
                    i.c.file_sha256,
                    i.c.imported,
                    i.c.duplicates,
                    i.c.rows_digest,
                    i.c.last_posted,
                    i.c.event_recorded,
                )
            ).all()
    finally:
        ledger.close()
    return [tuple(r) for r in rows], [tuple(r) for r in imports]


def import_events(db_url: str) -> int:
    trail = cli("audit", "trail", "--db", db_url, "--format", "json").stdout
    return trail.count("CardImport.TransactionsImported")


def test_an_import_killed_at_random_moments_then_run_again_equals_one_clean_run(
    db_url, clean_url, tmp_path
):
    cards = list(card_commands(CARDS))
    apply(db_url, tmp_path, cards, "cards")
    apply(clean_url, tmp_path, cards, "cards")
    big = write_export(tmp_path / "big.csv", ROWS, CARDS)

    started = time.perf_counter()
    clean = import_here(clean_url, big)
    took = time.perf_counter() - started
    assert clean["imported"] == ROWS

    # From the moment the file is open to a little after the import would be done,
    # so some kills fall between the database commit and the event.
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1 << 30)))
    moments = [random.Random(seed + n).uniform(0.0, 1.2) * took for n in range(KILLS)]
    for moment in moments:
        process = start_import(db_url, big)
        wait_until_reading(process, big)
        time.sleep(moment)
        process.kill()  # SIGKILL: no clean-up of any kind
        process.wait()
    again = import_here(db_url, big)
    assert again["imported"] + again["duplicates"] == ROWS, f"seed {seed}"

    assert state(db_url) == state(clean_url), f"seed {seed}, kills at {moments}"
    assert import_events(db_url) == import_events(clean_url) == 1, f"seed {seed}"
