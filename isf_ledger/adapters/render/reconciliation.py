"""The monthly card reconciliation, for the finance officer who works through it.

Input is the `reconcile cards` JSON dict (see CONTRACT.md "Reports"). The officer's
first question is "which cards need me?", so each card's status is on its heading line
and the report opens and closes with a count of cards that are ok and that are not.
Amounts are shown with the signs the report gives them; the renderer does no sums of
its own beyond the counts.

`expected_loads` may be a money string (the total expected) or a list of expected
loads each with an `amount`; either way it is shown as a total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TextIO

from isf_ledger.adapters.render.csv_safe import write_csv
from isf_ledger.adapters.render.layout import printable, text_row, text_rule
from isf_ledger.adapters.render.money_words import amount, grouped, month_words, total

Card = Mapping[str, Any]

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


def _expected(card: Card) -> Decimal:
    expected = card["expected_loads"]
    if isinstance(expected, list):
        return total(item["amount"] for item in expected)
    return amount(expected)


def _maybe(value: str | None) -> Decimal | None:
    return None if value is None else amount(value)


def _describe(item: Mapping[str, Any]) -> str:
    """A transaction or load on one line, whatever fields it carries."""
    return printable(
        ", ".join(f"{key} {value}" for key, value in item.items() if value not in (None, ""))
    )


def summary(cards: Sequence[Card]) -> str:
    """ "3 cards, 2 ok, 1 with discrepancies"."""
    ok = sum(1 for card in cards if card["status"] == "ok")
    noun = "card" if len(cards) == 1 else "cards"
    return f"{len(cards)} {noun}, {ok} ok, {len(cards) - ok} with discrepancies"


# ---- text -----------------------------------------------------------------------------


def _text_card(card: Card) -> list[str]:
    status = "[ OK ]" if card["status"] == "ok" else "[ DISCREPANCY ]"
    lines = [f"Card {card['card_id']}".ljust(len(text_rule()) - len(status)) + status, text_rule()]
    lines += [text_row(label, grouped(card[key])) for key, label in MONEY_LINES]
    reported, difference = _maybe(card["reported_closing"]), _maybe(card["difference"])
    lines += [
        text_row(
            "Reported closing balance",
            "none reported" if reported is None else grouped(reported),
        ),
        text_row(
            "Difference (reported - computed)",
            "none" if difference is None else grouped(difference),
        ),
        text_row("Expected loads", grouped(_expected(card))),
    ]
    for key, label in LISTS:
        items = card[key]
        lines.append(f"  {label}: {len(items) or 'none'}")
        lines += [f"    {_describe(item)}" for item in items]
    flagged = card["flagged"]
    lines.append(f"  Flagged for a look: {len(flagged) or 'none'}")
    for flag in flagged:
        lines.append(f"    {printable(flag['why'])}: {_describe(flag['transaction'])}")
    return lines


def render_text(data: Mapping[str, Any]) -> str:
    """One block per card, status on its heading, with a summary at the top and end."""
    cards = data["cards"]
    lines = [
        f"Card reconciliation, {month_words(data['month'])}",
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
)


def render_csv(data: Mapping[str, Any], out: TextIO) -> None:
    """One row per card; lists as counts, flag reasons joined by "; ".

    Money goes in as `Decimal` and counts as `int`, so both stay plain numbers.
    """
    rows = [
        [
            data["month"],
            card["card_id"],
            card["status"],
            *(amount(card[key]) for key, _ in MONEY_LINES),
            _maybe(card["reported_closing"]),
            _maybe(card["difference"]),
            _expected(card),
            len(card["missing_loads"]),
            len(card["unexpected_loads"]),
            len(card["flagged"]),
            "; ".join(flag["why"] for flag in card["flagged"]),
        ]
        for card in data["cards"]
    ]
    write_csv(rows, CSV_HEADER, out)
