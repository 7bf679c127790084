"""`isf-ledger serve`: the web portal, where each party sees only its own figures."""

from __future__ import annotations

import contextlib
import os

import click

from cli.options import db_option, ledger_for


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free one, printed).",
)
@db_option
def serve(host: str, port: int, db_url: str | None) -> None:
    """Serve the portal: providers, people, council and auditors log in with accounts
    made by `isf-ledger users add`. Put it behind an HTTPS proxy for anything but this
    machine: its session cookie is sent over HTTPS only (browsers allow localhost).
    Set ISF_LEDGER_PORTAL_SECRET to keep forms valid across restarts."""
    from werkzeug.serving import make_server

    from portal.app import create_app
    from portal.app import request_handler as handler

    ledger = ledger_for(db_url)
    try:
        app = create_app(ledger, secret_key=os.environ.get("ISF_LEDGER_PORTAL_SECRET"))
        # One request at a time: the ledger's writes are serialised anyway, and a
        # portal for one council's staff, providers and people needs no more.
        server = make_server(host, port, app, threaded=False, request_handler=handler())
        click.echo(f"portal on http://{host}:{server.port}/ (Ctrl+C stops it)", err=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    finally:
        ledger.close()


COMMANDS = [serve]
