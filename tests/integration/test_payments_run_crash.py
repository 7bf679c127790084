"""`payments run` killed (SIGKILL) at a random moment, then run again with the same run
id, ends exactly as one clean run: the same events, balances and the same file bytes.

The kill may land before the batch commits (nothing recorded: the re-run pays
everything), after it and before the files (the re-run writes them from the
run as recorded), or while a file is written (the temp file is never renamed:
no half file ever has the target's name). `CRASH_SEED=n` replays one moment.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

from bench.payments_bench import council
from tests.integration.apply_runs import cli, init, snapshot, start_cli

PEOPLE = 240  # 240 periods: a few seconds of work


def payments_run(db_url: str, out: Path) -> list[str]:
    window = ["--from", "2026-04-06", "--to", "2026-04-06", "--paid-on", "2026-04-06"]
    files = ["--bank-file", str(out / "bank.txt"), "--card-file", str(out / "cards.csv")]
    return ["payments", "run", *window, "--run-id", "CRASH", "--db", db_url, *files]


def test_a_run_killed_at_a_random_moment_then_run_again_equals_one_clean_run(
    db_url, clean_url, tmp_path, monkeypatch
):
    for name, value in (("SORT_CODE", "800001"), ("ACCOUNT", "12345678"), ("NAME", "FIFE")):
        monkeypatch.setenv(f"ISF_LEDGER_BANK_{name}", value)
    setup = tmp_path / "council.jsonl"
    setup.write_text("\n".join(council(PEOPLE)) + "\n")
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1 << 30)))
    clean_out, crashed_out = tmp_path / "clean", tmp_path / "crashed"
    clean_out.mkdir(), crashed_out.mkdir()
    for url in (clean_url, db_url):
        init(url)
        cli("apply", str(setup), "--db", url)
    started = time.perf_counter()
    clean = start_cli(*payments_run(clean_url, clean_out)).communicate(timeout=300)[0]
    took = time.perf_counter() - started  # interpreter start-up included, as below
    assert json.loads(clean)["payments"] == PEOPLE

    process = start_cli(*payments_run(db_url, crashed_out))
    time.sleep(random.Random(seed).uniform(0.0, 1.1) * took)
    process.send_signal(signal.SIGKILL)
    process.wait()
    for name in ("bank.txt", "cards.csv"):  # whole, or not there at all
        written = crashed_out / name
        assert not written.exists() or written.read_bytes() == (clean_out / name).read_bytes()
    again = json.loads(cli(*payments_run(db_url, crashed_out), "--format", "json"))

    assert again["payments"] == PEOPLE, f"seed {seed}"
    for name in ("bank.txt", "cards.csv"):
        assert (crashed_out / name).read_bytes() == (clean_out / name).read_bytes(), seed
    assert [p.name for p in crashed_out.iterdir() if p.name.startswith(".")] == []
    assert snapshot(db_url) == snapshot(clean_url), f"seed {seed}"
