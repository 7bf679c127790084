"""The pages that show figures: statements, reconciliation, exceptions, payments due, audit.

Each calls one use case and renders its record with the command line's own
renderers, so the portal and `isf-ledger statement ...` show the same
figures. Every report page takes `?as_at=` (ISO 8601 with an offset) to
show the ledger as it stood then.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from flask import Response, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from isf_ledger.adapters.render import payments as payments_render
from isf_ledger.adapters.render import pdf
from isf_ledger.adapters.render import person_statement as person_render
from isf_ledger.adapters.render import provider_statement as provider_render
from isf_ledger.adapters.render import reconciliation as reconciliation_render
from isf_ledger.application import inputs
from portal.pages.common import arg, arg_or, as_at, framed, ledger, text, this_month


def provider_statement(subject_id: str) -> ResponseReturnValue:
    month = arg_or("month", inputs.month, this_month())
    data = ledger().provider_statement(subject_id, month, as_at=as_at())
    return framed(
        provider_render.render_html(data),
        "statement.html",
        title=f"Provider statement {subject_id} {month}",
        provider_id=subject_id,
        month=month,
        as_at=text("as_at"),
    )


def provider_statement_csv(subject_id: str) -> ResponseReturnValue:
    month = arg_or("month", inputs.month, this_month())
    data = ledger().provider_statement(subject_id, month, as_at=as_at())
    out = io.StringIO()
    provider_render.render_csv(data, out)
    name = f"statement-{subject_id}-{month}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def provider_statement_pdf(subject_id: str) -> ResponseReturnValue:
    month = arg_or("month", inputs.month, this_month())
    data = ledger().provider_statement(subject_id, month, as_at=as_at())
    try:
        printed = pdf.html_to_pdf(provider_render.render_html(data))
    except pdf.PdfUnavailable as e:
        abort(503, description=str(e))
    name = f"statement-{subject_id}-{month}.pdf"
    return Response(
        printed,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def person_statement(subject_id: str) -> ResponseReturnValue:
    data = ledger().person_statement(subject_id, budget_id=text("budget"), as_at=as_at())
    return framed(
        person_render.render_html(data),
        "statement.html",
        title="Your support budget",
        person_id=subject_id,
        as_at=text("as_at"),
    )


def find_statement() -> ResponseReturnValue:
    """The council's and auditors' way to a provider's or person's statement by its id."""
    provider, person = text("provider"), text("person")
    if provider:
        month = arg("month", inputs.month)
        return redirect(url_for("provider_statement", subject_id=provider, month=month), 303)
    if person:
        return redirect(url_for("person_statement", subject_id=person), 303)
    abort(400, description="name a provider or a person")


def card_reconciliation() -> ResponseReturnValue:
    month = arg_or("month", inputs.month, this_month())
    data = ledger().reconcile_cards(month, as_at=as_at())
    return render_template(
        "text_report.html",
        title=f"Card reconciliation {month}",
        report=reconciliation_render.render_text(data),
        month=month,
        as_at=text("as_at"),
        month_picker=True,
    )


def _status() -> str:
    status = text("status") or "open"
    if status not in ("open", "resolved", "all"):
        abort(400, description="status is open, resolved or all")
    return status


def exceptions() -> ResponseReturnValue:
    status = _status()
    month = arg("month", inputs.month)
    data = ledger().exceptions(month=month, status=status, as_at=as_at())
    return render_template(
        "exceptions.html", data=data, status=status, month=month, as_at=text("as_at")
    )


def provider_exceptions(subject_id: str) -> ResponseReturnValue:
    status = _status()
    month = arg("month", inputs.month)
    data = ledger().provider_exceptions(
        subject_id,
        month=month,
        status=status,
        as_at=as_at(),
    )
    return render_template(
        "exceptions.html", data=data, status=status, month=month, as_at=text("as_at"),
        provider_id=subject_id,
    )  # fmt: skip


def payments_due() -> ResponseReturnValue:
    today = datetime.now(UTC).date()
    since = arg_or("from", inputs.day, today)
    until = arg_or("to", inputs.day, today + timedelta(days=28))
    data = ledger().payments_due(since, until, as_at=as_at())
    return render_template(
        "text_report.html",
        title="Payments due",
        report=payments_render.render_due_text(data),
        since=since,
        until=until,
        as_at=text("as_at"),
    )


SUBJECTS = ("person", "provider", "budget", "agreement", "card")


def audit_trail() -> ResponseReturnValue:
    subjects = {name: text(name) for name in SUBJECTS}
    rows = ledger().audit_trail(
        **subjects,
        since=arg("from", inputs.day),
        until=arg("to", inputs.day),
        as_at=as_at(),
    )
    return render_template(
        "audit_trail.html", rows=rows, subjects=subjects, as_at=text("as_at"),
        since=text("from"), until=text("to"),
    )  # fmt: skip


def audit_verify() -> ResponseReturnValue:
    return render_template("verify.html", result=ledger().verify())
