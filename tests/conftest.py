"""Shared fixtures: a fresh ledger on SQLite and on the local PostgreSQL.

Every test gets its own SQLite file or its own PostgreSQL schema. Under
CI=true a PostgreSQL that cannot be reached fails the test instead of
skipping it.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

import psycopg
import pytest
from hypothesis import settings

# No example is held to a time limit: on a loaded 2-core machine hypothesis's
# default 200 ms deadline failed examples that were merely descheduled.
settings.register_profile("ledger", deadline=None)
settings.load_profile("ledger")

PG_ROOT = os.environ.get("ISF_LEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _require_postgres() -> None:
    try:
        psycopg.connect(PG_ROOT, connect_timeout=3).close()
    except psycopg.OperationalError as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and is unreachable: {e}")
        pytest.skip(f"PostgreSQL unreachable: {e}")


@contextmanager
def new_pg_schema() -> Iterator[str]:
    """A ledger URL in a brand-new PostgreSQL schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    try:
        yield f"{PG_ROOT}?schema={schema}"
    finally:
        with psycopg.connect(PG_ROOT, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def fresh_database(backend: str) -> tuple[str, Callable[[], None]]:
    """A URL for an empty ledger database of its own, and how to remove it
    (for hypothesis examples, which each need one inside a single test)."""
    stack = ExitStack()
    if backend == "sqlite":
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="isf-ledger-example-"))
        return os.path.join(folder, "ledger.db"), stack.close
    return stack.enter_context(new_pg_schema()), stack.close


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A ledger URL in a brand-new PostgreSQL schema, dropped afterwards."""
    _require_postgres()
    with new_pg_schema() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return str(tmp_path / "ledger.db")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    """Each test that takes `db_url` runs once on SQLite and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(name)
