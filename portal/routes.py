"""Every route of the portal and who may use it: the one table access is checked from.

`tests/portal/test_access_matrix.py` asks every route as every role (and as
nobody), with the account's own ids and another party's, and fails when a
route the application serves is missing here.
"""

from __future__ import annotations

from portal.access import COUNCIL, EVERYONE, OPEN, READERS, Route
from portal.pages import auth, decisions, reports, returns

PROVIDER_PAGES = frozenset({"council", "auditor", "provider"})
PERSON_PAGES = frozenset({"council", "auditor", "person"})
BOTH = ("GET", "POST")

ROUTES = [
    Route("/login", auth.login, OPEN, BOTH),
    Route("/set-password/<token>", auth.set_password, OPEN, BOTH),
    Route("/logout", auth.logout, EVERYONE, ("POST",)),
    Route("/", auth.home, EVERYONE),
    Route("/providers/<subject_id>/statement", reports.provider_statement, PROVIDER_PAGES,
          owner="provider"),
    Route("/providers/<subject_id>/statement.csv", reports.provider_statement_csv,
          PROVIDER_PAGES, owner="provider"),
    Route("/providers/<subject_id>/statement.pdf", reports.provider_statement_pdf,
          PROVIDER_PAGES, owner="provider"),
    Route("/providers/<subject_id>/exceptions", reports.provider_exceptions, PROVIDER_PAGES,
          owner="provider"),
    Route("/people/<subject_id>/statement", reports.person_statement, PERSON_PAGES,
          owner="person"),
    Route("/statements", reports.find_statement, READERS),
    Route("/cards/reconciliation", reports.card_reconciliation, READERS),
    Route("/exceptions", reports.exceptions, READERS),
    Route("/exceptions/<exception_id>/resolve", decisions.resolve_exception, COUNCIL,
          ("POST",)),
    Route("/agreements/<agreement_id>/flex", decisions.decide_flex, COUNCIL, ("POST",)),
    Route("/returns", returns.upload_return, frozenset({"provider"}), BOTH),
    Route("/payments/due", reports.payments_due, READERS),
    Route("/audit/trail", reports.audit_trail, READERS),
    Route("/audit/verify", reports.audit_verify, READERS),
]  # fmt: skip
