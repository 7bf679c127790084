"""A portal over a ledger holding the demo's first year, with an account per role.

`world` is built once a module on each database (the demo's commands take a
few seconds); tests that change accounts or the clock use `small_world`.
Passwords are hashed with argon2's cheapest settings here only: the
portal's own hasher is argon2-cffi's default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient

from isf_ledger.bootstrap import Ledger, init_ledger
from isf_ledger.demo import demo_commands, people_and_providers
from isf_ledger.settings import Settings
from portal.app import create_app
from tests.conftest import _require_postgres, fresh_database

PASSWORD = "correct horse battery"

# username: (role, bound id, another party's id of the same kind)
PEOPLE = {
    "alice": ("council", None, None),
    "audrey": ("auditor", None, None),
    "care": ("provider", "PRV-CARE", "PRV-HILL"),
    "morag": ("person", "P-0001", "P-0002"),
}


class Clock:
    """The accounts' clock, moved by tests instead of waiting."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    ledger: Ledger
    app: Flask
    clock: Clock
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def client(self, username: str | None) -> FlaskClient:
        """A client logged in as `username` (None: nobody), kept for the module."""
        key = username or "-"
        if key not in self.clients:
            self.clients[key] = self.app.test_client()
            if username is not None:
                assert log_in(self.clients[key], username).status_code == 303
        return self.clients[key]


def csrf(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no form on {path}"
    return found.group(1)


def log_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def build(url: str, commands: list[dict[str, Any]], *, https: bool = False) -> World:
    ledger = init_ledger(Settings(db_url=url))
    result = ledger.apply([(n, json.dumps(c)) for n, c in enumerate(commands, start=1)])
    assert not result.errors, result.errors[:3]
    clock = Clock()
    accounts = ledger.accounts
    accounts.clock = clock
    accounts.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    for username, (role, subject, _other) in PEOPLE.items():
        accounts.set_password(accounts.add(username, role, subject), PASSWORD)
    return World(ledger, create_app(ledger, https=https), clock)


DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def world_on(backend: str, commands: list[dict[str, Any]]) -> Iterator[World]:
    """A world on a database of its own, removed afterwards."""
    if backend == "postgres":
        _require_postgres()
    url, remove = fresh_database(backend)
    built = build(url, commands)
    yield built
    built.ledger.close()
    remove()


@pytest.fixture(scope="module", params=DATABASES)
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """The demo's first year and an account per role, on each database."""
    yield from world_on(request.param, demo_commands())


@pytest.fixture
def small_world() -> Iterator[World]:
    """Only the demo's people and providers, on SQLite: for tests that change things."""
    url, remove = fresh_database("sqlite")
    built = build(url, people_and_providers())
    yield built
    built.ledger.close()
    remove()
