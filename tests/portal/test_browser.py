"""Real-browser tests: headless Chromium (Debian's, driven by Playwright) against
`isf-ledger serve` on the demo ledger, one account per role made with
`isf-ledger users add` and its first password set through the printed link.

Each role sees its own figures (checked against the application's own
records) and is refused another party's; a screenshot of each page type is
kept in tests/artifacts/portal/ (not committed). Skipped only on a developer
machine without Chromium; under CI=true a missing browser fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from isf_ledger.adapters.render.money_words import pounds
from isf_ledger.bootstrap import open_ledger
from isf_ledger.settings import Settings

# One worker builds this module's world (make test runs `-n 2 --dist loadgroup`).
pytestmark = pytest.mark.xdist_group("portal-browser")

ROOT = Path(__file__).parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts" / "portal"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PASSWORD = "a long browser password"
RETURN = (
    "kind,agreement_id,week_start,delivered_hours,on,amount,description,cost_id\n"
    "cost,A-0001,,,2026-11-10,12.50,Bus fares,C-BROWSER-1\n"  # after October: its figures stand
)
ROLES = [("alice", "council", None), ("audrey", "auditor", None), ("morag", "person", "P-0001")]


def isf_ledger(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, text=True, cwd=cwd, check=True
    )
    return done.stdout


@dataclass(frozen=True)
class Portal:
    base: str  # where it is served
    links: dict[str, str]  # each account's one-time link, as printed
    figures: dict[str, str]  # what each party's page must show, from the application
    log: Path  # the server's stderr


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """The demo ledger served on a free port, with an account per role."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (make system)")
        pytest.skip("chromium is not installed")
    folder = tmp_path_factory.mktemp("portal")
    isf_ledger("demo", "--db", "demo.db", cwd=folder)
    out = isf_ledger("--db", "demo.db", "users", "add", "care", "--role", "provider",
                     "--provider", "PRV-CARE", cwd=folder)  # fmt: skip
    links = {"care": link_in(out)}
    ledger = open_ledger(Settings(db_url=str(folder / "demo.db")))
    try:  # the other accounts as `users add` makes them, without a process each
        for username, role, bound in ROLES:
            links[username] = "/set-password/" + ledger.accounts.add(username, role, bound)
        care = ledger.provider_statement("PRV-CARE", "2026-10").agreements[0]
        hill = ledger.provider_statement("PRV-HILL", "2026-10").agreements[0]
        figures = {
            "care": pounds(care.closing_balance),
            "hill_agreement": hill.agreement_id,
            "morag": pounds(ledger.person_statement("P-0001").remaining),
        }
    finally:
        ledger.close()
    log = folder / "serve.log"
    with log.open("w") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "--db", "demo.db", "serve", "--port", "0"],
            cwd=folder, stderr=err, text=True,
        )  # fmt: skip
    try:
        yield Portal(started_at(log, server), links, figures, log)
    finally:
        server.terminate()
        server.wait(timeout=10)


def started_at(log: Path, server: subprocess.Popen[str]) -> str:
    """The base URL the server prints once it listens (it picks a free port)."""
    give_up = time.monotonic() + 300  # not a speed check: only never to hang the suite
    while server.poll() is None and time.monotonic() < give_up:
        found = re.search(r"portal on (http://\S+)/", log.read_text(encoding="utf-8"))
        if found:
            return found.group(1)
        time.sleep(0.05)
    pytest.fail(f"the portal did not start: {log.read_text(encoding='utf-8')}")


def link_in(printed: str) -> str:
    found = re.search(r"/set-password/\S+", printed)
    assert found, printed
    return found.group(0)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def first_login(browser: object, base: str, link: str, username: str) -> object:
    """A new browser context: set the password through the link, then log in."""
    page = browser.new_context().new_page()  # type: ignore[attr-defined]
    page.goto(base + link)
    page.fill("#password", PASSWORD)
    page.fill("#again", PASSWORD)
    page.click("button[type=submit]")
    assert "Your password is set" in page.content()
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    assert f"Hello, {username}" in page.content()
    return page


def shoot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_a_provider_sees_its_own_statement_and_not_another(portal: Portal, browser: object) -> None:
    base, links, figures = portal.base, portal.links, portal.figures
    page = first_login(browser, base, links["care"], "care")
    shoot(page, "home-provider")
    page.click("text=Monthly statement")  # type: ignore[attr-defined]
    page.fill("#month", "2026-10")  # type: ignore[attr-defined]
    page.click("text=Show")  # type: ignore[attr-defined]
    text = page.inner_text("body")  # type: ignore[attr-defined]
    assert "PRV-CARE" in text and figures["care"] in text
    assert figures["hill_agreement"] not in text
    shoot(page, "provider-statement")
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("text=Download CSV")  # type: ignore[attr-defined]
    assert "PRV-CARE" in Path(download.value.path()).read_text(encoding="utf-8")
    page.goto(f"{base}/providers/PRV-HILL/statement?month=2026-10")  # type: ignore[attr-defined]
    assert "Not yours to see" in page.content()  # type: ignore[attr-defined]
    shoot(page, "refused")
    page.click("text=Upload a return")  # type: ignore[attr-defined]
    page.set_input_files(  # type: ignore[attr-defined]
        "#file",
        files=[{"name": "october.csv", "mimeType": "text/csv", "buffer": RETURN.encode()}],
    )
    page.click("button:has-text('Upload')")  # type: ignore[attr-defined]
    assert "Recorded 1 line(s) from october.csv" in page.inner_text("body")  # type: ignore[attr-defined]
    shoot(page, "returns-upload")


def test_a_person_sees_their_own_statement_with_its_picture(
    portal: Portal, browser: object
) -> None:
    base, links, figures = portal.base, portal.links, portal.figures
    page = first_login(browser, base, links["morag"], "morag")
    page.click("text=My statement")  # type: ignore[attr-defined]
    assert figures["morag"] in page.inner_text("body")  # type: ignore[attr-defined]
    assert page.locator("svg").count() >= 1  # type: ignore[attr-defined]
    shoot(page, "person-statement")
    page.goto(f"{base}/people/P-0002/statement")  # type: ignore[attr-defined]
    assert "Not yours to see" in page.content()  # type: ignore[attr-defined]


def test_the_council_sees_everything_and_decides(portal: Portal, browser: object) -> None:
    base, links, figures = portal.base, portal.links, portal.figures
    page = first_login(browser, base, links["alice"], "alice")
    page.goto(f"{base}/cards/reconciliation?month=2026-10")  # type: ignore[attr-defined]
    assert "C-0001" in page.inner_text("body")  # type: ignore[attr-defined]
    shoot(page, "card-reconciliation")
    page.goto(f"{base}/payments/due?from=2026-11-16&to=2026-12-13")  # type: ignore[attr-defined]
    assert "To pay" in page.inner_text("body")  # type: ignore[attr-defined]
    shoot(page, "payments-due")
    page.goto(f"{base}/exceptions")  # type: ignore[attr-defined]
    shoot(page, "exceptions")
    first = page.locator("form[action$='/resolve']").first  # type: ignore[attr-defined]
    first.locator("input[name=reason]").fill("seen in the browser test")
    first.locator("button").click()
    assert "Recorded: ResolveException by alice" in page.content()  # type: ignore[attr-defined]
    page.goto(f"{base}/providers/PRV-CARE/statement?month=2026-10")  # type: ignore[attr-defined]
    assert figures["care"] in page.inner_text("body")  # type: ignore[attr-defined]
    page.click("text=Log out")  # type: ignore[attr-defined]
    assert "You have logged out" in page.content()  # type: ignore[attr-defined]


def test_an_auditor_reads_the_trail_and_verifies(portal: Portal, browser: object) -> None:
    base, links = portal.base, portal.links
    page = first_login(browser, base, links["audrey"], "audrey")
    page.goto(f"{base}/audit/trail?budget=B-0003")  # type: ignore[attr-defined]
    assert "change(s), oldest first" in page.inner_text("body")  # type: ignore[attr-defined]
    shoot(page, "audit-trail")
    page.click("text=Verify")  # type: ignore[attr-defined]
    assert "Verified" in page.inner_text("body")  # type: ignore[attr-defined]
    shoot(page, "verify")
    page.goto(f"{base}/exceptions")  # type: ignore[attr-defined]
    assert page.locator("form[action$='/resolve']").count() == 0  # type: ignore[attr-defined]


def test_the_servers_own_log_never_holds_a_one_time_token(portal: Portal) -> None:
    try:
        urllib.request.urlopen(f"{portal.base}/set-password/not-a-real-token")
    except urllib.error.HTTPError as refused:
        assert refused.code == 404
    logged = portal.log.read_text(encoding="utf-8")
    assert "/set-password/…" in logged
    for token in ("not-a-real-token", *(link.rsplit("/", 1)[1] for link in portal.links.values())):
        assert token not in logged
