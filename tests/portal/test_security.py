"""The portal's security, tested: login, lockout, expiry, logout, CSRF, headers, errors,
upload size, the access log and where a login may send the browser next."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from isf_ledger.application.accounts import MAX_FAILURES
from portal.app import ENVELOPE, IDLE, LONGEST, create_app
from tests.portal.conftest import PASSWORD, World, csrf, log_in

ROOT = Path(__file__).parents[2]


def test_a_right_password_logs_in_and_a_wrong_one_does_not(small_world: World) -> None:
    client = small_world.app.test_client()
    refused = log_in(client, "care", "not the password")
    assert refused.status_code == 401
    assert "do not match" in refused.get_data(as_text=True)
    assert client.get("/").headers["Location"].startswith("/login")
    assert log_in(client, "care").headers["Location"] == "/"
    assert "Hello, care" in client.get("/").get_data(as_text=True)


def test_repeated_failures_lock_the_account_even_against_the_right_password(
    small_world: World,
) -> None:
    client = small_world.app.test_client()
    for _ in range(MAX_FAILURES):
        assert log_in(client, "alice", "guess guess guess").status_code == 401
    assert log_in(client, "alice").status_code == 401
    small_world.clock.now += timedelta(minutes=16)
    assert log_in(client, "alice").status_code == 303


def test_password_forms_from_one_address_are_throttled_whatever_the_username(
    small_world: World,
) -> None:
    client = small_world.app.test_client()
    answers = [log_in(client, f"someone{n}", "guess guess guess").status_code for n in range(11)]
    assert answers == [401] * 10 + [429]
    assert "Too many tries" in log_in(client, "alice").get_data(as_text=True)


def test_an_idle_session_expires(small_world: World) -> None:
    client = small_world.app.test_client()
    log_in(client, "morag")
    assert client.get("/").status_code == 200
    small_world.clock.now += IDLE - timedelta(minutes=1)
    assert client.get("/").status_code == 200  # each page keeps it alive
    small_world.clock.now += IDLE + timedelta(seconds=1)
    assert client.get("/").headers["Location"].startswith("/login")


def test_no_session_outlives_a_working_day(small_world: World) -> None:
    client = small_world.app.test_client()
    log_in(client, "morag")
    for _ in range(int(LONGEST / IDLE) + 1):
        small_world.clock.now += IDLE - timedelta(minutes=1)
        client.get("/")
    assert client.get("/").headers["Location"].startswith("/login")


def test_logout_ends_the_session_for_good(small_world: World) -> None:
    client = small_world.app.test_client()
    log_in(client, "audrey")
    cookie = client.get_cookie("isf_portal")
    assert cookie is not None
    out = client.post("/logout", data={"csrf_token": csrf(client, "/")})
    assert out.status_code == 303
    assert client.get("/").headers["Location"].startswith("/login")
    replay = small_world.app.test_client()
    replay.set_cookie("isf_portal", cookie.value)
    assert replay.get("/").headers["Location"].startswith("/login")


def test_login_gives_a_new_session_id(small_world: World) -> None:
    client = small_world.app.test_client()
    csrf(client)  # the anonymous session, holding the form's token
    before = client.get_cookie("isf_portal")
    log_in(client, "alice")
    after = client.get_cookie("isf_portal")
    assert before is not None and after is not None and before.value != after.value


def test_a_disabled_account_is_logged_out_at_its_next_page(small_world: World) -> None:
    client = small_world.app.test_client()
    log_in(client, "care")
    small_world.ledger.accounts.disable("care")
    assert client.get("/").headers["Location"].startswith("/login")


def test_a_form_without_its_token_is_refused_and_changes_nothing(small_world: World) -> None:
    client = small_world.app.test_client()
    log_in(client, "alice")
    before = len(small_world.ledger.audit_trail())
    refused = client.post("/exceptions/X-1/resolve", data={"outcome": "explained", "reason": "x"})
    assert refused.status_code == 400
    assert "did not come from this portal" in refused.get_data(as_text=True)
    forged = client.post(
        "/exceptions/X-1/resolve", data={"csrf_token": "forged", "outcome": "explained"}
    )
    assert forged.status_code == 400
    anonymous = small_world.app.test_client().post(
        "/login", data={"username": "alice", "password": PASSWORD}
    )
    assert anonymous.status_code == 400
    assert len(small_world.ledger.audit_trail()) == before


def test_the_session_cookie_is_secure_httponly_and_strict(small_world: World) -> None:
    app = create_app(small_world.ledger)  # as `isf-ledger serve` makes it
    response = app.test_client().get("/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("path", ["/login", "/nowhere", "/"])
def test_every_response_carries_the_security_headers(small_world: World, path: str) -> None:
    headers = small_world.app.test_client().get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp  # no script can run
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


def test_a_statement_page_allows_only_its_own_style_block(world: World) -> None:
    page = world.client("morag").get("/people/P-0001/statement")
    assert page.status_code == 200
    assert "<svg" in page.get_data(as_text=True)  # the same inline picture as the CLI's
    assert "'sha256-" in page.headers["Content-Security-Policy"]
    assert "<script" not in page.get_data(as_text=True)


def test_a_bug_shows_a_plain_page_and_no_stack_trace(
    small_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("secret internals at /srv/ledger.py line 12")

    monkeypatch.setattr(small_world.ledger, "verify", broken)
    client = small_world.app.test_client()
    log_in(client, "audrey")
    page = client.get("/audit/verify")
    text = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "Something went wrong on our side" in text
    assert "Traceback" not in text and "secret internals" not in text


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/providers/PRV-CARE/statement?month=2026-13", "is not a month written YYYY-MM"),
        ("/audit/trail?as_at=yesterday", "is not an ISO 8601 instant"),
        ("/exceptions?status=maybe", "status is open, resolved or all"),
    ],
)
def test_a_bad_value_in_the_url_is_named_plainly(small_world: World, path: str, why: str) -> None:
    client = small_world.app.test_client()
    log_in(client, "alice")
    page = client.get(path)
    assert page.status_code == 400
    assert why in page.get_data(as_text=True).replace("&#39;", "'")


@pytest.mark.parametrize(
    "path",
    ['/providers/PRV"x/statement.csv', "/people/%20P/statement", f"/people/{'P' * 65}/statement"],
)
def test_an_id_the_contract_would_not_take_is_not_found(small_world: World, path: str) -> None:
    client = small_world.app.test_client()
    log_in(client, "alice")
    assert client.get(path).status_code == 404


def test_an_upload_over_the_limit_is_refused_before_it_is_read(small_world: World) -> None:
    client = small_world.app.test_client()
    token = csrf(client)
    limit = small_world.ledger.settings.returns_max_bytes + ENVELOPE
    big = {"csrf_token": token, "username": "x" * (limit + 1), "password": "y"}
    refused = client.post("/login", data=big)
    assert refused.status_code == 413
    assert "too large" in refused.get_data(as_text=True)


def test_every_page_asked_for_is_in_the_access_log(small_world: World) -> None:
    client = small_world.app.test_client()
    log_in(client, "care")
    client.get("/providers/PRV-CARE/statement?month=2026-10")
    client.get("/providers/PRV-HILL/statement?month=2026-10")
    entries = small_world.ledger.accounts.access_log("care")
    assert [(e["method"], e["path"], e["status"]) for e in entries[-2:]] == [
        ("GET", "/providers/PRV-CARE/statement?month=2026-10", 200),
        ("GET", "/providers/PRV-HILL/statement?month=2026-10", 403),
    ]


def test_the_one_time_link_sets_a_password_once_and_is_never_logged(small_world: World) -> None:
    accounts = small_world.ledger.accounts
    token = accounts.new_link("morag")
    client = small_world.app.test_client()
    form = {"password": "a new long password", "again": "a new long password"}
    form["csrf_token"] = csrf(client, f"/set-password/{token}")
    assert client.post(f"/set-password/{token}", data=form).status_code == 303
    assert client.get(f"/set-password/{token}").status_code == 404
    assert log_in(client, "morag", "a new long password").status_code == 303
    assert not any(token in str(e["path"]) for e in accounts.access_log())


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "javascript:x"])
def test_a_login_never_sends_the_browser_elsewhere(small_world: World, target: str) -> None:
    client = small_world.app.test_client()
    token = csrf(client)
    form = {"username": "alice", "password": PASSWORD, "csrf_token": token}
    assert (
        client.post("/login", query_string={"next": target}, data=form).headers["Location"] == "/"
    )


def test_the_council_decides_through_a_form_as_itself(world: World) -> None:
    client = world.client("alice")
    open_ids = re.findall(r"/exceptions/([^/]+)/resolve", client.get("/exceptions").text)
    assert open_ids
    form = {"csrf_token": csrf(client, "/"), "outcome": "explained", "reason": "checked"}
    assert client.post(f"/exceptions/{open_ids[0]}/resolve", data=form).status_code == 303
    client.post(f"/exceptions/{open_ids[0]}/resolve", data=form)  # sent twice
    assert "already recorded" in client.get("/exceptions").text
    decided = [
        (c.actor, c.reason, c.command_id)
        for c in world.ledger.audit_trail()
        if c.type == "ExceptionCase.Resolved" and c.actor == "alice"
    ]
    assert len(decided) == 1
    assert decided[0][:2] == ("alice", "checked") and decided[0][2].startswith("portal:")


def test_an_auditor_sees_no_decision_forms(world: World) -> None:
    page = world.client("audrey").get("/exceptions").get_data(as_text=True)
    assert "/resolve" not in page and "Exceptions" in page


def test_the_portal_is_clean_under_ruffs_bandit_rules() -> None:
    found = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "S", "--output-format", "json",
         "portal", "cli/serve.py", "cli/users.py", "isf_ledger/application/accounts.py"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert json.loads(found.stdout) == []
