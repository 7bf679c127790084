"""The provider's monthly statement of individual service funds (ISFs), for people.

Input is the `statement provider` JSON dict (see CONTRACT.md "Reports"). An ISF must be
accounted for person by person, never as one block invoice, so every form shows each
agreement's own sum, opening + money in - money out = closing, that a finance officer
can check with a calculator, and then the same sum for the totals.

Optional keys: `as_at` (the instant the statement reproduces) and, per agreement,
`prior_period_adjustments` (changes to earlier months recorded since last month's
statement; shown only when non-zero) with `entered_after_last_statement` (nothing of
the fund was recorded when that statement was issued, so those changes are earlier
months entered late, not corrections).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TextIO

from isf_ledger.adapters.render.csv_safe import write_csv
from isf_ledger.adapters.render.layout import (
    Step,
    esc,
    html_document,
    html_steps,
    printable,
    text_row,
    text_rule,
    text_steps,
)
from isf_ledger.adapters.render.money_words import (
    amount,
    grouped,
    hours,
    month_words,
    pounds,
    total,
)

Agreement = Mapping[str, Any]

# The fields of the sum, in order; then the other money and hours fields.
SUM_FIELDS = (
    "opening_balance",
    "payments_in",
    "top_ups_in",
    "charges_hours",
    "charges_other",
    "recovered",
    "closing_balance",
)
OTHER_MONEY_FIELDS = ("surplus", "prior_period_adjustments")
HOUR_FIELDS = ("hours_planned", "hours_delivered")


def _steps(agreement: Agreement) -> list[Step]:
    """The statement's sum, in the contract's order."""
    return [
        Step("", "Opening balance", agreement["opening_balance"]),
        Step("+", "Payments in from the council", agreement["payments_in"]),
        Step("+", "Top-ups in", agreement["top_ups_in"]),
        Step("-", "Support hours delivered × rate", agreement["charges_hours"]),
        Step("-", "Other charges", agreement["charges_other"]),
        Step("-", "Recovered by the council", agreement["recovered"]),
        Step("=", "Closing balance", agreement["closing_balance"]),
    ]


def _totals(agreements: Sequence[Agreement]) -> dict[str, Any]:
    """Every money and hours field summed exactly across the agreements.

    Flex flags belong to one person's support, so the totals carry none.
    """
    sums: dict[str, Any] = {
        name: total(a.get(name, "0.00") for a in agreements)
        for name in SUM_FIELDS + OTHER_MONEY_FIELDS
    }
    for name in HOUR_FIELDS:
        sums[name] = sum((hours(a[name]) for a in agreements), Decimal(0))
    sums["entered_late"] = total(a["prior_period_adjustments"] for a in agreements if _late(a))
    return sums


def _late(agreement: Agreement) -> bool:
    return bool(agreement.get("entered_after_last_statement"))


def _flex(agreement: Agreement) -> list[str] | None:
    """The agreement's flex flags, or None for the totals (which have no flex line)."""
    flags = agreement.get("flex_flags")
    return None if flags is None else list(flags)


def _notes(agreement: Agreement) -> list[str]:
    """What a reader must not miss: a fund below zero, and where the opening came from."""
    notes = []
    closing = amount(agreement["closing_balance"])
    if closing < 0:
        notes.append(
            f"WARNING: the closing balance is below zero: {pounds(-closing)} more has been "
            "charged than this fund holds. Tell the council before charging more to it."
        )
    adjustments = amount(agreement.get("prior_period_adjustments", "0.00"))
    late = adjustments if _late(agreement) else amount(agreement.get("entered_late", "0.00"))
    if late != 0:
        notes.append(
            f"The opening balance includes {pounds(late)} for earlier months entered in the "
            "ledger after last month's statement was issued; no earlier statement showed it."
        )
    if adjustments - late != 0:
        notes.append(
            f"Includes {pounds(adjustments - late)} of corrections to earlier months "
            "recorded since."
        )
    return notes


def _title(data: Mapping[str, Any]) -> str:
    return f"ISF statement for {data['provider_id']}, {month_words(data['month'])}"


def _heading(index: int, count: int, agreement: Agreement) -> str:
    return (
        f"ISF {index} of {count}: agreement {agreement['agreement_id']}, "
        f"person {agreement['person_id']}"
    )


# ---- text -----------------------------------------------------------------------------


def _text_section(heading: str, agreement: Agreement) -> list[str]:
    lines = [heading, text_rule(), *text_steps(_steps(agreement)), ""]
    planned, delivered = hours(agreement["hours_planned"]), hours(agreement["hours_delivered"])
    lines += [
        text_row("Hours planned", str(planned)),
        text_row("Hours delivered", str(delivered)),
        text_row("Delivered minus planned", f"{delivered - planned:+}"),
        text_row("Surplus above the threshold", grouped(agreement["surplus"])),
    ]
    flags = _flex(agreement)
    if flags is not None:
        lines.append(f"  Flex: {printable('; '.join(flags)) if flags else 'nothing flagged'}")
    lines += [f"  NOTE: {note}" for note in _notes(agreement)]
    return lines


def render_text(data: Mapping[str, Any]) -> str:
    """A fixed-width statement: one section per person's ISF, then the totals."""
    agreements = data["agreements"]
    lines = [
        _title(data),
        f"Provider: {data['provider_id']}",
        f"Month:    {month_words(data['month'])}",
    ]
    if data.get("as_at"):
        lines.append(f"As at:    {data['as_at']}")
    lines += [
        "Amounts are in pounds. Each person's fund is shown on its own; totals at the end.",
        text_rule("="),
    ]
    if not agreements:
        lines += ["", "No individual service funds for this provider in this month."]
    for index, agreement in enumerate(agreements, start=1):
        lines += ["", *_text_section(_heading(index, len(agreements), agreement), agreement)]
    if agreements:
        heading = f"TOTALS for {len(agreements)} ISFs"
        lines += ["", text_rule("="), *_text_section(heading, _totals(agreements))]
    return "\n".join(lines) + "\n"


# ---- CSV ------------------------------------------------------------------------------

CSV_HEADER = (
    "provider_id",
    "month",
    "agreement_id",
    "person_id",
    *SUM_FIELDS,
    *OTHER_MONEY_FIELDS,
    *HOUR_FIELDS,
    "flex_flags",
)


def _csv_row(data: Mapping[str, Any], agreement_id: str, person_id: str, a: Agreement) -> list:
    # Money and hours go in as Decimal, so write_csv keeps them plain numbers.
    return [
        data["provider_id"],
        data["month"],
        agreement_id,
        person_id,
        *(amount(a.get(name, "0.00")) for name in SUM_FIELDS + OTHER_MONEY_FIELDS),
        *(hours(a[name]) for name in HOUR_FIELDS),
        "; ".join(_flex(a) or []),
    ]


def render_csv(data: Mapping[str, Any], out: TextIO) -> None:
    """One row per agreement, then a TOTAL row; money and hours stay plain numbers."""
    agreements = data["agreements"]
    rows = [_csv_row(data, a["agreement_id"], a["person_id"], a) for a in agreements]
    rows.append(_csv_row(data, "TOTAL", "", _totals(agreements)))
    write_csv(rows, CSV_HEADER, out)


# ---- HTML -----------------------------------------------------------------------------

PROVIDER_CSS = """
body { max-width: 48rem; font-size: 11pt; }
h1 { font-size: 1.5rem; }
h2 { font-size: 1.15rem; margin: 0 0 0.4rem; }
section { border-top: 2px solid #111; padding: 0.8rem 0; }
table.sum, table.facts { width: 100%; margin-bottom: 0.5rem; }
table.sum caption { text-align: left; font-weight: bold; }
table.sum th, table.facts th { font-weight: normal; }
td.sign { width: 1.5em; font-weight: bold; }
tr.total th, tr.total td { border-top: 2px solid #111; font-weight: bold; }
.note { border-left: 6px solid #8a5a00; padding-left: 0.6em; font-weight: bold; }
section.totals { border-top: 4px double #111; }
"""


def _html_section(heading: str, agreement: Agreement, css_class: str = "") -> str:
    planned, delivered = hours(agreement["hours_planned"]), hours(agreement["hours_delivered"])
    flags = _flex(agreement)
    flex = ""
    if flags:
        items = "".join(f"<li>{esc(f)}</li>" for f in flags)
        flex = f"<p>Flex flagged:</p><ul>{items}</ul>"
    elif flags is not None:
        flex = "<p>Flex: nothing flagged.</p>"
    facts = [
        ("Hours planned", planned),
        ("Hours delivered", delivered),
        ("Delivered minus planned", f"{delivered - planned:+}"),
        ("Surplus above the threshold", pounds(agreement["surplus"])),
    ]
    rows = "".join(
        f"<tr><th scope='row'>{esc(label)}</th><td class='num'>{esc(value)}</td></tr>"
        for label, value in facts
    )
    return (
        f"<section class='{css_class}'><h2>{esc(heading)}</h2>"
        + html_steps(_steps(agreement), "Money: opening + in − out = closing")
        + f"<table class='facts'><tbody>{rows}</tbody></table>{flex}"
        + "".join(f"<p class='note'>{esc(note)}</p>" for note in _notes(agreement))
        + "</section>"
    )


def render_html(data: Mapping[str, Any]) -> str:
    """A printable (A4) page with one section per person's ISF and a totals section."""
    agreements = data["agreements"]
    as_at = f"<p>As at {esc(data['as_at'])}</p>" if data.get("as_at") else ""
    parts = [
        f"<header><h1>{esc(_title(data))}</h1>",
        f"<p>Provider {esc(data['provider_id'])}, {esc(month_words(data['month']))}. ",
        "Each person's fund is shown on its own; totals at the end.</p>",
        f"{as_at}</header><main>",
    ]
    if not agreements:
        parts.append("<p>No individual service funds for this provider in this month.</p>")
    for index, agreement in enumerate(agreements, start=1):
        parts.append(_html_section(_heading(index, len(agreements), agreement), agreement))
    if agreements:
        heading = f"Totals for {len(agreements)} ISFs"
        parts.append(_html_section(heading, _totals(agreements), "totals"))
    parts.append("</main>")
    return html_document(_title(data), "\n".join(parts), PROVIDER_CSS)
