"""Two `apply` processes at once: nothing lost, nothing doubled, nothing half-written.

(a) the same file twice: one applies it, the other finds every command a
duplicate; (b) two files touching the same aggregates (hours and payments of
the same agreements, different weeks and periods): both applied, exactly
once; (c) two files reusing command ids for different content: one applies,
the other is rejected with plain `conflict` lines and leaves no trace. Every
run exits plainly (no traceback), and afterwards every report has read to
the end of the log.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from isf_ledger.application.apply import ApplyResult, apply_lines
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.bootstrap import open_ledger
from isf_ledger.settings import Settings
from tests.integration.apply_runs import (
    Command,
    Finished,
    assert_caught_up,
    assert_plain,
    cli,
    finish,
    init,
    snapshot,
    start_apply,
    workload,
    write_jsonl,
)

PERSONS = 12


def together(db_url: str, *paths: Path) -> list[Finished]:
    """Start one `apply` per file at the same moment; wait for all of them."""
    processes = [start_apply(db_url, path, verbose=True) for path in paths]
    runs = [finish(p) for p in processes]
    print("retries:", [r.retries for r in runs])
    return runs


def split(commands: list[Command]) -> tuple[list[Command], list[Command], list[Command]]:
    """(setup, first half of the year's hours and payments, second half)."""
    setup = [c for c in commands if c["type"] not in ("RecordHours", "RecordPayment")]
    first, second = [], []
    for c in commands:
        if c["type"] == "RecordHours":
            week = int(c["command_id"].rsplit("-", 1)[1])
            (first if week % 2 == 0 else second).append(c)
        elif c["type"] == "RecordPayment":
            (first if c["period"] <= 6 else second).append(c)
    return setup, first, second


def apply_here(db_url: str, path: Path) -> None:
    cli("apply", str(path), "--db", db_url)


def events_by_aggregate(snap: dict[str, Any]) -> dict[str, list[int]]:
    versions: dict[str, list[int]] = {}
    for originator, version, _topic in snap["events"]:
        versions.setdefault(originator, []).append(version)
    return versions


def unordered_trail(snap: dict[str, Any]) -> list[str]:
    return sorted(repr(sorted(row.items())) for row in snap["trail"])


def test_the_same_file_twice_at_once_is_applied_exactly_once(db_url, tmp_path):
    commands = workload(PERSONS)
    path = write_jsonl(tmp_path / "year.jsonl", commands)
    init(db_url)

    runs = together(db_url, path, path)

    for run in runs:
        assert run.returncode == 0, run.stderr
        assert_plain(run)
    n = len(commands)
    assert sorted((r.report["applied"], r.report["duplicates"]) for r in runs) == [(0, n), (n, 0)]
    snap = snapshot(db_url)
    assert_caught_up(snap)
    assert len(snap["events"]) == len({(o, v) for o, v, _ in snap["events"]})
    assert len({row["command_id"] for row in snap["trail"]}) == n
    assert snap["counts"]["audit_commands"] == n
    assert len(snap["names"]) == PERSONS
    assert all(name == f"Person {p} Example" for p, name in snap["names"].items())
    again = finish(start_apply(db_url, path))
    assert again.report == {"applied": 0, "duplicates": n, "errors": []}


def test_two_inits_at_once_on_a_brand_new_database_make_one_ledger(db_url, tmp_path):
    """Both find the database empty and make its tables; two applies then share it."""
    inits = [
        subprocess.Popen(
            [sys.executable, "-m", "cli", "init", "--db", db_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in inits:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    commands = workload(2)
    path = write_jsonl(tmp_path / "small.jsonl", commands)

    runs = together(db_url, path, path)

    for run in runs:
        assert run.returncode == 0, run.stderr
        assert_plain(run)
    n = len(commands)
    assert sorted((r.report["applied"], r.report["duplicates"]) for r in runs) == [(0, n), (n, 0)]
    snap = snapshot(db_url)
    assert_caught_up(snap)
    assert snap["counts"]["audit_commands"] == n


def test_two_files_on_the_same_aggregates_at_once_are_both_applied(db_url, tmp_path):
    setup, first, second = split(workload(PERSONS))
    setup_path = write_jsonl(tmp_path / "setup.jsonl", setup)
    first_path = write_jsonl(tmp_path / "first.jsonl", first)
    second_path = write_jsonl(tmp_path / "second.jsonl", second)
    init(db_url)
    apply_here(db_url, setup_path)

    runs = together(db_url, first_path, second_path)

    for run, part in zip(runs, (first, second), strict=True):
        assert run.returncode == 0, run.stderr
        assert_plain(run)
        assert run.report == {"applied": len(part), "duplicates": 0, "errors": []}
    snap = snapshot(db_url)
    assert_caught_up(snap)

    # The same as applying one file after the other in a ledger of its own,
    # up to the order of the two files' events.
    clean_url = str(tmp_path / "clean.db")
    init(clean_url)
    for path in (setup_path, first_path, second_path):
        apply_here(clean_url, path)
    clean = snapshot(clean_url)
    assert len(snap["events"]) == len(clean["events"])
    assert events_by_aggregate(snap) == events_by_aggregate(clean)
    assert snap["balances"] == clean["balances"]
    assert snap["counts"] == clean["counts"]
    assert unordered_trail(snap) == unordered_trail(clean)


def test_reused_command_ids_at_once_apply_one_file_and_reject_the_other_whole(db_url, tmp_path):
    setup, first, second = split(workload(PERSONS))
    hours = [c for c in first if c["type"] == "RecordHours"]
    payments = {
        "mine": [c for c in first if c["type"] == "RecordPayment"],
        "theirs": [c for c in second if c["type"] == "RecordPayment"],
    }
    files = {
        "mine": list(hours),
        "theirs": [dict(c, delivered_hours="7.25") for c in hours],
    }
    for name, part in files.items():
        part += [dict(c, command_id=f"{name}-{c['command_id']}") for c in payments[name]]
    setup_path = write_jsonl(tmp_path / "setup.jsonl", setup)
    paths = {name: write_jsonl(tmp_path / f"{name}.jsonl", part) for name, part in files.items()}
    init(db_url)
    apply_here(db_url, setup_path)

    runs = dict(zip(paths, together(db_url, *paths.values()), strict=True))

    for run in runs.values():
        assert_plain(run)
    assert sorted(r.returncode for r in runs.values()) == [0, 1], [r.stderr for r in runs.values()]
    won = next(name for name, run in runs.items() if run.returncode == 0)
    lost = next(name for name in runs if name != won)
    assert runs[won].report == {"applied": len(files[won]), "duplicates": 0, "errors": []}
    rejected = runs[lost].report
    assert rejected["applied"] == 0
    assert [e["command_id"] for e in rejected["errors"]] == [c["command_id"] for c in hours]
    assert all(e["error"].startswith("conflict: ") for e in rejected["errors"])
    assert "conflict" in runs[lost].stderr or rejected["errors"]

    # Exactly as if only the winning file had ever been applied.
    snap = snapshot(db_url)
    assert_caught_up(snap)
    clean_url = str(tmp_path / "clean.db")
    init(clean_url)
    apply_here(clean_url, setup_path)
    apply_here(clean_url, paths[won])
    clean = snapshot(clean_url)
    for key in ("events", "balances", "counts", "trail", "names"):
        assert snap[key] == clean[key], key


PERSON = [
    {"command_id": "p1", "type": "RegisterPerson", "person_id": "P1", "authority": "CITY",
     "name": "Morag Campbell"},
    {"command_id": "b1", "type": "ProposeBudget", "budget_id": "B1", "person_id": "P1",
     "start": "2026-04-06", "amount": "13000.00", "method": "RAS"},
]  # fmt: skip


@pytest.mark.parametrize(
    "moment",
    [
        "before it is tried on the read models",
        "before its keys are written",
        "before its events are saved",
    ],
)
def test_a_batch_overtaken_by_another_is_tried_again_and_every_name_stays_readable(
    db_url, moment, monkeypatch
):
    """Exactly the interleavings two processes can meet, played out in one:
    another batch with the same new person goes in while ours is between
    reading the ledger and saving. Ours is tried again and finds duplicates;
    the name the other one sealed (with whichever key won) still opens."""
    init(db_url)
    lines = [(n, json.dumps(c)) for n, c in enumerate(PERSON, start=1)]
    ours, theirs = open_ledger(Settings(db_url=db_url)), open_ledger(Settings(db_url=db_url))
    overtaken: list[ApplyResult] = []

    def overtake() -> None:
        if not overtaken:
            overtaken.append(apply_lines(theirs, lines))

    if moment == "before it is tried on the read models":
        check = ours.check_projectable

        def late_check(events: Any) -> None:
            overtake()
            check(events)

        monkeypatch.setattr(ours, "check_projectable", late_check)
    elif moment == "before its keys are written":
        flush = ours.keys.flush

        def late_flush() -> list[str]:
            overtake()
            return flush()

        monkeypatch.setattr(ours.keys, "flush", late_flush)
    else:
        commit = UnitOfWork.commit

        def late_commit(uow: UnitOfWork) -> Any:
            if uow.app is ours.app:
                overtake()
            return commit(uow)

        monkeypatch.setattr(UnitOfWork, "commit", late_commit)
    try:
        result = apply_lines(ours, lines)
    finally:
        ours.close()
        theirs.close()

    assert overtaken[0].as_json() == {"applied": 2, "duplicates": 0, "errors": []}
    assert result.as_json() == {"applied": 0, "duplicates": 2, "errors": []}
    snap = snapshot(db_url)
    assert_caught_up(snap)
    assert snap["names"] == {"P1": "Morag Campbell"}
    assert len(snap["events"]) == 4
