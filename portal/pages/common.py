"""What the views share: the ledger, query values read plainly, statements framed."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from flask import abort, current_app, g, render_template, request

from isf_ledger.application import inputs
from isf_ledger.application.service import Ledger

STYLE = re.compile(r"<style>(.*?)</style>", re.S)
BODY = re.compile(r"<body>(.*)</body>", re.S)
T = TypeVar("T")


class BadQuery(ValueError):
    """A value in the URL that is not what the page takes: shown as a plain 400."""


def ledger() -> Ledger:
    return current_app.extensions["isf_ledger"]  # type: ignore[no-any-return]


def text(name: str) -> str | None:
    """A query value as typed, or None when absent or empty."""
    return request.args.get(name, "").strip() or None


def arg(name: str, parse: Callable[[str], T]) -> T | None:
    """A query value parsed (`inputs.month`, `inputs.day`, ...); a bad one is a plain 400."""
    value = text(name)
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as e:
        abort(400, description=str(e))


def arg_or(name: str, parse: Callable[[str], T], default: T) -> T:
    found = arg(name, parse)
    return default if found is None else found


def as_at() -> str | None:
    return arg("as_at", inputs.as_at)


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


def framed(document: str, template: str, **context: object) -> str:
    """A renderer's self-contained statement inside the portal's page: its style block
    kept (and allowed by its hash in the page's policy), its body as it is."""
    styles = STYLE.findall(document)
    body = BODY.search(document)
    for css in styles:
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        g.style_hashes.append(f"sha256-{digest}")
    return render_template(
        template, styles=styles, statement=body.group(1) if body else "", **context
    )
