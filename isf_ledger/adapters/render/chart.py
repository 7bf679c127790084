"""A small, accessible SVG line chart of money over the months of a year.

Drawn by hand rather than with a plotting library so the page needs nothing from
outside: the SVG is inline, has `role="img"` with a `<title>` and `<desc>` that say in
words what it shows, and its two lines differ by colour, dash and marker shape, so they
can be told apart in greyscale print and by people who do not see colour well.
Money stays `Decimal`; only the drawing coordinates are rounded, to a tenth of a unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal
from typing import NamedTuple

from isf_ledger.adapters.render.layout import esc
from isf_ledger.adapters.render.money_words import MONTHS, pounds

WIDTH, HEIGHT = Decimal(800), Decimal(540)
LEFT, RIGHT, TOP, BOTTOM = Decimal(110), Decimal(30), Decimal(50), Decimal(170)
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
TENTH = Decimal("0.1")


class Look(NamedTuple):
    """How one line is drawn, and the words that describe it in the key."""

    colour: str
    dash: str
    marker: str
    words: str


AVAILABLE = Look(
    "#0b3d91", "", "circle", "Blue solid line with round dots: budget available so far"
)
SPENT = Look("#a33a00", "14 8", "square", "Orange dashed line with square dots: money spent so far")


class MonthPoint(NamedTuple):
    """Cumulative money at the end of one month ("2026-04"); None where not known yet."""

    month: str
    available: Decimal | None
    spent: Decimal | None


def _c(value: Decimal) -> str:
    """A drawing coordinate as text, to a tenth of a unit."""
    return f"{value.quantize(TENTH):f}"


def _nice_step(top: Decimal) -> Decimal:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving at most five intervals."""
    raw = top / 5
    power = Decimal(1).scaleb(raw.adjusted())
    for factor in ("1", "2", "2.5", "5", "10"):
        step = Decimal(factor) * power
        if step >= raw:
            return step
    raise AssertionError("unreachable: 10 x power is always >= raw")


def _axis_money(value: Decimal) -> str:
    """An axis label: whole pounds when the step allows, "£24,000"."""
    return f"£{value:,.0f}" if value == value.to_integral_value() else pounds(value)


def _month_label(month: str, first: bool) -> tuple[str, str]:
    """Short month name, and the year under the first month and every January."""
    year, number = month.split("-")
    name = MONTHS[int(number) - 1][:3]
    return name, year if first or number == "01" else ""


def line_chart_svg(points: Sequence[MonthPoint], title: str, desc: str) -> str:
    """An SVG line chart: cumulative budget available vs cumulative spent, by month."""
    highest = max(v or Decimal(0) for p in points for v in (p.available, p.spent))
    step = _nice_step(highest) if highest > 0 else Decimal(100)
    top = step * (highest / step).to_integral_value(rounding=ROUND_CEILING) or step
    gaps = max(len(points) - 1, 1)

    def x(index: int) -> Decimal:
        return LEFT + (PLOT_W * index / gaps if len(points) > 1 else PLOT_W / 2)

    def y(value: Decimal) -> Decimal:
        # A net refund can make "spent" negative; it is drawn on the axis, not below it.
        return TOP + PLOT_H - PLOT_H * max(value, Decimal(0)) / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'role="img" aria-labelledby="chart-title chart-desc" class="chart" '
        'font-family="system-ui, DejaVu Sans, sans-serif" font-size="18" fill="#111">',
        f'<title id="chart-title">{esc(title)}</title>',
        f'<desc id="chart-desc">{esc(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="{_c(LEFT - 100)}" y="{_c(TOP - 22)}" font-weight="bold">Money (£)</text>',
    ]
    tick = Decimal(0)
    while tick <= top:
        ty = _c(y(tick))
        parts.append(
            f'<line x1="{_c(LEFT)}" y1="{ty}" x2="{_c(WIDTH - RIGHT)}" y2="{ty}" '
            'stroke="#bbb" stroke-width="1"/>'
            f'<text x="{_c(LEFT - 10)}" y="{ty}" text-anchor="end" '
            f'dominant-baseline="middle">{esc(_axis_money(tick))}</text>'
        )
        tick += step
    baseline = _c(TOP + PLOT_H)
    parts.append(
        f'<line x1="{_c(LEFT)}" y1="{_c(TOP)}" x2="{_c(LEFT)}" y2="{baseline}" '
        f'stroke="#111" stroke-width="2"/><line x1="{_c(LEFT)}" y1="{baseline}" '
        f'x2="{_c(WIDTH - RIGHT)}" y2="{baseline}" stroke="#111" stroke-width="2"/>'
    )
    for index, point in enumerate(points):
        name, year = _month_label(point.month, index == 0)
        parts.append(
            f'<text x="{_c(x(index))}" y="{_c(TOP + PLOT_H + 26)}" text-anchor="middle">'
            f"{esc(name)}</text>"
        )
        if year:
            parts.append(
                f'<text x="{_c(x(index))}" y="{_c(TOP + PLOT_H + 48)}" '
                f'text-anchor="middle">{esc(year)}</text>'
            )
    parts.append(
        f'<text x="{_c(LEFT + PLOT_W / 2)}" y="{_c(TOP + PLOT_H + 80)}" text-anchor="middle" '
        'font-weight="bold">Months of your budget year</text>'
    )
    available = [(x(i), y(p.available)) for i, p in enumerate(points) if p.available is not None]
    spent = [(x(i), y(p.spent)) for i, p in enumerate(points) if p.spent is not None]
    parts.append(_series(AVAILABLE, available) + _series(SPENT, spent))
    parts.append(_legend(TOP + PLOT_H + 120))
    parts.append("</svg>")
    return "".join(parts)


def _marker(look: Look, cx: Decimal, cy: Decimal) -> str:
    if look.marker == "circle":
        return f'<circle cx="{_c(cx)}" cy="{_c(cy)}" r="7" fill="{look.colour}"/>'
    return f'<rect x="{_c(cx - 6)}" y="{_c(cy - 6)}" width="12" height="12" fill="{look.colour}"/>'


def _line(look: Look, points: str) -> str:
    dash = f' stroke-dasharray="{look.dash}"' if look.dash else ""
    return (
        f'<polyline points="{points}" fill="none" stroke="{look.colour}" stroke-width="5" '
        f'stroke-linejoin="round"{dash}/>'
    )


def _series(look: Look, coords: Sequence[tuple[Decimal, Decimal]]) -> str:
    """One line with a marker at each month."""
    if not coords:
        return ""
    line = _line(look, " ".join(f"{_c(cx)},{_c(cy)}" for cx, cy in coords))
    return line + "".join(_marker(look, cx, cy) for cx, cy in coords)


def _legend(top: Decimal) -> str:
    """The key, in words, below the plot."""
    rows = []
    for row_y, look in ((top, AVAILABLE), (top + 32, SPENT)):
        sample = f"{_c(LEFT)},{_c(row_y)} {_c(LEFT + 60)},{_c(row_y)}"
        rows.append(
            _line(look, sample)
            + _marker(look, LEFT + 30, row_y)
            + f'<text x="{_c(LEFT + 75)}" y="{_c(row_y)}" dominant-baseline="middle">'
            f"{esc(look.words)}</text>"
        )
    return "".join(rows)
