"""The portal's tables (migration 0011) and the few queries on them.

Accounts, server-side sessions, one-time links and the access log live
beside the ledger in the same database, never in events. Times are the
ledger's fixed-width UTC text (`projections.runner.instant`), so text order
is time order.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    update,
)

from isf_ledger.adapters.schema import metadata

users = Table(
    "portal_users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("subject_id", String(64)),
    Column("password_hash", Text),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", String(32)),
    Column("created_at", String(32), nullable=False),
    Column("disabled_at", String(32)),
)

sessions = Table(
    "portal_sessions",
    metadata,
    Column("session_id", String(128), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("expires_at", String(32), nullable=False),
)

links = Table(
    "portal_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("used_at", String(32)),
)

access_log = Table(
    "portal_access_log",
    metadata,
    Column("entry", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", String(32), nullable=False),
    Column("username", String(64)),
    Column("method", String(8), nullable=False),
    Column("path", Text, nullable=False),
    Column("status", Integer, nullable=False),
)


@dataclass(frozen=True)
class UserRow:
    """One account as stored."""

    username: str
    role: str
    subject_id: str | None
    password_hash: str | None
    failed_logins: int
    locked_until: str | None
    created_at: str
    disabled_at: str | None


def find_user(conn: Connection, username: str) -> UserRow | None:
    row = conn.execute(select(users).where(users.c.username == username)).one_or_none()
    return UserRow(**row._mapping) if row is not None else None


def all_users(conn: Connection) -> list[UserRow]:
    return [UserRow(**r._mapping) for r in conn.execute(select(users).order_by(users.c.username))]


def add_user(conn: Connection, username: str, role: str, subject_id: str | None, at: str) -> None:
    conn.execute(
        insert(users).values(
            username=username, role=role, subject_id=subject_id, failed_logins=0, created_at=at
        )
    )


def change_user(conn: Connection, username: str, **values: object) -> None:
    conn.execute(update(users).where(users.c.username == username).values(**values))


def add_link(conn: Connection, token_hash: str, username: str, expires_at: str) -> None:
    conn.execute(
        insert(links).values(token_hash=token_hash, username=username, expires_at=expires_at)
    )


def open_link(conn: Connection, token_hash: str, now: str) -> str | None:
    """The username of an unused, unexpired link, or None."""
    return conn.scalar(
        select(links.c.username).where(
            links.c.token_hash == token_hash, links.c.used_at.is_(None), links.c.expires_at > now
        )
    )


def use_link(conn: Connection, token_hash: str, now: str) -> bool:
    """Mark the link used; False when another request used it first."""
    done = conn.execute(
        update(links)
        .where(links.c.token_hash == token_hash, links.c.used_at.is_(None))
        .values(used_at=now)
    )
    return bool(done.rowcount)


def session_data(conn: Connection, session_id: str, now: str) -> bytes | None:
    return conn.scalar(
        select(sessions.c.data).where(
            sessions.c.session_id == session_id, sessions.c.expires_at > now
        )
    )


def put_session(conn: Connection, session_id: str, data: bytes, expires_at: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.session_id == session_id))
    conn.execute(insert(sessions).values(session_id=session_id, data=data, expires_at=expires_at))


def drop_session(conn: Connection, session_id: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.session_id == session_id))


def drop_expired_sessions(conn: Connection, now: str) -> int:
    return conn.execute(delete(sessions).where(sessions.c.expires_at <= now)).rowcount


def log_access(
    conn: Connection, at: str, username: str | None, method: str, path: str, status: int
) -> None:
    conn.execute(
        insert(access_log).values(at=at, username=username, method=method, path=path, status=status)
    )


def access_entries(conn: Connection, username: str | None = None) -> list[dict[str, object]]:
    query = select(access_log).order_by(access_log.c.entry)
    if username is not None:
        query = query.where(access_log.c.username == username)
    return [dict(r._mapping) for r in conn.execute(query)]
