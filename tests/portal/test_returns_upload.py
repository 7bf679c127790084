"""A provider's return uploaded through the portal (`Ledger.import_returns`), on both
databases: recorded with the account as actor, once; another provider's agreement and
bad lines refused by line number with nothing recorded."""

from __future__ import annotations

import io

import pytest

from tests.portal.conftest import World, csrf

# One worker builds this module's world (make test runs `-n 2 --dist loadgroup`).
pytestmark = pytest.mark.xdist_group("portal-returns_upload")

HEADER = "kind,agreement_id,week_start,delivered_hours,on,amount,description,cost_id\n"


def upload(world: World, content: str, **extra: str) -> tuple[int, str]:
    client = world.client("care")
    form: dict[str, object] = {"csrf_token": csrf(client, "/returns"), **extra}
    form["file"] = (io.BytesIO(content.encode()), "october.csv")
    page = client.post("/returns", data=form, content_type="multipart/form-data")
    return page.status_code, page.get_data(as_text=True)


def costs(world: World) -> set[tuple[str | None, str]]:
    """(actor, command id) of each command that recorded the test's cost."""
    return {
        (c.actor, c.command_id)
        for c in world.ledger.audit_trail(agreement="A-0001")
        if c.data.get("cost_id") == "C-PORTAL-1"
    }


def test_a_return_is_recorded_once_as_the_account(world: World) -> None:
    line = "cost,A-0001,,,2026-10-14,12.50,Bus fares,C-PORTAL-1\n"
    status, page = upload(world, HEADER + line)
    assert status == 200 and "Recorded 1 line(s) from october.csv" in page
    assert [actor for actor, _ in costs(world)] == ["care"]  # one command, by the account
    status, page = upload(world, HEADER + line)
    assert status == 200 and "1 were already recorded" in page
    assert len(costs(world)) == 1


def test_another_providers_agreement_or_a_bad_line_records_nothing(world: World) -> None:
    before = len(world.ledger.audit_trail())
    hill = "cost,A-0003,,,2026-10-14,9.99,Lunch,C-PORTAL-2\n"
    status, page = upload(world, HEADER + hill, provider_id="PRV-HILL")  # a field is no help
    assert status == 400 and "line 2:" in page and "Nothing was recorded" in page
    bad = "cost,A-0001,,,2026-10-14,12.50,Taxi,C-PORTAL-3\ncost,A-0001,,,someday,1,x,C-4\n"
    status, page = upload(world, HEADER + bad)
    assert status == 400 and "line 3:" in page
    assert len(world.ledger.audit_trail()) == before


def test_an_upload_without_a_file_is_asked_for_again(world: World) -> None:
    client = world.client("care")
    page = client.post("/returns", data={"csrf_token": csrf(client, "/returns")})
    assert page.status_code == 400 and "Choose the CSV file" in page.get_data(as_text=True)
