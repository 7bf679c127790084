"""`apply` killed (SIGKILL) at random moments, then run again, ends exactly as one clean run.

Each run of the same file is killed at a different moment, watched from
outside: after the person keys are written but before the events are saved,
at a random moment while the commands are being checked, while the reports
catch up with events already stored, and at a random moment of a re-run that
finds everything already there. A last run goes to the end. Events, the audit
trail, balances, statements and every sealed name then equal a clean single
run in a fresh database. `CRASH_SEED=n` replays one set of random moments.
"""

from __future__ import annotations

import os
import random
import signal
import time

from tests.integration.apply_runs import (
    Probe,
    assert_caught_up,
    assert_plain,
    cli,
    finish,
    init,
    reports,
    snapshot,
    start_apply,
    wait_for,
    wait_until_reading,
    watch,
    workload,
    write_jsonl,
)

PERSONS = 35  # 3,100 commands, 6,100 events: a second or two of work


def kill(process) -> None:
    process.send_signal(signal.SIGKILL)  # no clean-up of any kind
    process.wait()


def test_apply_killed_at_random_moments_then_run_again_equals_one_clean_run(
    db_url, clean_url, tmp_path
):
    commands = workload(PERSONS)
    path = write_jsonl(tmp_path / "year.jsonl", commands)
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1 << 30)))
    rnd = random.Random(seed)

    init(clean_url)
    started = time.perf_counter()
    cli("apply", str(path), "--db", clean_url)
    took = time.perf_counter() - started

    init(db_url)
    probe = Probe(db_url)
    moments: list[str] = []
    try:
        # 1. Person keys written, events not yet saved (the keys are committed first).
        process = start_apply(db_url, path)
        if wait_for(process, lambda: probe.keys() > 0):
            kill(process)
            moments.append(f"keys written, {probe.events()} events saved")
        else:
            moments.append(f"finished first: {finish(process).stdout!r}")

        # 2. A random moment while the file is read and checked (or the moment
        # the events are saved, if that comes first).
        process = start_apply(db_url, path)
        wait_until_reading(process, path)
        delay = rnd.uniform(0.0, 0.6) * took
        seen = watch(process, lambda: probe.events() > 0, delay)
        kill(process)
        moments.append(f"{delay:.2f}s after opening the file ({seen}), {probe.events()} saved")

        # 3. Events saved, reports catching up with them: somewhere in the catch-up.
        process = start_apply(db_url, path)
        if wait_for(process, lambda: probe.events() > 0 and probe.projected() < probe.events()):
            time.sleep(rnd.uniform(0.0, 0.4) * took)
            alive = process.poll() is None
            kill(process)
            moments.append(
                f"catching up: {probe.projected()} of {probe.events()} events projected"
                + ("" if alive else " (it had finished)")
            )
        else:
            moments.append("finished before the reports were behind")

        # 4. A random moment of a run that finds the file already applied.
        process = start_apply(db_url, path)
        wait_until_reading(process, path)
        delay = rnd.uniform(0.0, 0.5) * took
        time.sleep(delay)
        kill(process)
        moments.append(f"{delay:.2f}s into a re-run")

        stored_before = probe.events()
    finally:
        probe.close()
    why = f"seed {seed}, killed: {moments}"
    print(why)

    final = finish(start_apply(db_url, path))
    assert final.returncode == 0, (why, final.stderr)
    assert_plain(final)
    n = len(commands)
    expected = {"applied": 0, "duplicates": n} if stored_before else {"applied": n, "duplicates": 0}
    assert final.report == {**expected, "errors": []}, why

    crashed, clean = snapshot(db_url), snapshot(clean_url)
    assert_caught_up(crashed)
    assert_caught_up(clean)
    assert crashed == clean, why
    assert len(clean["names"]) == PERSONS
    assert all(name.startswith("Person ") for name in crashed["names"].values()), why
    assert reports(db_url, "P3", "PRV3", "2022-09") == reports(clean_url, "P3", "PRV3", "2022-09")
