"""Every kind of bad input in `kinds.py`, refused plainly and changing nothing, on both
databases; and the README's table lists exactly these kinds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _require_postgres, new_pg_schema
from tests.fuzz.harness import refused_unchanged, set_up
from tests.fuzz.kinds import KINDS, Kind

README = Path(__file__).parents[2] / "README.md"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def ledger_url(request, tmp_path_factory) -> Iterator[str]:
    """One ledger holding the base data for all the kinds: none of them may change it."""
    folder = tmp_path_factory.mktemp("bad-input")
    if request.param == "sqlite":
        url = str(folder / "ledger.db")
        set_up(url, folder)
        yield url
        return
    _require_postgres()
    with new_pg_schema() as url:
        set_up(url, folder)
        yield url


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_each_kind_of_bad_input_is_refused_plainly_and_changes_nothing(
    kind: Kind, ledger_url: str, tmp_path: Path
):
    refused_unchanged(ledger_url, *kind.args(tmp_path))


def test_the_readme_table_lists_every_kind_with_its_count():
    text = README.read_text(encoding="utf-8")
    for kind in KINDS:
        assert kind.name in text, kind.name
    total = re.search(r"\*\*(\d+) kinds\*\*", text)
    assert total and int(total.group(1)) == len(KINDS)
