"""The one place that wires the ledger together.

`open_ledger` builds settings, logging, the event store, the read-model engine
and the projections for one database URL. Nothing connects at import time;
`init_ledger` creates or upgrades every table and is safe to run again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

import migrations
from isf_ledger.adapters.database import (
    Database,
    ensure_schema,
    event_store_env,
    make_engine,
    parse_url,
)
from isf_ledger.adapters.event_store import (
    AtRestKeyError,
    LedgerApp,
    at_rest_env,
    check_at_rest_key,
)
from isf_ledger.adapters.personal_data import PersonKeys
from isf_ledger.adapters.seal import seal_new
from isf_ledger.adapters.statistics import refresh_statistics
from isf_ledger.projections import catalogue
from isf_ledger.projections.ledger_legs import balance
from isf_ledger.projections.runner import Projection, Recorded, catch_up, rebuild
from isf_ledger.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config


class NotInitialised(RuntimeError):
    """The database holds no ledger, or an older schema than this code."""


@dataclass
class Ledger:
    """Everything one run needs, built once."""

    settings: Settings
    db: Database
    app: LedgerApp
    engine: Engine
    keys: PersonKeys
    projections: tuple[Projection, ...] = field(default_factory=catalogue.all_projections)

    def catch_up(self, fresh: Sequence[Recorded] = ()) -> int:
        """Seal new events, then bring every report up to date with them."""
        seal_new(self.engine, self.app)
        read = catch_up(self.engine, self.app, self.projections, fresh=fresh)
        if read:
            refresh_statistics(self.engine)
        return read

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Every read model again, from all the events, in one transaction."""
        read = rebuild(
            self.engine,
            self.app,
            self.projections,
            cache_mb=self.settings.rebuild_cache_mb,
            progress=progress,
        )
        refresh_statistics(self.engine)
        return read

    def fund_balance(self, account: str, on: date) -> Decimal:
        """The balance of a fund (ISF or card) on a business date, as stored."""
        with self.engine.connect() as conn:
            return balance(conn, account, on=on)

    def close(self) -> None:
        self.app.close()
        self.engine.dispose()


MIGRATIONS = Path(migrations.__file__).parent


def head_revision() -> str:
    """This code's newest migration: versions are numbered `NNNN_what.py`.

    Read from the file names so opening a ledger need not import Alembic.
    """
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def alembic_config(conn: Connection) -> Config:
    """Alembic's configuration for running this ledger's migrations on `conn`."""
    from alembic.config import Config  # only `init` (and a new ledger) migrates

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def _upgrade(engine: Engine) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")


def _app(settings: Settings, db: Database, *, create_tables: bool) -> LedgerApp:
    env = event_store_env(
        db, create_tables=create_tables, idle_in_transaction_s=settings.pg_idle_in_transaction_s
    ) | at_rest_env(settings.at_rest_key)
    app = LedgerApp(env=env)
    try:
        check_at_rest_key(app)
    except AtRestKeyError:
        app.close()
        raise
    return app


@contextmanager
def _alone(engine: Engine, db: Database) -> Iterator[None]:
    """One `init` at a time on a PostgreSQL ledger.

    Two processes opening the same empty database at once would otherwise race
    to create the same schema and tables, and one would fail. SQLite needs no
    help: its DDL runs under its one write lock.
    """
    if not db.is_postgres:
        yield
        return
    name = f"isf-ledger init {db.dbname} {db.schema}".encode()
    key = int.from_bytes(hashlib.sha256(name).digest()[:8], "big", signed=True)
    with engine.begin() as conn:  # the lock goes when this transaction ends
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        yield


def init_ledger(settings: Settings) -> Ledger:
    """Create or upgrade the event store and every read model."""
    db = parse_url(settings.db_url)
    engine = make_engine(db)
    with _alone(engine, db):
        ensure_schema(engine, db)
        app = _app(settings, db, create_tables=True)
        _upgrade(engine)
        ledger = Ledger(settings, db, app, engine, PersonKeys(engine))
        ledger.catch_up()
    return ledger


def open_ledger(settings: Settings) -> Ledger:
    """Open a ledger; an empty database (or new SQLite file) is initialised first."""
    db = parse_url(settings.db_url)
    if not db.is_postgres and not Path(db.path).exists():
        return init_ledger(settings)
    engine = make_engine(db)
    current, head = _current_revision(engine), head_revision()
    if current is None:
        # An empty database: make it a ledger, as `init` would.
        engine.dispose()
        return init_ledger(settings)
    if current != head:
        engine.dispose()
        raise NotInitialised(
            f"{db.describe()} is at schema {current}, this version needs {head}: "
            "run `isf-ledger init` to upgrade"
        )
    app = _app(settings, db, create_tables=False)
    return Ledger(settings, db, app, engine, PersonKeys(engine))
