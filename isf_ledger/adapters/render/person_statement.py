"""The supported person's own statement: their budget, what was paid, spent and is left.

Written for the person, not for finance: plain sentences, options explained in words,
dates as "6 April 2026", money as "£1,234.50", and in HTML a picture of the year with
a table that says the same thing for anyone who cannot see the picture. The sentences
are built once and shared by the text and HTML forms.

Input is the `PersonStatement` record, whose JSON is the contract's `statement person`
(see CONTRACT.md "Reports"): a line with a `month` is that month's total and is dated
by the month; `recovered_to_date`, `status` and `ended_on` add a sentence each where
they apply. Its `monthly` totals draw the picture; when there are none
(nothing has happened yet) the picture is worked out from what is there: the budget
shared out evenly over the days of the year, and spending from `lines` whose amount is
negative (money going out of the budget), up to the month of the latest line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from isf_ledger.adapters.render.chart import MonthPoint, line_chart_svg
from isf_ledger.adapters.render.layout import esc, html_document, printable
from isf_ledger.adapters.render.money_words import long_date, month_words, option_words, pounds
from isf_ledger.domain.money import ZERO, round_half_up
from isf_ledger.reports.person_statement import PersonStatement


def summary_sentences(data: PersonStatement) -> list[str]:
    """The statement in a few plain sentences."""
    period = f"{long_date(data.period_start)} to {long_date(data.period_end)}"
    paid, spent = data.paid_to_date, data.spent_to_date
    sentences = [
        f"Your budget for the year {period} is {pounds(data.budget)}.",
        f"So far {pounds(paid)} has been paid, {pounds(spent)} has been spent on your "
        f"support, {_what_is_left(data)}",
    ]
    if spent > paid:
        sentences.append(
            f"{pounds(spent - paid)} more has been spent than the council has paid so far. "
            "That happens when support is charged before the council's next payment "
            "arrives, or is paid for from top-ups."
        )
    if data.recovered_to_date != 0:
        sentences.append(
            f"{pounds(data.recovered_to_date)} that was paid in but not spent has been "
            "returned to the council."
        )
    sentences += _share_sentences(data)
    top_ups = data.top_ups_to_date
    if top_ups != 0:
        sentences.append(
            f"{pounds(top_ups)} has also been added as top-ups by you, your family or "
            "someone else. Top-ups are extra money on top of the council's budget."
        )
    return sentences


def _what_is_left(data: PersonStatement) -> str:
    """The end of the second sentence: what is left, what was overspent, or that it ended."""
    if data.status == "ended":
        ended = f"ended on {long_date(data.ended_on)}" if data.ended_on else "has ended"
        return f"and the budget {ended}, so nothing more can be spent from it."
    if data.remaining >= 0:
        return f"and {pounds(data.remaining)} is left."
    return f"which is {pounds(-data.remaining)} more than your budget."


def _share_sentences(data: PersonStatement) -> list[str]:
    """Your contribution, and what an ended budget owes back, in words."""
    sentences = []
    if data.contribution:
        sentences.append(
            f"Your budget is {pounds(data.budget)}. The council pays "
            f"{pounds(data.council_pays)}; you pay {pounds(data.contribution)}. "
            f"You have paid {pounds(data.contributions_paid)} so far."
        )
    if data.contribution_arrears > 0:
        sentences.append(
            f"{pounds(data.contribution_arrears)} of your contribution is due and not yet paid."
        )
    if data.status == "ended":
        owed = data.due_back or ZERO
        sentences.append(
            f"{pounds(owed)} paid in and not spent is due back to the council."
            if owed
            else "Nothing paid in is due back to the council."
        )
    return sentences


def _allocations(data: PersonStatement) -> list[tuple[str, str]]:
    return [(option_words(a.option), pounds(a.amount)) for a in data.allocations]


def _lines(data: PersonStatement) -> list[tuple[str, str, str]]:
    """(when, what, amount): a month's total is dated by its month, not its first day."""
    return [
        (
            month_words(line.month) if line.month else long_date(line.date),
            line.what,
            pounds(line.amount),
        )
        for line in data.lines
    ]


# ---- the picture -----------------------------------------------------------------------


def _month_end(year_month: str) -> date:
    first = date.fromisoformat(f"{year_month}-01")
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _months(start: date, end: date) -> list[str]:
    """Every "YYYY-MM" from the month of `start` to the month of `end`."""
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_points(data: PersonStatement) -> list[MonthPoint]:
    """Cumulative budget and spending at each month end of the budget year.

    The months always run across the whole year, so the picture shows how far through
    it the person is; from `monthly` when given, else worked out (see module docstring).
    """
    start, end = data.period_start, data.period_end
    if data.monthly:
        given = {m.month: m for m in data.monthly}
        return [
            MonthPoint(month, given[month].budget_to_date, given[month].spent_to_date)
            if month in given
            else MonthPoint(month, None, None)
            for month in sorted(set(_months(start, end)) | set(given))
        ]
    budget, days_in_year = data.budget, (end - start).days + 1
    spending = [(line.date, -line.amount) for line in data.lines if line.amount < 0]
    last_line = max((line.date for line in data.lines), default=None)
    points = []
    for month in _months(start, end):
        cutoff = min(_month_end(month), end)
        available = round_half_up(budget * ((cutoff - start).days + 1) / days_in_year)
        spent = None
        if last_line is not None and date.fromisoformat(f"{month}-01") <= last_line:
            spent = sum((out for day, out in spending if day <= cutoff), ZERO)
        points.append(MonthPoint(month, available, spent))
    return points


def _chart_desc(points: Sequence[MonthPoint]) -> str:
    """The picture described in one or two sentences, for screen readers."""
    first, last = month_words(points[0].month), month_words(points[-1].month)
    words = f"A line chart of your budget from {first} to {last}."
    latest = [p for p in points if p.spent is not None]
    if latest:
        p = latest[-1]
        words += (
            f" By the end of {month_words(p.month)}, {_maybe_pounds(p.available)} of your "
            f"budget was available and {_maybe_pounds(p.spent)} had been spent."
        )
    return words


def _maybe_pounds(value: Decimal | None) -> str:
    return "not yet" if value is None else pounds(value)


def chart_svg(data: PersonStatement) -> str:
    """The year in a picture: an inline SVG of budget available against money spent."""
    points = month_points(data)
    if not points:
        return ""
    return line_chart_svg(points, "Your budget over the year", _chart_desc(points))


# ---- text -----------------------------------------------------------------------------


def render_text(data: PersonStatement) -> str:
    """The statement as plain text, in words a person can read aloud."""
    out = [
        "Your support budget",
        f"Your reference: {data.person_id}    Budget reference: {data.budget_id}",
        "",
    ]
    # One sentence a line, unwrapped, so a sentence is never split across lines.
    out += summary_sentences(data)
    out += ["", "How your budget is shared out"]
    out += [f"  {words:<60}{money:>12}" for words, money in _allocations(data)]
    out += ["", "What has happened so far"]
    if not data.lines:
        out.append("  Nothing yet.")
    out += [f"  {day:<18} {printable(what):<54} {money:>12}" for day, what, money in _lines(data)]
    return "\n".join(out) + "\n"


# ---- HTML -----------------------------------------------------------------------------

PERSON_CSS = """
body { max-width: 52rem; font-size: 1.25rem; }
h1 { font-size: 2.2rem; margin-top: 0; }
h2 { font-size: 1.6rem; margin-top: 2rem; border-bottom: 3px solid #0b3d91; }
h3 { font-size: 1.3rem; }
.ref { color: #333; }
.summary p { font-size: 1.35rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
           gap: 0.8rem; margin: 1rem 0; padding: 0; }
.figures div { border: 3px solid #111; border-radius: 0.5rem; padding: 0.6rem; }
.figures dt { font-weight: bold; }
.figures dd { margin: 0; font-size: 1.7rem; font-variant-numeric: tabular-nums; }
.figures .left { border-color: #0b3d91; background: #eef3fb; }
table.data { width: 100%; }
table.data th { border-bottom: 3px solid #111; }
table.data td { border-bottom: 1px solid #999; }
figure { margin: 0; }
svg.chart { width: 100%; height: auto; border: 1px solid #999; }
figcaption { margin-top: 0.4rem; }
@media print { body { font-size: 12pt; } .summary p { font-size: 13pt; } }
"""


def _table(caption: str, heads: Sequence[str], rows: Sequence[Sequence[str]], nums: int) -> str:
    """A data table; the last `nums` columns are money, right-aligned."""
    css = ["" if i < len(heads) - nums else ' class="num"' for i in range(len(heads))]
    head = "".join(f"<th scope='col'{c}>{esc(h)}</th>" for h, c in zip(heads, css, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td{c}>{esc(v)}</td>" for v, c in zip(row, css, strict=True)) + "</tr>"
        for row in rows
    )
    return (
        f"<table class='data'><caption class='sr'>{esc(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _figures(data: PersonStatement) -> str:
    remaining = data.remaining
    boxes = [
        ("Budget for the year", pounds(data.budget), ""),
        ("Paid so far", pounds(data.paid_to_date), ""),
        ("Spent on your support", pounds(data.spent_to_date), ""),
        ("Left" if remaining >= 0 else "Over budget by", pounds(abs(remaining)), "left"),
    ]
    if data.status == "ended" and data.ended_on is not None:
        boxes[-1] = ("Budget ended on", long_date(data.ended_on), "left")
    return (
        "<dl class='figures'>"
        + "".join(
            f"<div class='{css}'><dt>{esc(label)}</dt><dd>{esc(value)}</dd></div>"
            for label, value, css in boxes
        )
        + "</dl>"
    )


def _picture(data: PersonStatement) -> str:
    points = month_points(data)
    if not points:
        return ""
    rows = [
        (month_words(p.month), _maybe_pounds(p.available), _maybe_pounds(p.spent))
        for p in points
        if p.available is not None or p.spent is not None
    ]
    return (
        "<section><h2>Your year in a picture</h2><figure>"
        + chart_svg(data)
        + "<figcaption>The blue solid line shows how much of your budget was available by "
        "the end of each month. The orange dashed line shows how much had been spent. "
        "When the orange line stays below the blue line, there is money left.</figcaption>"
        "</figure><h3>The same in a table</h3>"
        + _table(
            "Budget available and money spent, month by month",
            ("Month", "Budget available so far", "Spent so far"),
            rows,
            nums=2,
        )
        + "</section>"
    )


def render_html(data: PersonStatement) -> str:
    """A self-contained, accessible page for the person, with a picture of the year."""
    summary = "".join(f"<p>{esc(s)}</p>" for s in summary_sentences(data))
    history = (
        _table("What has happened so far", ("Date", "What", "Amount"), _lines(data), nums=1)
        if data.lines
        else "<p>Nothing yet.</p>"
    )
    body = (
        "<main><h1>Your support budget</h1>"
        f"<p class='ref'>Your reference: {esc(data.person_id)}. "
        f"Budget reference: {esc(data.budget_id)}.</p>"
        f"<section class='summary'><h2>Your money at a glance</h2>{summary}{_figures(data)}"
        "</section><section><h2>How your budget is shared out</h2>"
        + _table("How your budget is shared out", ("How", "Amount"), _allocations(data), nums=1)
        + "</section>"
        + _picture(data)
        + f"<section><h2>What has happened so far</h2>{history}</section></main>"
    )
    return html_document("Your support budget", body, PERSON_CSS)
