"""Databases made inside a test, for hypothesis examples that each need an empty one."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable

import psycopg

from tests.conftest import PG_ROOT


def fresh_database(backend: str) -> tuple[str, Callable[[], None]]:
    """A URL for an empty ledger database of its own, and how to remove it."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="isf-ledger-machine-")
        return os.path.join(folder, "ledger.db"), lambda: shutil.rmtree(folder, True)
    schema = f"t_{uuid.uuid4().hex[:16]}"

    def drop() -> None:
        with psycopg.connect(PG_ROOT, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return f"{PG_ROOT}?schema={schema}", drop
