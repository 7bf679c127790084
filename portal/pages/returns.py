"""A provider uploads its return of weekly hours and costs: `Ledger.import_returns`.

The provider is the account's own, never a field of the form, and the
account is the commands' actor. The bytes go to the same hardened reader as
`isf-ledger returns import`; every bad line is listed with its number and
nothing is recorded; the same file again records nothing more.
"""

from __future__ import annotations

from flask import g, render_template, request
from flask.typing import ResponseReturnValue

from portal.pages.common import ledger


def upload_return() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("returns.html")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("returns.html", missing=True), 400
    result = ledger().import_returns(
        upload.stream.read(),
        g.account.subject_id,
        actor=g.account.username,
        name=upload.filename,
        encoding=request.form.get("encoding", "utf-8"),
    )
    return render_template("returns.html", result=result), 400 if result.errors else 200
