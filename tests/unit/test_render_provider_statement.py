"""The provider's ISF statement shows each person's fund and sums a reader can check."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import fields
from decimal import Decimal
from typing import Any

from isf_ledger.adapters.render import provider_statement
from isf_ledger.reports.provider_statement import IsfMonth, ProviderStatement

TEXT = ("agreement_id", "person_id", "status", "surplus_basis")


def agreement(**changes: Any) -> IsfMonth:
    """An ISF's month written as its JSON, read into the record."""
    row: dict[str, Any] = {
        "agreement_id": "AG-1",
        "person_id": "P-1",
        "opening_balance": "1000.00",
        "payments_in": "1500.00",
        "top_ups_in": "100.00",
        "hours_planned": "40.00",
        "hours_delivered": "42.25",
        "charges_hours": "1014.00",
        "charges_other": "25.50",
        "recovered": "0.00",
        "closing_balance": "1560.50",
        "surplus": "0.00",
        "flex_flags": ["week of 2026-04-13: 4.25 hours above plan"],
        "prior_period_adjustments": "0.00",
        "entered_after_last_statement": False,
        "contributions_in": "0.00",
        "contribution_arrears": "0.00",
        "hours_awaiting_approval": "0.00",
        "hours_declined": "0.00",
        "status": "active",
        "due_back": "0.00",
        "surplus_basis": "weeks of planned hours x rate",
        "surplus_on_payments": None,
    }
    row.update(changes)
    return IsfMonth(
        **{
            f.name: (
                row[f.name]
                if f.name in TEXT or f.name == "entered_after_last_statement"
                else tuple(row[f.name])
                if f.name == "flex_flags"
                else None
                if row[f.name] is None
                else Decimal(row[f.name])
            )
            for f in fields(IsfMonth)
            if f.name in row  # the rest keep their defaults
        }
    )


def statement(*agreements: IsfMonth, as_at: str | None = None) -> ProviderStatement:
    return ProviderStatement(
        "PROV-1",
        "2026-04",
        agreements
        or (
            agreement(),
            agreement(
                agreement_id="AG-2",
                person_id="P-2",
                opening_balance="12000.00",
                payments_in="2000.00",
                top_ups_in="0.00",
                hours_planned="20",
                hours_delivered="18.5",
                charges_hours="444.00",
                charges_other="0.00",
                recovered="500.00",
                closing_balance="13056.00",
                surplus="3456.00",
                flex_flags=[],
            ),
        ),
        as_at,
    )


def sections(text: str) -> list[str]:
    return re.split(r"\n(?=ISF \d+ of \d+|TOTALS)", text)[1:]


def figures(section: str) -> dict[str, Decimal]:
    found = re.findall(r"^  ([+\-= ]) (.+?) +(-?[\d,]+\.\d\d)$", section, re.MULTILINE)
    return {
        f"{sign}{label.strip()}": Decimal(value.replace(",", "")) for sign, label, value in found
    }


def test_the_text_has_one_section_for_each_persons_fund_and_one_for_the_totals():
    text = provider_statement.render_text(statement())
    heads = [s.splitlines()[0] for s in sections(text)]
    assert heads == [
        "ISF 1 of 2: agreement AG-1, person P-1",
        "ISF 2 of 2: agreement AG-2, person P-2",
        "TOTALS for 2 ISFs",
    ]


def test_each_text_section_shows_opening_plus_money_in_minus_money_out_equals_closing():
    for section in sections(provider_statement.render_text(statement())):
        shown = figures(section)
        money_in = shown["+Payments in from the council"] + shown["+Top-ups in"]
        money_out = (
            shown["-Support hours delivered × rate"]
            + shown["-Other charges"]
            + shown["-Recovered by the council"]
        )
        assert shown[" Opening balance"] + money_in - money_out == shown["=Closing balance"]
        assert "WARNING" not in section


def test_the_totals_are_the_exact_sums_of_the_funds():
    totals = figures(sections(provider_statement.render_text(statement()))[-1])
    assert totals[" Opening balance"] == Decimal("13000.00")
    assert totals["=Closing balance"] == Decimal("14616.50")
    assert totals[" Hours planned"] == Decimal("60.00")
    assert totals[" Surplus above the threshold"] == Decimal("3456.00")


def test_figures_that_do_not_add_up_are_called_out_on_the_statement():
    text = provider_statement.render_text(statement(agreement(closing_balance="1560.51")))
    assert "WARNING: These figures do not add up: the lines above come to £1,560.50." in text


def test_planned_and_delivered_hours_and_flex_flags_are_shown():
    text = provider_statement.render_text(statement())
    assert re.search(r"Hours planned +40\.00", text)
    assert re.search(r"Delivered minus planned +\+2\.25", text)
    assert "Flex: week of 2026-04-13: 4.25 hours above plan" in text
    assert "Flex: nothing flagged" in text


def test_corrections_to_earlier_months_are_shown_only_when_there_are_some():
    plain = provider_statement.render_text(statement(agreement(prior_period_adjustments="0.00")))
    assert "corrections" not in plain
    corrected = statement(agreement(prior_period_adjustments="-12.00"))
    note = "Includes -£12.00 of corrections to earlier months recorded since."
    assert note in provider_statement.render_text(corrected)
    assert note in provider_statement.render_html(corrected)


def test_the_as_at_instant_is_shown_when_the_statement_reproduces_a_past_one():
    data = statement(as_at="2026-05-01T09:00:00Z")
    assert "As at:    2026-05-01T09:00:00Z" in provider_statement.render_text(data)
    assert "As at 2026-05-01T09:00:00Z" in provider_statement.render_html(data)
    assert "As at" not in provider_statement.render_text(statement(as_at=None))


def test_a_provider_with_no_funds_in_the_month_gets_a_plain_statement():
    text = provider_statement.render_text(ProviderStatement("PROV-1", "2026-04", ()))
    assert "No individual service funds for this provider in this month." in text


def test_the_csv_has_a_row_per_fund_then_a_total_row_with_numbers_left_plain():
    out = io.StringIO()
    provider_statement.render_csv(statement(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["agreement_id"] for r in rows] == ["AG-1", "AG-2", "TOTAL"]
    assert rows[2]["closing_balance"] == "14616.50"
    assert rows[1]["hours_delivered"] == "18.5"
    assert rows[0]["prior_period_adjustments"] == "0.00"


def test_the_csv_escapes_text_that_could_run_as_a_formula_but_not_negative_money():
    out = io.StringIO()
    data = statement(
        agreement(
            flex_flags=['=HYPERLINK("http://x")'], recovered="-3.20", closing_balance="1563.70"
        )
    )
    provider_statement.render_csv(data, out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["flex_flags"] == '\'=HYPERLINK("http://x")'
    assert row["recovered"] == "-3.20"


def test_the_html_escapes_hostile_text():
    html = provider_statement.render_html(
        statement(agreement(flex_flags=["<script>alert(1)</script>"]))
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_html_prints_on_a4_and_fetches_nothing_from_outside():
    html = provider_statement.render_html(statement())
    assert "@page { size: A4" in html
    assert "@media print" in html
    for outside in ("://", "<script", "<link", "src=", "url(", "@import"):
        assert outside not in html
    assert "default-src 'none'" in html
    assert html.count("<section") == 3
