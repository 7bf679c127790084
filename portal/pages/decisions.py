"""The council's decisions through the portal: each form becomes one command.

The command's `actor` is the logged-in account, so the audit trail says who
decided. Its id is a digest of what was decided, so a form sent twice (a
double click, a reload) is recorded once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from portal.pages.common import ledger


def _decide(command: dict[str, Any]) -> None:
    """Apply one command as the account; flash what happened, in plain words."""
    command = {k: v for k, v in command.items() if v not in (None, "")}
    command["actor"] = g.account.username
    digest = hashlib.sha256(json.dumps(command, sort_keys=True).encode()).hexdigest()[:32]
    command["command_id"] = f"portal:{digest}"
    result = ledger().apply([(1, json.dumps(command))])
    if result.errors:
        flash(f"Not recorded: {result.errors[0].error}", "error")
    elif result.duplicates:
        flash("That decision was already recorded.")
    else:
        flash(f"Recorded: {command['type']} by {g.account.username}.")


def resolve_exception(exception_id: str) -> ResponseReturnValue:
    form = request.form
    _decide(
        {
            "type": "ResolveException",
            "exception_id": exception_id,
            "outcome": form.get("outcome", ""),
            "reason": form.get("reason", "").strip(),
            "amount": form.get("amount", "").strip(),
        }
    )
    return redirect(url_for("exceptions"), 303)


def decide_flex(agreement_id: str) -> ResponseReturnValue:
    form = request.form
    week, reason = form.get("week_start", "").strip(), form.get("reason", "").strip()
    if form.get("decision") == "approve":
        command = {"type": "ApproveFlex", "approved_by": g.account.username, "reason": reason}
    else:
        command = {"type": "DeclineFlex", "declined_by": g.account.username, "reason": reason}
    _decide({**command, "agreement_id": agreement_id, "week_start": week})
    return redirect(url_for("exceptions"), 303)
