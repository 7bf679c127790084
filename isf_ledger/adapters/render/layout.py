"""Layout shared by the renderers: fixed-width sums for text, and the HTML page shell.

A statement's sum ("opening + in - out = closing") is written once as a list of steps,
and the text and HTML forms both draw it from that list, so the two can never disagree.
The HTML shell carries a Content-Security-Policy that forbids every outside resource:
a statement opened from an email or a shared drive fetches nothing and runs nothing.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from isf_ledger.adapters.render.money_words import amount, grouped, pounds

WIDTH = 72
LABEL_WIDTH = 52


class Step(NamedTuple):
    """One line of a sum: its sign ("", "+", "-", "="), what it is, and the money."""

    sign: str
    label: str
    value: str | Decimal


def check_sum(steps: Sequence[Step]) -> str | None:
    """A plain warning if the steps do not add up to their "=" line, else None.

    The figures come from the report builder; a reader checks them with a calculator,
    so a sum that does not add up is said on the statement rather than hidden.
    """
    running = Decimal(0)
    for step in steps:
        if step.sign == "=":
            if running != amount(step.value):
                return f"These figures do not add up: the lines above come to {pounds(running)}."
            return None
        running += -amount(step.value) if step.sign == "-" else amount(step.value)
    return None


def printable(value: object) -> str:
    """Text with control characters shown as escapes, for terminal output.

    Merchant names and descriptions come from outside files; a raw escape sequence in
    one could rewrite the officer's terminal, so it is shown, not obeyed.
    """
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(value)
    )


def text_rule(char: str = "-") -> str:
    return char * WIDTH


def text_row(label: str, value: str, sign: str = "") -> str:
    """One fixed-width line: a sign column, a label, and a right-aligned value."""
    return f"  {sign:1} {label:<{LABEL_WIDTH}}{value:>{WIDTH - LABEL_WIDTH - 4}}"


def text_steps(steps: Sequence[Step]) -> list[str]:
    """A sum as fixed-width lines, with a rule above the total."""
    lines = []
    for step in steps:
        if step.sign == "=":
            lines.append(text_row("", "-" * 14))
        lines.append(text_row(step.label, grouped(step.value), step.sign))
    warning = check_sum(steps)
    if warning:
        lines.append(f"  WARNING: {warning}")
    return lines


def esc(value: object) -> str:
    """Any value as HTML-safe text (also safe inside SVG/XML attributes)."""
    return html.escape(str(value), quote=True)


SIGN_WORDS = {"+": "plus", "-": "minus", "=": "equals", "": ""}


def html_steps(steps: Sequence[Step], caption: str) -> str:
    """A sum as an HTML table; the sign is spoken in words for screen readers."""
    rows = []
    for step in steps:
        css = ' class="total"' if step.sign == "=" else ""
        sign = step.sign.replace("-", "−")
        rows.append(
            f"<tr{css}><td class='sign'><span aria-hidden='true'>{esc(sign)}</span>"
            f"<span class='sr'>{SIGN_WORDS[step.sign]}</span></td>"
            f"<th scope='row'>{esc(step.label)}</th>"
            f"<td class='num'>{esc(pounds(step.value))}</td></tr>"
        )
    warning = check_sum(steps)
    note = f"<p class='warning'><strong>Warning:</strong> {esc(warning)}</p>" if warning else ""
    return (
        f"<table class='sum'><caption>{esc(caption)}</caption><tbody>"
        + "".join(rows)
        + f"</tbody></table>{note}"
    )


BASE_CSS = """
*, *::before, *::after { box-sizing: border-box; }
html { color: #111; background: #fff; }
body { font-family: system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
       line-height: 1.5; margin: 0 auto; padding: 1.5rem; }
h1, h2, h3 { line-height: 1.2; }
table { border-collapse: collapse; }
th, td { padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden;
      clip-path: inset(50%); white-space: nowrap; }
.warning { border: 3px solid #a30000; padding: 0.5em; color: #a30000; }
@page { size: A4; margin: 15mm; }
@media print {
  body { padding: 0; max-width: none; }
  section, table, figure { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

# default-src 'none' blocks fonts, images, scripts and frames; only the inline style runs.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def html_document(title: str, body: str, css: str) -> str:
    """A complete, self-contained HTML page: no scripts, no fonts, no outside links."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{BASE_CSS}{css}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
