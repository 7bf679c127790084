"""Fixtures for tests on both databases (`db_url` comes from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from isf_ledger.bootstrap import Ledger, init_ledger
from isf_ledger.settings import Settings
from tests.conftest import new_pg_schema


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
    with new_pg_schema() as url:
        yield url
