"""The portal's Flask application: configuration, sessions, CSRF, headers, errors, access log.

Everything that applies to every page is here, once: the session cookie's
flags, CSRF on every form (Flask-WTF), the security headers, plain error
pages (never a stack trace), the upload size limit, and an access-log row
for every page asked for.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

from flask import Flask, Response, g, render_template, request, session
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from isf_ledger.application.service import Ledger
from isf_ledger.domain.errors import LedgerError, NotFound
from portal.access import register
from portal.routes import ROUTES

log = logging.getLogger("isf_ledger.portal")

IDLE = timedelta(minutes=30)  # a session unused this long ends
LONGEST = timedelta(hours=8)  # and none lasts longer than a working day
LOGIN_RATE = "10 per minute"
ONE_TIME_LINK = re.compile(r"(/set-password/)[^ ?]*")  # its token is never logged
ENVELOPE = 64 * 1024  # a form's own fields around an uploaded file


def create_app(ledger: Ledger, *, secret_key: str | None = None, https: bool = True) -> Flask:
    """The portal over one open ledger. `https=False` only for plain-HTTP tests: the
    session cookie is then sent without `Secure`."""
    from portal.sessions import LedgerSessions

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),  # signs CSRF tokens only
        SESSION_COOKIE_NAME="isf_portal",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_REFRESH_EACH_REQUEST=True,
        PERMANENT_SESSION_LIFETIME=IDLE,
        # A body past this is refused unread (413); a file within it but over the
        # returns limit is refused by the use case, in its own words.
        MAX_CONTENT_LENGTH=ledger.settings.returns_max_bytes + ENVELOPE,
        WTF_CSRF_SSL_STRICT=https,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions["isf_ledger"] = ledger
    app.session_interface = LedgerSessions(app, ledger.accounts)
    CSRFProtect(app)
    register(app, ROUTES)
    _throttle(app)
    app.before_request(_who)
    app.after_request(_headers)
    app.after_request(_log_access)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(LedgerError, _refused)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    return app


def _throttle(app: Flask) -> None:
    """At most `LOGIN_RATE` password forms a minute from one address (Flask-Limiter, in
    this process's memory), whichever usernames they try: the lockout stops guessing at
    one account, this stops trying one password at many."""
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://")
    for endpoint in ("login", "set_password"):
        limited = limiter.limit(LOGIN_RATE, methods=["POST"], error_message=WHY[429])
        app.view_functions[endpoint] = limited(app.view_functions[endpoint])  # type: ignore[assignment]


def request_handler() -> type:
    """werkzeug's request handler, logging each request to stderr without the token of a
    one-time link (whoever reads the server's log must not be able to set a password)."""
    from werkzeug.serving import WSGIRequestHandler

    class Handler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            self.path = ONE_TIME_LINK.sub(r"\1…", self.path)  # the request is answered
            super().log_request(code, size)

    return Handler


def ledger() -> Ledger:
    from flask import current_app

    return current_app.extensions["isf_ledger"]  # type: ignore[no-any-return]


def _who() -> None:
    """The account behind the session, if it may still log in (disabled: logged out)."""
    g.account = None
    g.style_hashes = []
    username = session.get("username")
    if username is None:
        return
    since = session.get("since", 0.0)
    account = ledger().accounts.account(username)
    if account is None or ledger().accounts.clock().timestamp() - since > LONGEST.total_seconds():
        session.clear()
        return
    g.account = account


def _headers(response: Response) -> Response:
    """No inline script anywhere; statements' own style blocks allowed by their hash."""
    styles = " ".join(["'self'", *(f"'{h}'" for h in g.get("style_hashes", []))])
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {styles}; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"  # set-password links carry a token
    response.headers["Cache-Control"] = "no-store"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:  # behind the HTTPS proxy: never plain HTTP again
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _log_access(response: Response) -> Response:
    """Who asked for what, when, and what they got: one row a request (not for the stylesheet)."""
    if request.endpoint != "static":
        account = g.get("account")
        path = ONE_TIME_LINK.sub(r"\1…", request.full_path.removesuffix("?"))
        ledger().accounts.log_access(
            account.username if account else None, request.method, path, response.status_code
        )
    return response


WHY = {
    400: "The request was not understood.",
    403: "This page is not yours to see.",
    404: "There is no such page.",
    405: "That is not something this page does.",
    413: "That file is too large for a return.",
    429: "Too many tries from here: wait a minute, then try again.",
}


def _error_page(status: int, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, message=message), status


def _csrf_refused(e: CSRFError) -> tuple[str, int]:
    return _error_page(
        400, "This form has expired or did not come from this portal. Go back, reload it "
        "and try again.",
    )  # fmt: skip


def _refused(e: LedgerError) -> tuple[str, int]:
    """The ledger's refusal, which names its rule in plain words."""
    return _error_page(404 if isinstance(e, NotFound) else 400, str(e))


def _http_error(e: HTTPException) -> tuple[str, int] | HTTPException:
    if e.code is None or e.code < 400:
        return e
    own = e.description if e.description != type(e).description else None
    return _error_page(e.code, own or WHY.get(e.code, "Something went wrong."))


def _server_error(e: Exception) -> tuple[str, int]:
    """A bug: logged in full for the operator, one plain sentence for the browser."""
    log.exception("portal.error", exc_info=e)
    return _error_page(500, "Something went wrong on our side. It has been logged.")
