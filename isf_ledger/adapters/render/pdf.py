"""A rendered HTML page printed to PDF by headless Chromium, for a download.

The page is one the renderers made (self-contained: no script, no fonts or
images from outside, its own CSP), so the PDF is the same record as the HTML
and the CSV, laid out by the renderers' `@page` rules (A4). Chromium is the
one the project already uses for its screenshot test (Debian's `chromium`);
`ISF_LEDGER_CHROMIUM` names another. No database here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--no-pdf-header-footer",
)  # fmt: skip


class PdfUnavailable(RuntimeError):
    """No browser to print with, or it failed: the HTML and CSV still serve."""


def chromium() -> str | None:
    return os.environ.get("ISF_LEDGER_CHROMIUM") or shutil.which("chromium")


def html_to_pdf(html: str, *, timeout_s: int = 60) -> bytes:
    """The page as PDF bytes, printed in a browser profile of its own, then removed."""
    browser = chromium()
    if browser is None:
        raise PdfUnavailable("PDF needs Chromium (apt-get install chromium): use HTML or CSV")
    with tempfile.TemporaryDirectory(prefix="isf-ledger-pdf-") as folder:
        page, out = Path(folder) / "page.html", Path(folder) / "page.pdf"
        page.write_text(html, encoding="utf-8")
        command = [browser, *FLAGS, f"--user-data-dir={Path(folder) / 'profile'}",
                   f"--print-to-pdf={out}", page.as_uri()]  # fmt: skip
        try:
            subprocess.run(command, capture_output=True, timeout=timeout_s, check=True)
        except (subprocess.SubprocessError, OSError) as e:
            raise PdfUnavailable(f"Chromium could not print the PDF: {type(e).__name__}") from None
        if not out.exists() or out.read_bytes()[:5] != b"%PDF-":
            raise PdfUnavailable("Chromium printed no PDF")
        return out.read_bytes()
