"""The monthly card reconciliation, for the finance officer who works through it.

Input is the `CardReconciliation` record, whose JSON is the contract's `reconcile
cards` report (see CONTRACT.md "Reports"). The officer's
first question is "which cards need me?", so each card's status is on its heading line
and the report opens and closes with a count of cards that are ok and that are not.
Amounts are shown with the signs the report gives them; the renderer does no sums of
its own beyond the counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TextIO

from isf_ledger.adapters.render.csv_safe import write_csv
from isf_ledger.adapters.render.layout import printable, text_row, text_rule
from isf_ledger.adapters.render.money_words import grouped, month_words
from isf_ledger.reports.card_month import CardMonth, CardReconciliation
from isf_ledger.reports.records import json_of

# The card's money fields, in the order a balance is worked out, with their labels.
MONEY_LINES = (
    ("opening_balance", "Opening balance"),
    ("loads", "Loads"),
    ("purchases", "Purchases"),
    ("refunds", "Refunds"),
    ("atm", "Cash withdrawals (ATM)"),
    ("fees", "Fees"),
    ("reversals", "Reversals"),
    ("computed_closing", "Computed closing balance"),
)
LISTS = (
    ("missing_loads", "Missing loads (paid, but no matching load)"),
    ("unexpected_loads", "Unexpected loads (loaded, but no matching payment)"),
)


def _describe(item: Any) -> str:
    """A transaction or load on one line: each of its fields that has a value, as in JSON."""
    return printable(
        ", ".join(
            f"{key} {value}" for key, value in json_of(item).items() if value not in (None, "")
        )
    )


def summary(cards: Sequence[CardMonth]) -> str:
    """ "3 cards, 2 ok, 1 with discrepancies"."""
    ok = sum(1 for card in cards if card.status == "ok")
    noun = "card" if len(cards) == 1 else "cards"
    return f"{len(cards)} {noun}, {ok} ok, {len(cards) - ok} with discrepancies"


# ---- text -----------------------------------------------------------------------------


def _text_card(card: CardMonth) -> list[str]:
    status = "[ OK ]" if card.status == "ok" else "[ DISCREPANCY ]"
    lines = [f"Card {card.card_id}".ljust(len(text_rule()) - len(status)) + status, text_rule()]
    lines += [text_row(label, grouped(getattr(card, key))) for key, label in MONEY_LINES]
    reported, difference = card.reported_closing, card.difference
    lines += [
        text_row(
            "Reported closing balance",
            "none reported" if reported is None else grouped(reported),
        ),
        text_row(
            "Difference (reported - computed)",
            "none" if difference is None else grouped(difference),
        ),
        text_row("Expected loads", grouped(card.expected_loads)),
        text_row("Surplus (above the weeks of payments kept)", grouped(card.surplus)),
    ]
    for key, label in LISTS:
        items = getattr(card, key)
        lines.append(f"  {label}: {len(items) or 'none'}")
        lines += [f"    {_describe(item)}" for item in items]
    flagged = card.flagged
    lines.append(f"  Flagged for a look: {len(flagged) or 'none'}")
    for flag in flagged:
        lines.append(f"    {printable(flag.why)}: {_describe(flag.transaction)}")
    if card.exceptions:
        lines.append("  Exceptions (resolve by id):")
        lines += [f"    {x.exception_id} {x.kind}: {x.status}" for x in card.exceptions]
    return lines


def render_text(data: CardReconciliation) -> str:
    """One block per card, status on its heading, with a summary at the top and end."""
    cards = data.cards
    lines = [
        f"Card reconciliation, {month_words(data.month)}",
        summary(cards),
        text_rule("="),
    ]
    if not cards:
        lines += ["", "No card transactions in this month."]
    for card in cards:
        lines += ["", *_text_card(card)]
    lines += ["", text_rule("="), f"Summary: {summary(cards)}"]
    return "\n".join(lines) + "\n"


# ---- CSV ------------------------------------------------------------------------------

CSV_HEADER = (
    "month",
    "card_id",
    "status",
    *(key for key, _ in MONEY_LINES),
    "reported_closing",
    "difference",
    "expected_loads",
    "missing_loads",
    "unexpected_loads",
    "flagged",
    "flags",
    "surplus",
)


def render_csv(data: CardReconciliation, out: TextIO) -> None:
    """One row per card; lists as counts, flag reasons joined by "; ".

    Money goes in as `Decimal` and counts as `int`, so both stay plain numbers.
    """
    rows = [
        [
            data.month,
            card.card_id,
            card.status,
            *(getattr(card, key) for key, _ in MONEY_LINES),
            card.reported_closing,
            card.difference,
            card.expected_loads,
            len(card.missing_loads),
            len(card.unexpected_loads),
            len(card.flagged),
            "; ".join(flag.why for flag in card.flagged),
            card.surplus,
        ]
        for card in data.cards
    ]
    write_csv(rows, CSV_HEADER, out)
