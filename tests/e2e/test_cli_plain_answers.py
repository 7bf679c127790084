"""Plain answers for a new user (issue 14, items 5 and 11): bad files are reported
where they are bad, every command that changes the ledger can answer in JSON,
an unknown name is an error, and `--version` loads nothing heavy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.__main__ import main
from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.application.card_import import import_files
from isf_ledger.bootstrap import init_ledger
from isf_ledger.settings import Settings
from tests.integration.card_setup import TWO_CARDS, apply, fixture

PERSON = {"command_id": "p1", "type": "RegisterPerson", "person_id": "P1", "authority": "CITY"}
PROVIDER = {
    "command_id": "v1",
    "type": "RegisterProvider",
    "provider_id": "PRV-1",
    "name": "Care Ltd",
    "framework": "on",
}


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def sqlite_url(sqlite_url: str) -> str:
    """An initialised ledger: only `init` makes one."""
    init_ledger(Settings(db_url=sqlite_url)).close()
    return sqlite_url


def test_a_line_that_is_not_utf8_is_reported_with_its_number(tmp_path, sqlite_url):
    path = tmp_path / "commands.jsonl"
    path.write_bytes(json.dumps(PERSON).encode() + b'\n{"reason": "caf\xe9"}\n')
    result = cli("apply", str(path), "--db", sqlite_url)
    assert result.exit_code == 1
    assert f"{path}:2: not UTF-8 text: byte 0xe9 at position 16" in result.stderr
    assert "rejected: 1 bad line(s); nothing applied" in result.stderr


def test_an_empty_command_file_says_so_and_counts_no_bad_line(tmp_path, sqlite_url):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    result = cli("apply", str(path), "--db", sqlite_url)
    assert result.exit_code == 1
    assert result.stderr == f"{path}: the file holds no commands\nrejected: nothing applied\n"


def test_a_file_in_another_delimiter_suggests_the_delimiter(tmp_path, sqlite_url):
    apply(sqlite_url, tmp_path, TWO_CARDS)
    result = cli(
        "cards", "import", str(fixture("processor-semicolon")), "--profile", "generic",
        "--db", sqlite_url,
    )  # fmt: skip
    assert result.exit_code == 1
    assert "looks semicolon-separated (';'), but profile 'generic' reads comma-separated" in (
        result.stderr
    )
    assert "missing column" not in result.stderr


def _loaded_by(args: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """The CLI's output lines for `args`, in a fresh interpreter, then the modules it
    loaded whose names start with one of `prefixes` (as a list's repr)."""
    probe = (
        "import sys\n"
        "from cli.__main__ import main\n"
        "try:\n"
        f"    main({args!r}, prog_name='isf-ledger')\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        f"print(sorted(m for m in sys.modules if m.startswith({prefixes!r})))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return run.stdout.splitlines()


def test_version_loads_no_database_driver_or_framework():
    heavy = ("sqlalchemy", "psycopg", "eventsourcing", "pydantic", "rich", "isf_ledger")
    assert _loaded_by(["--version"], heavy) == ["isf-ledger, version 0.1.0", "[]"]


def test_a_card_import_into_sqlite_loads_no_postgresql_driver_or_command_models(
    tmp_path, sqlite_url
):
    apply(sqlite_url, tmp_path, TWO_CARDS)
    args = ["cards", "import", str(fixture("generic")), "--profile", "generic",
            "--db", sqlite_url, "--format", "json"]  # fmt: skip
    unused = ("psycopg", "isf_ledger.application.commands", "isf_ledger.handlers")
    answer = _loaded_by(args, unused)
    assert json.loads("\n".join(answer[:-1]))["files"][0]["imported"] > 0
    assert answer[-1] == "[]"


def test_init_rebuild_and_forget_answer_in_json(tmp_path, db_url):
    ready = cli("init", "--db", db_url, "--format", "json")
    assert ready.exit_code == 0 and json.loads(ready.stdout)["ready"] is True
    apply(db_url, tmp_path, [PERSON | {"name": "Morag"}])
    rebuilt = cli("projections", "rebuild", "--db", db_url, "--format", "json")
    assert rebuilt.exit_code == 0
    assert json.loads(rebuilt.stdout) == {"read_models": 5, "events": 2}
    forgot = cli("forget", "person", "P1", "--db", db_url, "--format", "json")
    assert forgot.exit_code == 0 and json.loads(forgot.stdout) == {"forgotten": "P1"}


def test_an_unknown_provider_exits_1_like_an_unknown_person(tmp_path, sqlite_url):
    apply(sqlite_url, tmp_path, [PERSON, PROVIDER])
    unknown = cli("statement", "provider", "--provider", "PRV-NONE", "--month", "2026-05",
                  "--db", sqlite_url)  # fmt: skip
    assert unknown.exit_code == 1
    assert unknown.stderr == "isf-ledger: no provider PRV-NONE\n"
    known = cli("statement", "provider", "--provider", "PRV-1", "--month", "2026-05",
                "--db", sqlite_url)  # fmt: skip
    assert known.exit_code == 0, known.stderr
    assert "holds no ISF in 2026-05" in known.stderr


def test_the_import_progress_names_each_phase_after_reading(tmp_path, sqlite_url):
    apply(sqlite_url, tmp_path, TWO_CARDS)
    seen: list[str] = []

    def start(_path: str | Path, _size: int):
        return lambda _done, phase: seen.append(phase) if phase not in seen else None

    ledger = init_ledger(Settings(db_url=sqlite_url))
    try:
        import_files(ledger, [fixture("generic")], load_profile("generic"), progress=start)
    finally:
        ledger.close()
    assert seen == [
        "reading",
        "storing new rows",
        "checking what was stored",
        "recording the import",
    ]
