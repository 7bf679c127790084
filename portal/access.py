"""Who may use which route: the rule each route is declared with, enforced in one place.

A route names the roles that may use it and, for a provider's or a person's
own pages, which kind of id in its URL (`<subject_id>`) must be the
account's own. Council and auditors see every subject; a provider account
sees only its provider id and a person account only its person id, whatever
id is typed into the URL. A refusal is the same 403 whether or not the
other id exists, so changing ids tells nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, abort, g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from isf_ledger.application import inputs
from isf_ledger.application.accounts import ROLES

View = Callable[..., ResponseReturnValue]

EVERYONE = frozenset(ROLES)  # any account that is logged in
READERS = frozenset({"council", "auditor"})
COUNCIL = frozenset({"council"})
OPEN: frozenset[str] = frozenset()  # no login needed: the login and set-password pages
IDS = ("subject_id", "exception_id", "agreement_id")  # ledger ids, spelt as the contract says


@dataclass(frozen=True)
class Route:
    """One URL rule, its view, and who may use it."""

    rule: str
    view: View
    roles: frozenset[str]
    methods: tuple[str, ...] = ("GET",)
    owner: str | None = None  # "provider" or "person": <subject_id> must be the account's own

    @property
    def endpoint(self) -> str:
        return self.view.__name__

    def allows(self, role: str | None, own: bool) -> bool:
        """Would an account with `role` (None: nobody logged in) be let in?
        `own`: the URL's subject is the account's own (or the route has none)."""
        if self.roles == OPEN:
            return True
        if role is None or role not in self.roles:
            return False
        return self.owner is None or role in READERS or own


def guarded(route: Route) -> View:
    """The view behind its rule: login first, then the role, then the subject."""

    @wraps(route.view)
    def view(**kwargs: Any) -> ResponseReturnValue:
        if route.roles != OPEN:
            account = g.account
            if account is None:
                return redirect(url_for("login", next=request.full_path), 303)
            if account.role not in route.roles:
                abort(403)
            if route.owner is not None and not account.sees(route.owner, kwargs["subject_id"]):
                abort(403)
        for name in IDS:
            if name in kwargs:
                try:
                    inputs.identifier(kwargs[name])
                except ValueError:
                    abort(404)
        return route.view(**kwargs)

    return view


def register(app: Flask, routes: list[Route]) -> None:
    """Every route through its guard; none is added any other way."""
    for route in routes:
        app.add_url_rule(route.rule, route.endpoint, guarded(route), methods=list(route.methods))
