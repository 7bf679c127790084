"""Every parser fuzzed with hypothesis, on SQLite and PostgreSQL.

Whatever arrives (any JSON, any bytes, commands with a field changed to
anything, card rows under each built-in profile, profile files, option
values), the answer is a plain message and exit 1 or 2, never a traceback, and
a refused input leaves the database exactly as it was. Each file that must be
refused carries one line that is surely bad, so the fuzzed line is checked
all the way through the rules and still nothing may be stored.

Amounts are drawn at any size, so the limit of 999,999,999.99 is crossed
often; `--db` is fuzzed over SQLite paths in a folder of the test's own, where
nothing but `init` may create a ledger.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isf_ledger.adapters.card_files.profile import (
    CARD_ID,
    Profile,
    ProfileError,
    builtin_profiles,
    parse_profile,
    profile_template,
)
from tests.fuzz.harness import BASE, invoke, plain_refusal, refused_unchanged, set_up, snapshot
from tests.fuzz.kinds import COST, KINDS

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
SURELY_BAD = "{"  # not JSON: the file is refused whatever the other lines are

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
# What a caller might put in a field: anything JSON, or text shaped like the
# contract's values (money within the limit, dates, ids), a little wrong or not.
field_values = (
    json_values
    | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str)
    | st.dates().map(str)
    | st.from_regex(r"\A[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\Z")
    | st.sampled_from(["A1", "B1", "P1", "S1", "CARD-A", "PR1", "base-1", "4821", "monthly"])
)
COMMANDS = [COST, *({"command_id": "f1", **c} for c in BASE)]


@pytest.fixture
def ledger_url(db_url: str, tmp_path: Path) -> str:
    set_up(db_url, tmp_path)
    return db_url


def _apply_refused(url: str, folder: Path, *lines: bytes) -> None:
    path = folder / "fuzz.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    refused_unchanged(url, "apply", str(path))


@FUZZ
@given(value=json_values)
def test_any_json_line_is_refused_plainly(ledger_url, tmp_path, value):
    _apply_refused(ledger_url, tmp_path, json.dumps(value).encode(), SURELY_BAD.encode())


@FUZZ
@given(line=st.binary(max_size=300))
def test_any_bytes_are_refused_plainly(ledger_url, tmp_path, line):
    _apply_refused(ledger_url, tmp_path, line, SURELY_BAD.encode())


@FUZZ
@given(command=st.sampled_from(COMMANDS), data=st.data())
def test_a_command_with_any_field_changed_is_handled_plainly(ledger_url, tmp_path, command, data):
    field = data.draw(st.sampled_from(sorted(command)), label="field")
    changed = {**command, field: data.draw(field_values, label="value")}
    _apply_refused(ledger_url, tmp_path, json.dumps(changed).encode(), SURELY_BAD.encode())


# ---- card exports ------------------------------------------------------------------

PROFILES = {p.name: p for p in builtin_profiles()}
cells = (
    st.text(max_size=24)
    | st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str)
    | st.dates().map(lambda d: d.strftime("%d/%m/%Y"))
    | st.dates().map(str)
    | st.sampled_from(["CARD-A", "************4821", "4751 **** **** 7730", "Purchase", "LOAD",
                       "£1,204.40", "(12.50)", "45.60 DR", "1.90E+21", "Pending", ""])
)  # fmt: skip


def _card_export(profile: Profile, rows: list[list[str]]) -> bytes:
    """An export in the profile's shape: titles above the header, its delimiter and
    encoding, the fuzzed rows, then a row for a card the ledger does not know."""
    columns = list(profile.columns.used().values())
    unknown_card = "NO-SUCH-CARD" if profile.card_column_holds == CARD_ID else "9999"
    posted = date(2026, 3, 3).strftime(profile.date_formats[0])
    surely = {profile.columns.card: unknown_card, profile.columns.posted_on: posted}
    sentinel = [surely.get(c, "") for c in columns]
    lines = [["title"]] * (profile.header_row - 1) + [columns, *rows, sentinel]
    text = "\r\n".join(
        profile.delimiter.join('"' + c.replace('"', '""') + '"' for c in line) for line in lines
    )
    return text.encode(profile.encoding, errors="replace")


@pytest.mark.parametrize("name", sorted(PROFILES))
@FUZZ
@given(data=st.data())
def test_any_card_rows_under_each_profile_are_handled_plainly(ledger_url, tmp_path, name, data):
    profile = PROFILES[name]
    width = len(profile.columns.used())
    rows = data.draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=5))
    path = tmp_path / "cards.csv"
    path.write_bytes(_card_export(profile, rows))
    refused_unchanged(ledger_url, "cards", "import", str(path), "--profile", name)


@FUZZ
@given(data=st.binary(max_size=400))
def test_any_bytes_as_a_card_file_are_refused_plainly(ledger_url, tmp_path, data):
    path = tmp_path / "cards.csv"
    path.write_bytes(data + b"\nno,such,card,row\n")
    refused_unchanged(ledger_url, "cards", "import", str(path), "--profile", "generic")


# ---- card profiles -----------------------------------------------------------------

TEMPLATE_LINES = profile_template().splitlines()
toml_values = st.sampled_from(['""', '";"', "0", "-1", "true", "[]", '["%Y"]', "{}", '"x"']) | (
    st.text(max_size=10).map(json.dumps)
)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1")))
def test_any_text_as_a_profile_is_a_profile_error_or_a_profile(text):
    with contextlib.suppress(ProfileError):
        parse_profile(text.encode("utf-8", errors="surrogatepass"), "fuzz.toml")


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_the_template_with_any_value_changed_is_a_profile_error_or_a_profile(data):
    settable = [n for n, line in enumerate(TEMPLATE_LINES) if " = " in line and line[0] != "#"]
    n = data.draw(st.sampled_from(settable))
    key = TEMPLATE_LINES[n].split(" = ", 1)[0]
    lines = [*TEMPLATE_LINES]
    lines[n] = f"{key} = {data.draw(toml_values)}"
    with contextlib.suppress(ProfileError):
        parse_profile("\n".join(lines).encode(), "fuzz.toml")


@FUZZ
@given(text=st.binary(max_size=300))
def test_any_profile_file_is_refused_plainly_by_the_import(ledger_url, tmp_path, text):
    (tmp_path / "mine.toml").write_bytes(text)
    (tmp_path / "cards.csv").write_bytes(b"x\n")
    refused_unchanged(
        ledger_url, "cards", "import", str(tmp_path / "cards.csv"),
        "--profile", str(tmp_path / "mine.toml"),
    )  # fmt: skip


# ---- option values -----------------------------------------------------------------

REPORTS: list[tuple[str, ...]] = [
    ("statement", "provider", "--provider", "PR1", "--month", "2026-01"),
    ("statement", "provider", "--provider", "PR1", "--month", "2026-01", "--previous-as-at",
     "2026-01-01T00:00:00Z"),
    ("statement", "person", "--person", "P1", "--as-at", "2026-12-01T00:00:00Z"),
    ("statement", "person", "--person", "P1", "--budget", "B1"),
    ("reconcile", "cards", "--month", "2026-03", "--card", "CARD-A"),
    ("audit", "trail", "--person", "P1"),
    ("audit", "trail", "--from", "2026-01-01", "--to", "2026-12-31"),
    ("audit", "verify", "--recorded-head", "0" * 64),
    ("export", "beancount", "--as-at", "2026-12-01T00:00:00Z"),
]  # fmt: skip
option_text = st.text(max_size=30) | st.from_regex(r"\A[0-9:TZ+-]{4,25}\Z")


@FUZZ
@given(report=st.sampled_from(REPORTS), data=st.data())
def test_any_option_value_gets_a_plain_answer_and_changes_nothing(ledger_url, report, data):
    values = [i for i, arg in enumerate(report) if i > 2 and not arg.startswith("--")]
    at = data.draw(st.sampled_from(values), label="which value")
    args = [*report]
    args[at] = data.draw(option_text, label="value")
    before = snapshot(ledger_url)
    result = invoke(*args, "--db", ledger_url)
    if result.exit_code != 0:
        plain_refusal(result)
    assert snapshot(ledger_url) == before


COMMANDS_ON_A_LEDGER: list[tuple[str, ...]] = [
    ("audit", "verify"),
    ("audit", "trail"),
    ("statement", "person", "--person", "P1"),
    ("reconcile", "cards", "--month", "2026-03"),
    ("projections", "rebuild"),
]
db_names = st.text(min_size=1, max_size=20).filter(lambda t: "/" not in t and "\x00" not in t)


@FUZZ
@given(command=st.sampled_from(COMMANDS_ON_A_LEDGER), name=db_names)
def test_any_db_path_but_a_ledger_is_refused_plainly_and_creates_nothing(tmp_path, command, name):
    """Only `init` makes a ledger: any other command on a path that holds none
    exits with a plain message and leaves the folder as it was."""
    folder = tmp_path / "dbs"
    folder.mkdir(exist_ok=True)
    before = sorted(folder.iterdir())
    result = invoke(*command, "--db", str(folder / name))
    plain_refusal(result, codes=(1, 2))
    assert sorted(folder.iterdir()) == before


# ---- as a real process -------------------------------------------------------------


def test_bad_input_prints_no_traceback_from_the_real_command(sqlite_url, tmp_path):
    """A few kinds of each parser through `python -m cli`, as a user runs it."""
    set_up(sqlite_url, tmp_path)
    for kind in KINDS[::7]:
        args = kind.args(tmp_path)
        run = subprocess.run(
            [sys.executable, "-m", "cli", *args, "--db", sqlite_url],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert run.returncode in (1, 2), (kind.name, run.returncode, run.stderr)
        assert "Traceback" not in run.stderr and run.stderr.strip(), (kind.name, run.stderr)
