"""The provider's monthly statement of individual service funds (ISFs), for people.

Input is the `ProviderStatement` record, whose JSON is the contract's (see CONTRACT.md
"Reports"). An ISF must be
accounted for person by person, never as one block invoice, so every form shows each
agreement's own sum, opening + money in - money out = closing, that a finance officer
can check with a calculator, and then the same sum for the totals.

`as_at` (the instant the statement reproduces) is shown when set, and each ISF's
`prior_period_adjustments` (changes to earlier months recorded since last month's
statement) when non-zero, with `entered_after_last_statement` (nothing of the fund was
recorded when that statement was issued, so those changes are earlier months entered
late, not corrections).
"""

from __future__ import annotations

from collections.abc import Sequence
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
from isf_ledger.adapters.render.money_words import grouped, month_words, pounds, total
from isf_ledger.domain.money import ZERO
from isf_ledger.reports.provider_statement import IsfMonth, ProviderStatement

# The fields of the sum, in order; then the other money and hours fields.
SUM_FIELDS = (
    "opening_balance",
    "payments_in",
    "top_ups_in",
    "contributions_in",
    "charges_hours",
    "charges_other",
    "recovered",
    "closing_balance",
)
OTHER_MONEY_FIELDS = (
    "surplus",
    "prior_period_adjustments",
    "contribution_arrears",
    "due_back",
    "surplus_on_payments",
)
HOUR_FIELDS = ("hours_planned", "hours_delivered", "hours_awaiting_approval", "hours_declined")


def _steps(isf: IsfMonth) -> list[Step]:
    """The statement's sum, in the contract's order."""
    return [
        Step("", "Opening balance", isf.opening_balance),
        Step("+", "Payments in from the council", isf.payments_in),
        Step("+", "Top-ups in", isf.top_ups_in),
        Step("+", "Contributions in from the person", isf.contributions_in),
        Step("-", "Support hours delivered × rate", isf.charges_hours),
        Step("-", "Other charges", isf.charges_other),
        Step("-", "Recovered by the council", isf.recovered),
        Step("=", "Closing balance", isf.closing_balance),
    ]


def _totals(agreements: Sequence[IsfMonth]) -> IsfMonth:
    """Every money and hours field summed exactly across the agreements.

    Flex flags belong to one person's support, so the totals carry none.
    """

    def money(name: str) -> Decimal:
        return total(getattr(a, name) for a in agreements)

    def hours(name: str) -> Decimal:
        return sum((getattr(a, name) for a in agreements), Decimal(0))

    return IsfMonth(
        agreement_id="TOTAL",
        person_id="",
        opening_balance=money("opening_balance"),
        payments_in=money("payments_in"),
        top_ups_in=money("top_ups_in"),
        charges_hours=money("charges_hours"),
        charges_other=money("charges_other"),
        recovered=money("recovered"),
        hours_planned=hours("hours_planned"),
        hours_delivered=hours("hours_delivered"),
        closing_balance=money("closing_balance"),
        surplus=money("surplus"),
        flex_flags=(),
        prior_period_adjustments=money("prior_period_adjustments"),
        entered_after_last_statement=False,
        contributions_in=money("contributions_in"),
        contribution_arrears=money("contribution_arrears"),
        hours_awaiting_approval=hours("hours_awaiting_approval"),
        hours_declined=hours("hours_declined"),
        status="",
        due_back=money("due_back"),
        surplus_basis="",
        surplus_on_payments=None,
    )


def _entered_late(isf: IsfMonth) -> Decimal:
    """The part of the opening that earlier months entered late make up."""
    return isf.prior_period_adjustments if isf.entered_after_last_statement else ZERO


def _notes(isf: IsfMonth, late: Decimal) -> list[str]:
    """What a reader must not miss: a fund below zero, and where the opening came from.

    `late` is the part of `prior_period_adjustments` entered late, not corrected.
    """
    notes = []
    if isf.closing_balance < 0:
        notes.append(
            f"WARNING: the closing balance is below zero: {pounds(-isf.closing_balance)} more "
            "has been charged than this fund holds. Tell the council before charging more to it."
        )
    if late != 0:
        notes.append(
            f"The opening balance includes {pounds(late)} for earlier months entered in the "
            "ledger after last month's statement was issued; no earlier statement showed it."
        )
    if isf.prior_period_adjustments - late != 0:
        named = "".join(
            f" {a.what.capitalize()} (effective {a.effective}, command {a.command_id}): "
            f"{pounds(a.amount)}."
            for a in isf.adjustments
        )
        notes.append(
            f"Includes {pounds(isf.prior_period_adjustments - late)} of corrections to earlier "
            f"months recorded since.{named}"
        )
    return notes


def _facts(isf: IsfMonth) -> list[tuple[str, str]]:
    """What the sum does not show, as (label, value): status, surplus, arrears, flex."""
    planned, delivered = isf.hours_planned, isf.hours_delivered
    facts = [("Status", isf.status)] if isf.status else []
    facts += [
        ("Hours planned", str(planned)),
        ("Hours delivered", str(delivered)),
        ("Delivered minus planned", f"{delivered - planned:+}"),
    ]
    if isf.hours_awaiting_approval:
        facts.append(("Hours awaiting approval (not charged)", str(isf.hours_awaiting_approval)))
    if isf.hours_declined:
        facts.append(("Hours declined (never charged)", str(isf.hours_declined)))
    facts.append(("Surplus above the threshold", grouped(isf.surplus)))
    if isf.surplus_basis:
        facts.append(("Surplus worked out on", isf.surplus_basis))
    if isf.surplus_on_payments is not None:
        facts.append(("Surplus on weeks of planned payments", grouped(isf.surplus_on_payments)))
    if isf.due_back:
        facts.append(("Due back to the council (final account)", grouped(isf.due_back)))
    if isf.contribution_arrears:
        facts.append(("Contribution arrears", grouped(isf.contribution_arrears)))
    if isf.top_up_arrears:
        facts.append(("Top-up arrears", grouped(isf.top_up_arrears)))
    facts += [(f"Exception {x.exception_id}", f"{x.kind}: {x.status}") for x in isf.exceptions]
    return facts


def _title(data: ProviderStatement) -> str:
    return f"ISF statement for {data.provider_id}, {month_words(data.month)}"


def _heading(index: int, count: int, isf: IsfMonth) -> str:
    return f"ISF {index} of {count}: agreement {isf.agreement_id}, person {isf.person_id}"


# ---- text -----------------------------------------------------------------------------


def _text_section(heading: str, isf: IsfMonth, late: Decimal, *, flex: bool = True) -> list[str]:
    """One ISF's section; `flex` is False for the totals, which have no flex line."""
    lines = [heading, text_rule(), *text_steps(_steps(isf)), ""]
    lines += [text_row(label, value) for label, value in _facts(isf)]
    if flex:
        flags = isf.flex_flags
        lines.append(f"  Flex: {printable('; '.join(flags)) if flags else 'nothing flagged'}")
    lines += [f"  NOTE: {note}" for note in _notes(isf, late)]
    return lines


def render_text(data: ProviderStatement) -> str:
    """A fixed-width statement: one section per person's ISF, then the totals."""
    agreements = data.agreements
    lines = [
        _title(data),
        f"Provider: {data.provider_id}",
        f"Month:    {month_words(data.month)}",
    ]
    if data.as_at:
        lines.append(f"As at:    {data.as_at}")
    lines += [
        "Amounts are in pounds. Each person's fund is shown on its own; totals at the end.",
        text_rule("="),
    ]
    if not agreements:
        lines += ["", "No individual service funds for this provider in this month."]
    for index, agreement in enumerate(agreements, start=1):
        heading = _heading(index, len(agreements), agreement)
        lines += ["", *_text_section(heading, agreement, _entered_late(agreement))]
    if agreements:
        heading = f"TOTALS for {len(agreements)} ISFs"
        late = total(_entered_late(a) for a in agreements)
        totals = _text_section(heading, _totals(agreements), late, flex=False)
        lines += ["", text_rule("="), *totals]
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


def _csv_row(data: ProviderStatement, isf: IsfMonth) -> list[Any]:
    # Money and hours go in as Decimal, so write_csv keeps them plain numbers.
    return [
        data.provider_id,
        data.month,
        isf.agreement_id,
        isf.person_id,
        *(getattr(isf, name) for name in SUM_FIELDS + OTHER_MONEY_FIELDS + HOUR_FIELDS),
        "; ".join(isf.flex_flags),
    ]


def render_csv(data: ProviderStatement, out: TextIO) -> None:
    """One row per agreement, then a TOTAL row; money and hours stay plain numbers."""
    rows = [_csv_row(data, isf) for isf in data.agreements]
    rows.append(_csv_row(data, _totals(data.agreements)))
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


def _html_section(
    heading: str, isf: IsfMonth, late: Decimal, css_class: str = "", *, flex: bool = True
) -> str:
    flags = isf.flex_flags
    flexed = ""
    if flex and flags:
        items = "".join(f"<li>{esc(f)}</li>" for f in flags)
        flexed = f"<p>Flex flagged:</p><ul>{items}</ul>"
    elif flex:
        flexed = "<p>Flex: nothing flagged.</p>"
    rows = "".join(
        f"<tr><th scope='row'>{esc(label)}</th><td class='num'>{esc(value)}</td></tr>"
        for label, value in _facts(isf)
    )
    return (
        f"<section class='{css_class}'><h2>{esc(heading)}</h2>"
        + html_steps(_steps(isf), "Money: opening + in − out = closing")
        + f"<table class='facts'><tbody>{rows}</tbody></table>{flexed}"
        + "".join(f"<p class='note'>{esc(note)}</p>" for note in _notes(isf, late))
        + "</section>"
    )


def render_html(data: ProviderStatement) -> str:
    """A printable (A4) page with one section per person's ISF and a totals section."""
    agreements = data.agreements
    as_at = f"<p>As at {esc(data.as_at)}</p>" if data.as_at else ""
    parts = [
        f"<header><h1>{esc(_title(data))}</h1>",
        f"<p>Provider {esc(data.provider_id)}, {esc(month_words(data.month))}. ",
        "Each person's fund is shown on its own; totals at the end.</p>",
        f"{as_at}</header><main>",
    ]
    if not agreements:
        parts.append("<p>No individual service funds for this provider in this month.</p>")
    for index, agreement in enumerate(agreements, start=1):
        heading = _heading(index, len(agreements), agreement)
        parts.append(_html_section(heading, agreement, _entered_late(agreement)))
    if agreements:
        heading = f"Totals for {len(agreements)} ISFs"
        late = total(_entered_late(a) for a in agreements)
        parts.append(_html_section(heading, _totals(agreements), late, "totals", flex=False))
    parts.append("</main>")
    return html_document(_title(data), "\n".join(parts), PROVIDER_CSS)
