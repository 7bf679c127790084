"""The one place that wires the ledger together.

`open_ledger` builds the application (`application.service.Ledger`) with its
settings, event store, read-model engine and projections for one database
URL; only entry points (the command line, the benchmarks, the demo) import
this. Nothing connects at import time; `init_ledger` creates or upgrades
every table and is safe to run again.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import OperationalError

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
from isf_ledger.application.service import Ledger
from isf_ledger.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config


class NotInitialised(RuntimeError):
    """The database holds no ledger, or an older schema than this code."""


class NotALedger(RuntimeError):
    """A SQLite path that cannot hold a ledger: a folder, another kind of file, a missing folder."""


MIGRATIONS = Path(migrations.__file__).parent
SQLITE_HEADER = b"SQLite format 3\x00"


def head_revision() -> str:
    """This code's newest migration: versions are numbered `NNNN_what.py`.

    Read from the file names so opening a ledger need not import Alembic.
    """
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


_NO_SUCH_DATABASE = re.compile(r'FATAL:\s+database ".*" does not exist')


def _current_revision(engine: Engine) -> str | None:
    try:
        conn = engine.connect()
    except OperationalError as e:
        # A database that does not exist holds no ledger, like an empty schema.
        if _NO_SUCH_DATABASE.search(str(e.orig)):
            return None
        raise
    with conn:
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
    if not db.is_postgres:
        _check_sqlite_path(db)
    engine = make_engine(db)
    with _alone(engine, db):
        ensure_schema(engine, db)
        app = _app(settings, db, create_tables=True)
        _upgrade(engine)
        ledger = Ledger(settings, db, app, engine, PersonKeys(engine))
        ledger.catch_up()
    return ledger


def open_ledger(settings: Settings) -> Ledger:
    """Open an existing ledger; only `init_ledger` makes one.

    A mistyped `--db` must not leave a new, empty ledger behind that then
    answers every report with nothing: whether the database holds a ledger
    is asked without creating or changing anything (SQLite read-only).
    """
    db = parse_url(settings.db_url)
    head = head_revision()
    if db.is_postgres:
        engine = make_engine(db)
        current = _current_revision(engine)
    else:
        current = _sqlite_revision(db)
    if current is None:
        if db.is_postgres:
            engine.dispose()
        raise NotInitialised(f"no ledger at {_where(db)}: run `isf-ledger init`")
    if not db.is_postgres:
        engine = make_engine(db)
    if current != head:
        engine.dispose()
        raise NotInitialised(
            f"{db.describe()} is at schema {current}, this version needs {head}: "
            "run `isf-ledger init` to upgrade"
        )
    app = _app(settings, db, create_tables=False)
    return Ledger(settings, db, app, engine, PersonKeys(engine))


def _where(db: Database) -> str:
    return db.describe() if db.is_postgres else db.path


def _check_sqlite_path(db: Database) -> None:
    """Refuse a path no ledger can be at, in plain words instead of a driver's error."""
    path = Path(db.path)
    if path.is_dir():
        raise NotALedger(f"{path} is a folder, not a ledger file")
    if not path.exists():
        if not path.parent.is_dir():
            raise NotALedger(f"cannot make a ledger at {path}: there is no folder {path.parent}")
        return
    with path.open("rb") as handle:
        start = handle.read(len(SQLITE_HEADER))
    if start and start != SQLITE_HEADER:
        raise NotALedger(f"{path} is not a ledger: it is not a SQLite database")


def _sqlite_revision(db: Database) -> str | None:
    """The schema revision of the ledger in a SQLite file, or None when it holds none."""
    path = Path(db.path)
    if not path.exists():
        return None
    _check_sqlite_path(db)
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except sqlite3.OperationalError:  # no such table: a SQLite database, not a ledger
        return None
    except sqlite3.DatabaseError as e:
        raise NotALedger(f"{path} is not a ledger: {e}") from None
    finally:
        conn.close()
