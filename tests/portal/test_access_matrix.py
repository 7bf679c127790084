"""Every route, asked by every role and by nobody, with the account's own ids and
another party's: generated from the route table (`portal/routes.py`).

A provider changing `PRV-CARE` to `PRV-HILL` in a URL, or a person `P-0001`
to `P-0002`, gets the same 403 as a role that may not use the page at all;
council and auditors see every subject. A route served but missing from the
table fails `test_every_route_served_has_an_access_rule`.
"""

from __future__ import annotations

import pytest

from portal.access import Route
from portal.routes import ROUTES
from tests.portal.conftest import PEOPLE, World, csrf

# One worker builds this module's world (make test runs `-n 2 --dist loadgroup`).
pytestmark = pytest.mark.xdist_group("portal-access_matrix")

IDENTITIES = [None, *PEOPLE]  # None: nobody logged in
QUERY = {  # what each page needs to show the demo's figures
    "provider_statement": "?month=2026-10",
    "provider_statement_csv": "?month=2026-10",
    # A month the page refuses (400) once past its guard: Chromium prints the PDF
    # in test_pages, not once for every allowed role here.
    "provider_statement_pdf": "?month=2026-13",
    "card_reconciliation": "?month=2026-10",
    "payments_due": "?from=2026-11-16&to=2026-12-13",
    "audit_trail": "?budget=B-0003",
}


def url_of(route: Route, username: str | None, own: bool) -> str:
    """The route's URL with the account's own subject id, or another party's."""
    role, mine, other = PEOPLE.get(username or "", (None, None, None))
    if route.owner is None:
        subject = None
    elif role == route.owner:
        subject = mine if own else other
    else:  # council, auditor, nobody, or the other kind of party: either demo id
        subject = {"provider": "PRV-CARE", "person": "P-0001"}[route.owner]
        subject = subject if own else {"PRV-CARE": "PRV-HILL", "P-0001": "P-0002"}[subject]
    values = {"subject_id": subject, "exception_id": "X-0", "agreement_id": "A-0", "token": "t"}
    path = route.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", str(value))
    return path + QUERY.get(route.endpoint, "")


CASES = [
    pytest.param(route, username, own, id=f"{route.endpoint}-{username or 'nobody'}-{tag}")
    for route in ROUTES
    if route.endpoint != "logout"  # ends the session: see test_security
    for username in IDENTITIES
    for own, tag in ((True, "own"), (False, "other"))
    if own or route.owner is not None
]


@pytest.mark.parametrize(("route", "username", "own"), CASES)
def test_route_by_role(world: World, route: Route, username: str | None, own: bool) -> None:
    client = world.client(username)
    url = url_of(route, username, own)
    role = PEOPLE[username][0] if username else None
    method = "POST" if "POST" in route.methods and "GET" not in route.methods else "GET"
    data = {"csrf_token": csrf(client, "/" if username else "/login")}
    response = client.open(url, method=method, data=data if method == "POST" else None)
    location = response.headers.get("Location", "")
    if route.allows(role, own):
        assert response.status_code != 403 and not location.startswith("/login"), url
        assert response.status_code < 500, url
    elif role is None:
        assert response.status_code == 303 and location.startswith("/login"), url
    else:
        assert response.status_code == 403, url
        assert "not yours" in response.get_data(as_text=True).lower()


def test_every_route_served_has_an_access_rule(world: World) -> None:
    served = {r.rule for r in world.app.url_map.iter_rules() if r.endpoint != "static"}
    assert served == {route.rule for route in ROUTES}


def test_the_rules_say_who_sees_which_party(world: World) -> None:
    """The table itself, read as the issue states it (so a loosened rule fails here too)."""
    by_name = {route.endpoint: route for route in ROUTES}
    provider_page, person_page = by_name["provider_statement"], by_name["person_statement"]
    assert provider_page.allows("provider", own=True)
    assert not provider_page.allows("provider", own=False)
    assert not provider_page.allows("person", own=True)
    assert person_page.allows("person", own=True) and not person_page.allows("person", own=False)
    assert provider_page.allows("auditor", own=False) and person_page.allows("council", own=False)
    for name in ("resolve_exception", "decide_flex"):
        assert by_name[name].roles == {"council"}
    assert by_name["upload_return"].roles == {"provider"}
    for route in ROUTES:
        assert not route.allows("provider", own=True) or route.owner in (None, "provider")
        if route.owner is None and route.roles not in (frozenset(), frozenset(PEOPLE_ROLES)):
            # No subject in the URL: only council and auditors, but for the upload,
            # which takes the provider from the account and never from the request.
            wider = route.roles - {"council", "auditor"}
            assert not wider or route.endpoint in ACCOUNTS_OWN, route.endpoint


PEOPLE_ROLES = {role for role, _, _ in PEOPLE.values()}
ACCOUNTS_OWN = {"upload_return"}


def test_another_persons_budget_in_the_query_is_not_found(world: World) -> None:
    """An id in the query string is checked against the URL's (and so the account's)
    person too: Morag asking for Iain's budget B-0002 learns nothing of it."""
    page = world.client("morag").get("/people/P-0001/statement?budget=B-0002")
    assert page.status_code == 404
    assert "no budget called B-0002 for person P-0001" in page.text
    assert "Iain" not in page.text
