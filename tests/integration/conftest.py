"""Fixtures for tests on both databases (`db_url` comes from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from isf_ledger.bootstrap import Ledger, init_ledger
from isf_ledger.settings import Settings
from tests.integration.apply_runs import other_pg_url


@pytest.fixture
def ledger_factory() -> Iterator[Callable[[str], Ledger]]:
    """Opens (initialising) ledgers by URL; closes them all afterwards."""
    opened: list[Ledger] = []

    def open_one(url: str) -> Ledger:
        opened.append(init_ledger(Settings(db_url=url)))
        return opened[-1]

    yield open_one
    for led in opened:
        led.close()


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    """A new, initialised ledger, closed afterwards."""
    led = init_ledger(Settings(db_url=db_url))
    yield led
    led.close()


@pytest.fixture
def clean_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, separate ledger on the same kind of database as `db_url`,
    to compare with a clean single run."""
    if not db_url.startswith("postgresql"):
        yield str(tmp_path / "clean.db")
        return
    with other_pg_url() as url:
        yield url
