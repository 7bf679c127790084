"""Where the ledger's data lives: one URL, two databases, the same code.

A URL is either a SQLite path (the embedded default) or `postgresql://...`,
optionally with `?schema=NAME` so several ledgers (and every test) can share
one PostgreSQL database. From it we derive the eventsourcing environment for
the event store and a SQLAlchemy engine for the read models. Nothing here
connects until asked.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import Engine, create_engine, event, text

RECORDER_TOPIC = "isf_ledger.adapters.postgres_recorder:LedgerPostgresRecorder"

SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def psycopg_errors(*names: str) -> tuple[type[Exception], ...]:
    """psycopg's exception classes of these names, for an `except`, if psycopg is loaded:
    only a PostgreSQL ledger loads it, and nothing raises its errors before it is, so a
    SQLite ledger's commands start without it (about 0.05-0.1 s)."""
    module = sys.modules.get("psycopg")
    return tuple(getattr(module, name) for name in names) if module is not None else ()


class DatabaseUrlError(ValueError):
    """A database URL the ledger cannot use."""


@dataclass(frozen=True)
class Database:
    """A parsed database location."""

    kind: str  # "sqlite" or "postgres"
    path: str = ""  # sqlite file
    host: str = ""
    port: int = 5432
    user: str = ""
    password: str = ""
    dbname: str = ""
    schema: str = ""

    @property
    def is_postgres(self) -> bool:
        return self.kind == "postgres"

    def describe(self) -> str:
        if self.is_postgres:
            schema = f" schema {self.schema}" if self.schema else ""
            return f"PostgreSQL {self.host}:{self.port}/{self.dbname}{schema}"
        return f"SQLite {self.path}"


def parse_url(url: str) -> Database:
    """Parse `--db`: a SQLite path or URL, or a PostgreSQL URL."""
    if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        schema = query.get("schema", [""])[0]
        if schema and not SCHEMA_NAME.match(schema):
            raise DatabaseUrlError(f"schema {schema!r} must be lower-case letters, digits and _")
        dbname = parts.path.lstrip("/")
        if not dbname:
            raise DatabaseUrlError(f"{url!r} names no database (postgresql://host:5432/NAME)")
        return Database(
            kind="postgres",
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            dbname=dbname,
            schema=schema,
        )
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
    elif "://" in url:
        raise DatabaseUrlError(f"{url!r}: use a SQLite path or a postgresql:// URL")
    else:
        path = url
    if not path or path == ":memory:":
        raise DatabaseUrlError("the ledger needs a SQLite file, not an in-memory database")
    return Database(kind="sqlite", path=str(Path(path)))


def event_store_env(
    db: Database, *, create_tables: bool, idle_in_transaction_s: int = 600
) -> dict[str, str]:
    """The eventsourcing environment for this database (on PostgreSQL, with the
    recorder that writes a batch without pipeline mode: see `postgres_recorder`,
    and the idle-in-transaction timeout of the settings, not eventsourcing's 5 s)."""
    create = "y" if create_tables else "n"
    if db.is_postgres:
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": RECORDER_TOPIC,
            "POSTGRES_DBNAME": db.dbname,
            "POSTGRES_HOST": db.host,
            "POSTGRES_PORT": str(db.port),
            "POSTGRES_USER": db.user,
            "POSTGRES_PASSWORD": db.password,
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_LOCK_TIMEOUT": "30",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": str(idle_in_transaction_s),
            "POSTGRES_POOL_SIZE": "2",
            "CREATE_TABLE": create,
        }
        if db.schema:
            env["POSTGRES_SCHEMA"] = db.schema
        return env
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": db.path,
        "SQLITE_LOCK_TIMEOUT": "30",
        "CREATE_TABLE": create,
    }


def make_engine(db: Database) -> Engine:
    """A SQLAlchemy engine for the read models on the same database."""
    if db.is_postgres:
        connect_args: dict[str, Any] = {"connect_timeout": 5}
        if db.schema:
            connect_args["options"] = f"-csearch_path={db.schema}"
        url = (
            f"postgresql+psycopg://{db.user}:{db.password}@{db.host}:{db.port}/{db.dbname}"
            if db.password
            else f"postgresql+psycopg://{db.user}@{db.host}:{db.port}/{db.dbname}"
        )
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    engine = create_engine(f"sqlite+pysqlite:///{db.path}", connect_args={"timeout": 30})
    _serialise_sqlite_writers(engine)
    return engine


def _serialise_sqlite_writers(engine: Engine) -> None:
    """Make every SQLite transaction take the write lock at BEGIN.

    pysqlite otherwise begins lazily, so two processes catching up the same
    projection could both read a position before either writes.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def ensure_schema(engine: Engine, db: Database) -> None:
    """Create the PostgreSQL schema named in the URL, if any."""
    if db.is_postgres and db.schema:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{db.schema}"'))
