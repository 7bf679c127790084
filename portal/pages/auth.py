"""Logging in and out, and setting a password through a one-time link."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from isf_ledger.application.accounts import AccountError
from portal.pages.common import ledger


def login() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("login.html")
    username = request.form.get("username", "").strip().lower()
    password = request.form.get("password", "")
    accounts = ledger().accounts
    try:
        account = accounts.log_in(username, password)
    except AccountError as e:
        return render_template("login.html", error=str(e), username=username), 401
    accounts.end_expired_sessions()
    current_app.session_interface.regenerate(session)  # type: ignore[attr-defined]  # no fixation
    session.clear()
    session["username"] = account.username
    session["since"] = accounts.clock().timestamp()
    target = request.args.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("home")  # only ever back into the portal
    return redirect(target, 303)


def logout() -> ResponseReturnValue:
    session.clear()
    flash("You have logged out.")
    return redirect(url_for("login"), 303)


def set_password(token: str) -> ResponseReturnValue:
    accounts = ledger().accounts
    username = accounts.link_owner(token)
    if username is None:
        abort(404, description="This link has been used or has expired: ask the council for "
              "a new one.")  # fmt: skip
    if request.method == "GET":
        return render_template("set_password.html", username=username)
    password = request.form.get("password", "")
    if password != request.form.get("again", ""):
        error = "The two passwords are not the same."
        return render_template("set_password.html", username=username, error=error), 400
    try:
        accounts.set_password(token, password)
    except AccountError as e:
        return render_template("set_password.html", username=username, error=str(e)), 400
    flash("Your password is set: log in with it.")
    return redirect(url_for("login"), 303)


def home() -> ResponseReturnValue:
    return render_template("home.html", account=g.account)
