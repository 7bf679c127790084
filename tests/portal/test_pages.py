"""What the pages show, on both databases: the same records as the command line."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator

import pytest

from isf_ledger.adapters.render import pdf
from isf_ledger.adapters.render import provider_statement as provider_render
from isf_ledger.demo import demo_commands
from isf_ledger.demo_second_year import second_year_commands
from tests.portal.conftest import DATABASES, World, world_on

# One worker builds this module's world (make test runs `-n 2 --dist loadgroup`).
pytestmark = pytest.mark.xdist_group("portal-pages")


@pytest.fixture(scope="module", params=DATABASES)
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """Both of the demo's years: the second raises exceptions on agreements."""
    yield from world_on(request.param, demo_commands() + second_year_commands())


def subjects_on(page: str) -> set[str]:
    return set(re.findall(r"<td>((?:agreement|card) [A-Z0-9-]+)</td>", page))


def test_a_provider_sees_the_exceptions_on_its_own_agreements_only(world: World) -> None:
    everything = subjects_on(world.client("alice").get("/exceptions?status=all").text)
    own = subjects_on(world.client("care").get("/providers/PRV-CARE/exceptions?status=all").text)
    care = {f"agreement {a}" for a in ("A-0001", "A-1001", "A-1004")}
    assert own and own <= care
    assert everything - own, "the council sees more than the provider"
    assert own == everything & care


def test_the_csv_download_is_the_statements_own_record(world: World) -> None:
    got = world.client("care").get("/providers/PRV-CARE/statement.csv?month=2026-10")
    assert got.headers["Content-Disposition"] == (
        'attachment; filename="statement-PRV-CARE-2026-10.csv"'
    )
    expected = io.StringIO()
    provider_render.render_csv(world.ledger.provider_statement("PRV-CARE", "2026-10"), expected)
    assert list(csv.reader(io.StringIO(got.text))) == list(
        csv.reader(io.StringIO(expected.getvalue()))
    )


def test_a_page_as_at_an_instant_before_everything_shows_nothing_yet(world: World) -> None:
    page = world.client("audrey").get("/audit/trail?as_at=2020-01-01T00:00:00Z")
    assert page.status_code == 200 and "0 change(s)" in page.text
    now = world.client("audrey").get("/audit/trail")
    assert int(re.search(r"(\d+) change\(s\)", now.text).group(1)) > 0  # type: ignore[union-attr]


def test_flex_forms_name_the_agreement_itself(world: World) -> None:
    page = world.client("alice").get("/exceptions?status=all").text
    for action in re.findall(r'action="(/agreements/[^"]+)"', page):
        assert re.fullmatch(r"/agreements/A-[0-9]+/flex", action), action


def test_the_pdf_download_is_printed_from_the_same_page(world: World) -> None:
    if pdf.chromium() is None and os.environ.get("CI") != "true":
        pytest.skip("chromium is not installed")
    got = world.client("care").get("/providers/PRV-CARE/statement.pdf?month=2026-10")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert got.data.startswith(b"%PDF-") and len(got.data) > 10_000


def test_the_council_finds_a_statement_by_its_id(world: World) -> None:
    client = world.client("audrey")
    found = client.get("/statements?provider=PRV-HILL&month=2026-10")
    assert found.headers["Location"] == "/providers/PRV-HILL/statement?month=2026-10"
    assert client.get("/statements?person=P-0002").headers["Location"] == (
        "/people/P-0002/statement"
    )


def counts_on(page: str) -> tuple[int, int]:
    """(to pay, cannot be paid) of a payments-due page."""
    found = re.search(r"To pay \((\d+)\):.*Cannot be paid \((\d+)\):", page, re.S)
    assert found, "not a payments-due page"
    return int(found.group(1)), int(found.group(2))


def test_payments_due_as_at_an_instant_shows_the_ledger_as_it_stood(world: World) -> None:
    client = world.client("alice")
    window = "/payments/due?from=2026-11-16&to=2026-12-13"
    now = client.get(window)
    later = client.get(f"{window}&as_at=2999-01-01T00:00:00Z")
    before = client.get(f"{window}&as_at=2020-01-01T00:00:00Z")
    assert [p.status_code for p in (now, later, before)] == [200, 200, 200]
    assert counts_on(now.text)[0] > 0 and counts_on(later.text) == counts_on(now.text)
    assert counts_on(before.text) == (0, 0)
    assert "as at 2020-01-01T00:00:00.000000Z" in before.text
    assert 'name="as_at" value="2020-01-01T00:00:00Z"' in before.text
