"""The portal's accounts: who may log in, as what, and what they looked at.

Use cases for `isf-ledger users` and the portal. An account has a role:
`council` and `auditor` see everything (only the council changes anything);
a `provider` account is bound to one provider id and a `person` account to
one person id, and sees only that. Passwords are hashed with argon2 (argon2-
cffi's defaults, argon2id); the first one is set through a one-time link,
whose token is kept only as its SHA-256. Repeated failures lock the account
for a while, counted in its own row so every process sees the same count.
Nothing here is an event: accounts are not facts about the money.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from isf_ledger.adapters import portal_store as store
from isf_ledger.domain.errors import LedgerError
from isf_ledger.projections.runner import instant

ROLES = ("council", "auditor", "provider", "person")
BOUND = {"provider": "provider", "person": "person"}  # role -> the kind of id it is bound to
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
MAX_FAILURES = 5
LOCKED_FOR = timedelta(minutes=15)
LINK_LASTS = timedelta(hours=72)
MIN_PASSWORD, MAX_PASSWORD = 12, 256
REFUSED = (
    "that username and password do not match, or the account is locked after "
    f"{MAX_FAILURES} failed tries: try again in {LOCKED_FOR.seconds // 60} minutes"
)

Clock = Callable[[], datetime]
KnownSubject = Callable[[str, str], bool]


class AccountError(LedgerError):
    """A refusal about an account, in words for the person at the screen."""


@dataclass(frozen=True)
class Account:
    """Who is logged in: the role and, for providers and people, whose figures they see."""

    username: str
    role: str
    subject_id: str | None

    def sees(self, kind: str, subject_id: str) -> bool:
        """May this account see the provider's or person's own figures?"""
        if self.role in ("council", "auditor"):
            return True
        return BOUND.get(self.role) == kind and self.subject_id == subject_id


@dataclass(frozen=True)
class AccountLine:
    """One account as `users list` shows it."""

    username: str
    role: str
    subject_id: str | None
    status: str
    created_at: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Accounts:
    """The account use cases over the ledger's own database."""

    engine: Engine
    known_subject: KnownSubject
    clock: Clock = lambda: datetime.now(UTC)  # replaced in tests
    hasher: PasswordHasher = field(default_factory=PasswordHasher)

    def _now(self) -> str:
        return instant(self.clock())

    # ---- the council's commands --------------------------------------------------------

    def add(self, username: str, role: str, subject_id: str | None = None) -> str:
        """A new account without a password; returns the one-time token that sets it."""
        if not USERNAME.match(username):
            raise AccountError(
                f"{username!r} is not a username: 2-64 lower-case letters, digits and . _ @ -"
            )
        if role not in ROLES:
            raise AccountError(f"{role!r} is not a role: one of {', '.join(ROLES)}")
        kind = BOUND.get(role)
        if kind is None and subject_id is not None:
            raise AccountError(
                f"a {role} account sees everything: it is bound to no provider or person"
            )
        if kind is not None:
            if subject_id is None:
                raise AccountError(f"a {role} account needs the {kind} id it is bound to")
            if not self.known_subject(kind, subject_id):
                raise AccountError(f"the ledger has no {kind} {subject_id}")
        try:
            with self.engine.begin() as conn:
                store.add_user(conn, username, role, subject_id, self._now())
                return self._link(conn, username)
        except IntegrityError:
            raise AccountError(f"there is already an account {username}") from None

    def new_link(self, username: str) -> str:
        """Another one-time link, to set a forgotten password (the old one still works
        until it is replaced)."""
        with self.engine.begin() as conn:
            if store.find_user(conn, username) is None:
                raise AccountError(f"there is no account {username}")
            return self._link(conn, username)

    def _link(self, conn: Connection, username: str) -> str:
        token = secrets.token_urlsafe(32)
        expires = instant(self.clock() + LINK_LASTS)
        store.add_link(conn, _token_hash(token), username, expires)
        return token

    def disable(self, username: str) -> None:
        """The account can no longer log in; a session it has is refused at its next page."""
        with self.engine.begin() as conn:
            if store.find_user(conn, username) is None:
                raise AccountError(f"there is no account {username}")
            store.change_user(conn, username, disabled_at=self._now())

    def listing(self) -> list[AccountLine]:
        now = self._now()
        with self.engine.connect() as conn:
            return [
                AccountLine(u.username, u.role, u.subject_id, _status(u, now), u.created_at)
                for u in store.all_users(conn)
            ]

    # ---- the portal's --------------------------------------------------------------------

    def link_owner(self, token: str) -> str | None:
        """Whose unused, unexpired one-time link this is, or None."""
        with self.engine.connect() as conn:
            return store.open_link(conn, _token_hash(token), self._now())

    def set_password(self, token: str, password: str) -> str:
        """Use a one-time link: the account's password, failures cleared; its username."""
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise AccountError(
                f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters "
                "(a few words together are easy to remember)"
            )
        now, digest = self._now(), _token_hash(token)
        with self.engine.begin() as conn:
            username = store.open_link(conn, digest, now)
            if username is None or not store.use_link(conn, digest, now):
                raise AccountError("this link has been used or has expired: ask for a new one")
            store.change_user(
                conn,
                username,
                password_hash=self.hasher.hash(password),
                failed_logins=0,
                locked_until=None,
            )
        return username

    def log_in(self, username: str, password: str) -> Account:
        """The account, or `AccountError` with one message for every kind of refusal
        (unknown, disabled, locked, wrong password), so none tells them apart."""
        now = self._now()
        with self.engine.begin() as conn:  # a failure is counted and committed, then refused
            user = store.find_user(conn, username)
            allowed = self._allowed(conn, user, password, now)
        if user is None or not allowed:
            raise AccountError(REFUSED)
        return Account(user.username, user.role, user.subject_id)

    def _allowed(
        self, conn: Connection, user: store.UserRow | None, password: str, now: str
    ) -> bool:
        """Check the password of an account that may log in; count a failure."""
        if user is None or user.password_hash is None:
            self._waste_time(password)
            return False
        if user.disabled_at is not None or (user.locked_until or "") > now:
            return False
        if not self._matches(user.password_hash, password):
            self._failed(conn, user)
            return False
        change: dict[str, object] = {"failed_logins": 0, "locked_until": None}
        if self.hasher.check_needs_rehash(user.password_hash):
            change["password_hash"] = self.hasher.hash(password)
        store.change_user(conn, user.username, **change)
        return True

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _failed(self, conn: Connection, user: store.UserRow) -> None:
        """Count a failure; the last allowed one locks the account and starts the count again."""
        failures = user.failed_logins + 1
        if failures >= MAX_FAILURES:
            locked = instant(self.clock() + LOCKED_FOR)
            store.change_user(conn, user.username, failed_logins=0, locked_until=locked)
        else:
            store.change_user(conn, user.username, failed_logins=failures)

    def _waste_time(self, password: str) -> None:
        """Hash anyway, so an unknown username takes as long as a wrong password."""
        self.hasher.hash(password)

    def account(self, username: str) -> Account | None:
        """The account behind a session, if it may still log in."""
        with self.engine.connect() as conn:
            user = store.find_user(conn, username)
        if user is None or user.disabled_at is not None or user.password_hash is None:
            return None
        return Account(user.username, user.role, user.subject_id)

    # ---- sessions and the access log --------------------------------------------------------

    def session(self, session_id: str) -> bytes | None:
        with self.engine.connect() as conn:
            return store.session_data(conn, session_id, self._now())

    def keep_session(self, session_id: str, data: bytes, lasts: timedelta) -> None:
        with self.engine.begin() as conn:
            store.put_session(conn, session_id, data, instant(self.clock() + lasts))

    def end_session(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            store.drop_session(conn, session_id)

    def end_expired_sessions(self) -> int:
        with self.engine.begin() as conn:
            return store.drop_expired_sessions(conn, self._now())

    def log_access(self, username: str | None, method: str, path: str, status: int) -> None:
        """Who asked for which page, when, and what they got (not an event)."""
        with self.engine.begin() as conn:
            store.log_access(conn, self._now(), username, method, path[:2000], status)

    def access_log(self, username: str | None = None) -> list[dict[str, object]]:
        with self.engine.connect() as conn:
            return store.access_entries(conn, username)


def _status(user: store.UserRow, now: str) -> str:
    if user.disabled_at is not None:
        return f"disabled {user.disabled_at}"
    if user.password_hash is None:
        return "awaiting its first password"
    if (user.locked_until or "") > now:
        return f"locked until {user.locked_until}"
    return "active"
