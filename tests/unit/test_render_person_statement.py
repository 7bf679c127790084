"""The person's own statement is in plain words, with a picture anyone can read."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from typing import Any

from isf_ledger.adapters.render import person_statement
from isf_ledger.reports.person_statement import (
    MonthToDate,
    PersonStatement,
    Share,
    StatementLine,
)

SVG = "{http://www.w3.org/2000/svg}"


def person_statement_json(**changes: Any) -> dict[str, Any]:
    """A person with a £24,000.00 budget: £18,000.00 by option 2 and £6,000.00 by option 1."""
    data: dict[str, Any] = {
        "person_id": "P-1",
        "budget_id": "B-1",
        "period_start": "2026-04-06",
        "period_end": "2027-04-05",
        "budget": "24000.00",
        "allocations": [
            {"option": 2, "amount": "18000.00"},
            {"option": 1, "amount": "6000.00"},
        ],
        "paid_to_date": "8000.00",
        "spent_to_date": "6512.40",
        "top_ups_to_date": "0.00",
        "remaining": "17487.60",
        "lines": [
            {"date": "2026-04-06", "what": "Paid to your provider", "amount": "6000.00"},
            {"date": "2026-04-06", "what": "Paid onto your card", "amount": "2000.00"},
            {"date": "2026-04-30", "what": "Support from your provider", "amount": "-1380.00"},
            {"date": "2026-05-12", "what": "Card: swimming lessons", "amount": "-45.60"},
            {"date": "2026-05-31", "what": "Support from your provider", "amount": "-1420.00"},
            {"date": "2026-06-30", "what": "Support from your provider", "amount": "-1390.00"},
            {"date": "2026-07-31", "what": "Support from your provider", "amount": "-2276.80"},
        ],
        "monthly": [
            {"month": "2026-04", "budget_to_date": "2000.00", "spent_to_date": "1380.00"},
            {"month": "2026-05", "budget_to_date": "4000.00", "spent_to_date": "2845.60"},
            {"month": "2026-06", "budget_to_date": "6000.00", "spent_to_date": "4235.60"},
            {"month": "2026-07", "budget_to_date": "8000.00", "spent_to_date": "6512.40"},
        ],
    }
    data.update(changes)
    return data


def record(data: dict[str, Any]) -> PersonStatement:
    """The statement's JSON read back into its record."""
    D = Decimal
    return PersonStatement(
        person_id=data["person_id"],
        budget_id=data["budget_id"],
        period_start=date.fromisoformat(data["period_start"]),
        period_end=date.fromisoformat(data["period_end"]),
        budget=D(data["budget"]),
        allocations=tuple(Share(a["option"], D(a["amount"])) for a in data["allocations"]),
        paid_to_date=D(data["paid_to_date"]),
        spent_to_date=D(data["spent_to_date"]),
        top_ups_to_date=D(data["top_ups_to_date"]),
        remaining=D(data["remaining"]),
        recovered_to_date=D(data.get("recovered_to_date", "0.00")),
        status=data.get("status", "active"),
        ended_on=date.fromisoformat(data["ended_on"]) if data.get("ended_on") else None,
        lines=tuple(
            StatementLine(
                date.fromisoformat(line["date"]), line["what"], D(line["amount"]), line.get("month")
            )
            for line in data["lines"]
        ),
        monthly=tuple(
            MonthToDate(m["month"], D(m["budget_to_date"]), D(m["spent_to_date"]))
            for m in data["monthly"] or ()
        ),
        contribution=D(data.get("contribution", "0.00")),
        council_pays=D(data.get("council_pays", data["budget"])),
        contributions_paid=D(data.get("contributions_paid", "0.00")),
        contribution_arrears=D(data.get("contribution_arrears", "0.00")),
        due_back=D(data["due_back"]) if data.get("due_back") else None,
    )


def person_statement_data(**changes: Any) -> PersonStatement:
    return record(person_statement_json(**changes))


def svg_of(html: str) -> ET.Element:
    return ET.fromstring(html[html.index("<svg") : html.index("</svg>") + len("</svg>")])


def test_the_text_says_what_the_budget_is_and_what_was_paid_spent_and_is_left():
    text = person_statement.render_text(person_statement_data())
    assert "Your budget for the year 6 April 2026 to 5 April 2027 is £24,000.00." in text
    assert (
        "So far £8,000.00 has been paid, £6,512.40 has been spent on your support, "
        "and £17,487.60 is left." in text
    )


def test_each_option_is_explained_in_words_with_its_amount():
    text = person_statement.render_text(person_statement_data())
    assert re.search(
        r"Option 2: you chose a provider who holds your money for you +£18,000\.00", text
    )
    assert re.search(r"Option 1: a direct payment to you +£6,000\.00", text)


def test_what_happened_is_listed_with_dates_in_words():
    text = person_statement.render_text(person_statement_data())
    assert re.search(r"12 May 2026 +Card: swimming lessons +-£45\.60", text)


def test_spending_over_the_budget_is_said_plainly():
    data = person_statement_data(spent_to_date="25000.00", remaining="-1000.00")
    text = person_statement.render_text(data)
    assert (
        "£25,000.00 has been spent on your support, which is £1,000.00 more than your budget."
        in text
    )


def test_top_ups_are_mentioned_only_when_there_are_some():
    assert "top-up" not in person_statement.render_text(person_statement_data())
    text = person_statement.render_text(person_statement_data(top_ups_to_date="300.00"))
    assert "£300.00 has also been added as top-ups by you, your family or someone else." in text


def test_the_html_escapes_hostile_text_everywhere():
    hostile = "<script>alert('x')</script>"
    data = person_statement_json(person_id=hostile)
    data["lines"][0]["what"] = hostile
    html = person_statement.render_html(record(data))
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_the_html_is_accessible_with_a_language_headings_and_a_table_for_the_picture():
    html = person_statement.render_html(person_statement_data())
    assert '<html lang="en-GB">' in html
    assert html.count("<h1>") == 1
    assert "<h2>Your year in a picture</h2>" in html
    assert "<h3>The same in a table</h3>" in html
    assert '<td>July 2026</td><td class="num">£8,000.00</td><td class="num">£6,512.40</td>' in html


def test_the_html_fetches_nothing_from_outside_and_runs_no_script():
    html = person_statement.render_html(person_statement_data())
    without_namespace = html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for outside in ("://", "<script", "<link", "src=", "url(", "@import", "@font-face"):
        assert outside not in without_namespace


def test_the_chart_is_well_formed_svg_with_a_title_and_description_in_words():
    svg = svg_of(person_statement.render_html(person_statement_data()))
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-title chart-desc"
    assert svg.findtext(f"{SVG}title") == "Your budget over the year"
    assert svg.findtext(f"{SVG}desc") == (
        "A line chart of your budget from April 2026 to April 2027. By the end of July 2026, "
        "£8,000.00 of your budget was available and £6,512.40 had been spent."
    )


def test_the_chart_has_axis_labels_a_legend_in_words_and_both_lines():
    svg = svg_of(person_statement.render_html(person_statement_data()))
    words = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"Money (£)", "Months of your budget year", "£0", "£8,000"} <= set(words)
    assert "Blue solid line with round dots: budget available so far" in words
    assert "Orange dashed line with square dots: money spent so far" in words
    # Two series plus the two sample lines in the legend.
    assert len(list(svg.iter(f"{SVG}polyline"))) == 4


def test_the_chart_runs_across_the_whole_budget_year():
    points = person_statement.month_points(person_statement_data())
    assert [p.month for p in points][0::12] == ["2026-04", "2027-04"]
    assert points[3].spent == Decimal("6512.40")
    assert points[4].spent is None


def test_without_monthly_figures_the_picture_is_worked_out_exactly_from_the_lines():
    points = person_statement.month_points(person_statement_data(monthly=None))
    assert all(isinstance(p.available, Decimal) for p in points)
    assert points[-1].available == Decimal("24000.00")
    assert [p.spent for p in points[:5]] == [
        Decimal("1380.00"),
        Decimal("2845.60"),
        Decimal("4235.60"),
        Decimal("6512.40"),
        None,
    ]
    svg_of(person_statement.render_html(person_statement_data(monthly=None)))


def test_a_statement_with_nothing_yet_still_renders():
    data = person_statement_data(lines=[], monthly=None, paid_to_date="0.00")
    assert "Nothing yet." in person_statement.render_text(data)
    svg_of(person_statement.render_html(data))


def test_a_contribution_is_explained_as_part_of_the_budget_with_its_arrears():
    text = person_statement.render_text(
        person_statement_data(
            contribution="1200.00",
            council_pays="22800.00",
            contributions_paid="300.00",
            contribution_arrears="98.63",
        )
    )
    assert (
        "Your budget is £24,000.00. The council pays £22,800.00; you pay £1,200.00. "
        "You have paid £300.00 so far." in text
    )
    assert "£98.63 of your contribution is due and not yet paid." in text


def test_an_ended_budget_says_so_and_what_is_due_back():
    text = person_statement.render_text(
        person_statement_data(status="ended", due_back="632.02", recovered_to_date="100.00")
    )
    assert "the budget has ended, so nothing more can be spent from it." in text
    assert "£632.02 paid in and not spent is due back to the council." in text
    assert "£100.00 that was paid in but not spent has been returned to the council." in text
    assert "nothing more can be spent" not in person_statement.render_text(person_statement_data())
