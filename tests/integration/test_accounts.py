"""Portal accounts (`application/accounts.py`) on both databases: links, lockout, disabling."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from isf_ledger.application.accounts import MAX_FAILURES, REFUSED, AccountError, Accounts
from isf_ledger.bootstrap import Ledger
from isf_ledger.demo import people_and_providers

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def accounts(ledger: Ledger) -> Accounts:
    lines = [(n, json.dumps(c)) for n, c in enumerate(people_and_providers(), start=1)]
    assert not ledger.apply(lines).errors
    acc = ledger.accounts
    acc.clock = Clock()
    acc.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return acc


def ready(accounts: Accounts, username: str, role: str, subject: str | None = None) -> None:
    accounts.set_password(accounts.add(username, role, subject), PASSWORD)


def test_a_first_password_is_set_once_through_the_link_then_logs_in(accounts: Accounts) -> None:
    token = accounts.add("care", "provider", "PRV-CARE")
    assert accounts.link_owner(token) == "care"
    with pytest.raises(AccountError, match="do not match"):
        accounts.log_in("care", PASSWORD)  # no password yet
    assert accounts.set_password(token, PASSWORD) == "care"
    with pytest.raises(AccountError, match="used or has expired"):
        accounts.set_password(token, "another long password")
    account = accounts.log_in("care", PASSWORD)
    assert (account.role, account.subject_id) == ("provider", "PRV-CARE")
    assert account.sees("provider", "PRV-CARE") and not account.sees("provider", "PRV-HILL")
    assert not account.sees("person", "P-0001")


def test_a_link_expires(accounts: Accounts) -> None:
    token = accounts.add("morag", "person", "P-0001")
    accounts.clock.now += timedelta(hours=73)  # type: ignore[attr-defined]
    with pytest.raises(AccountError, match="used or has expired"):
        accounts.set_password(token, PASSWORD)


@pytest.mark.parametrize(
    ("role", "subject", "why"),
    [
        ("provider", None, "needs the provider id"),
        ("provider", "PRV-NONE", "has no provider PRV-NONE"),
        ("person", "P-9999", "has no person P-9999"),
        ("council", "P-0001", "bound to no provider or person"),
        ("admin", None, "is not a role"),
    ],
)
def test_an_account_is_refused_a_binding_it_cannot_have(
    accounts: Accounts, role: str, subject: str | None, why: str
) -> None:
    with pytest.raises(AccountError, match=why):
        accounts.add("someone", role, subject)
    assert accounts.listing() == []


def test_a_username_is_taken_once(accounts: Accounts) -> None:
    accounts.add("alice", "council")
    with pytest.raises(AccountError, match="already an account alice"):
        accounts.add("alice", "auditor")


def test_repeated_failures_lock_the_account_for_a_while(accounts: Accounts) -> None:
    ready(accounts, "alice", "council")
    for _ in range(MAX_FAILURES):
        with pytest.raises(AccountError):
            accounts.log_in("alice", "wrong password!")
    with pytest.raises(AccountError) as refused:
        accounts.log_in("alice", PASSWORD)  # the right password, but locked
    assert str(refused.value) == REFUSED
    assert accounts.listing()[0].status.startswith("locked until")
    accounts.clock.now += timedelta(minutes=16)  # type: ignore[attr-defined]
    assert accounts.log_in("alice", PASSWORD).role == "council"


def test_a_success_clears_the_count_of_failures(accounts: Accounts) -> None:
    ready(accounts, "alice", "council")
    for _ in range(2):
        for _ in range(MAX_FAILURES - 1):
            with pytest.raises(AccountError):
                accounts.log_in("alice", "wrong password!")
        accounts.log_in("alice", PASSWORD)


def test_every_refusal_reads_the_same(accounts: Accounts) -> None:
    ready(accounts, "alice", "council")
    ready(accounts, "bob", "auditor")
    accounts.disable("bob")
    messages = set()
    tries = (("alice", "wrong password!"), ("nobody", PASSWORD), ("bob", PASSWORD))
    for username, password in tries:
        with pytest.raises(AccountError) as refused:
            accounts.log_in(username, password)
        messages.add(str(refused.value))
    assert messages == {REFUSED}


def test_a_disabled_account_loses_its_session_at_the_next_page(accounts: Accounts) -> None:
    ready(accounts, "bob", "auditor")
    assert accounts.account("bob") is not None
    accounts.disable("bob")
    assert accounts.account("bob") is None
    assert accounts.listing()[0].status.startswith("disabled")


def test_sessions_expire_and_end(accounts: Accounts) -> None:
    accounts.keep_session("s1", b"data", timedelta(minutes=30))
    accounts.keep_session("s2", b"other", timedelta(minutes=30))
    assert accounts.session("s1") == b"data"
    accounts.end_session("s2")
    assert accounts.session("s2") is None
    accounts.clock.now += timedelta(minutes=31)  # type: ignore[attr-defined]
    assert accounts.session("s1") is None
    assert accounts.end_expired_sessions() == 1


def test_the_access_log_keeps_who_asked_for_what(accounts: Accounts) -> None:
    accounts.log_access("care", "GET", "/providers/PRV-CARE/statement?month=2026-10", 200)
    accounts.log_access(None, "GET", "/login", 200)
    assert [(e["username"], e["path"], e["status"]) for e in accounts.access_log()] == [
        ("care", "/providers/PRV-CARE/statement?month=2026-10", 200),
        (None, "/login", 200),
    ]
