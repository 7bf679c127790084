"""The exceptions list for people (text) and spreadsheets (csv).

Input is the `ExceptionList` record; its JSON is `as_json`. Oldest first, with
the counts by kind at the end so a finance officer sees the size of the pile.
"""

from __future__ import annotations

from typing import TextIO

from isf_ledger.adapters.render.csv_safe import write_csv
from isf_ledger.domain.money import fmt
from isf_ledger.reports.exceptions import ExceptionItem, ExceptionList

COLUMNS = (
    "exception_id", "kind", "subject", "month", "raised_on", "age_days", "amount", "status",
    "outcome", "reason", "owed", "detail",
)  # fmt: skip


def _cells(x: ExceptionItem) -> list[object]:
    return [
        x.exception_id, x.kind, x.subject, x.month, x.raised_on.isoformat(), str(x.age_days),
        "" if x.amount is None else fmt(x.amount), x.status, x.outcome or "", x.reason or "",
        "" if x.owed is None else fmt(x.owed), x.detail,
    ]  # fmt: skip


def render_text(data: ExceptionList) -> str:
    lines = [f"Exceptions ({data.status}{', ' + data.month if data.month else ''})"]
    for x in data.exceptions:
        amount = "" if x.amount is None else f" {fmt(x.amount)}"
        decided = f" [{x.outcome}: {x.reason}]" if x.outcome else ""
        owed = f" owed {fmt(x.owed)}" if x.owed else ""
        lines.append(
            f"{x.exception_id}  {x.age_days:>4} days  {x.status:<8} {x.kind} on {x.subject}"
            f" ({x.month}){amount}: {x.detail}{decided}{owed}"
        )
    if not data.exceptions:
        lines.append("None.")
    lines.append("By kind: " + (", ".join(f"{k} {n}" for k, n in data.counts.items()) or "none"))
    return "\n".join(lines) + "\n"


def render_csv(data: ExceptionList, out: TextIO) -> None:
    write_csv(
        (_cells(x) for x in data.exceptions),
        COLUMNS,
        out,
        numeric_columns=("age_days", "amount", "owed"),
    )
