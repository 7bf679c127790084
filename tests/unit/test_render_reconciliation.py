"""The card reconciliation shows which cards need a look, and why."""

from __future__ import annotations

import csv
import io
from typing import Any

from isf_ledger.adapters.render import reconciliation


def card(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "card_id": "C-1",
        "opening_balance": "100.00",
        "loads": "500.00",
        "purchases": "-230.00",
        "refunds": "10.00",
        "atm": "-50.00",
        "fees": "-1.50",
        "reversals": "0.00",
        "computed_closing": "328.50",
        "reported_closing": "330.00",
        "difference": "1.50",
        "expected_loads": "1000.00",
        "missing_loads": [{"date": "2026-04-03", "amount": "500.00"}],
        "unexpected_loads": [],
        "flagged": [
            {
                "transaction": {"posted_on": "2026-04-10", "amount": "-20.00", "mcc": "7995"},
                "why": "blocked merchant category 7995",
            },
            {
                "transaction": {"posted_on": "2026-04-11", "amount": "-60.00"},
                "why": "-cash over limit",
            },
        ],
        "status": "discrepancy",
    }
    row.update(changes)
    return row


def ok_card() -> dict[str, Any]:
    return card(
        card_id="C-2",
        reported_closing=None,
        difference=None,
        missing_loads=[],
        flagged=[],
        status="ok",
    )


def report(*cards: dict[str, Any]) -> dict[str, Any]:
    return {"month": "2026-04", "cards": list(cards) or [card(), ok_card()]}


def test_the_text_opens_and_closes_with_how_many_cards_are_ok_and_how_many_are_not():
    lines = reconciliation.render_text(report()).splitlines()
    assert lines[:2] == ["Card reconciliation, April 2026", "2 cards, 1 ok, 1 with discrepancies"]
    assert lines[-1] == "Summary: 2 cards, 1 ok, 1 with discrepancies"


def test_each_card_has_its_status_on_its_heading_line():
    lines = reconciliation.render_text(report()).splitlines()
    headings = [line for line in lines if line.startswith("Card C-")]
    assert [h.split()[1] for h in headings] == ["C-1", "C-2"]
    assert headings[0].endswith("[ DISCREPANCY ]")
    assert headings[1].endswith("[ OK ]")


def test_the_text_shows_balances_missing_loads_and_flags():
    text = reconciliation.render_text(report())
    assert "Difference (reported - computed)" in text
    assert "    date 2026-04-03, amount 500.00" in text
    assert (
        "    blocked merchant category 7995: posted_on 2026-04-10, amount -20.00, mcc 7995" in text
    )
    assert "none reported" in text


def test_control_characters_from_imported_files_are_shown_not_sent_to_the_terminal():
    hostile = card(flagged=[{"transaction": {"merchant": "SHOP\x1b[2J"}, "why": "odd\x07"}])
    text = reconciliation.render_text(report(hostile))
    assert "\x1b" not in text and "\x07" not in text
    assert "odd\\x07: merchant SHOP\\x1b[2J" in text


def test_expected_loads_given_as_a_list_are_shown_as_their_total():
    listed = card(expected_loads=[{"date": "2026-04-01", "amount": "500.00"}] * 2)
    assert "1,000.00" in reconciliation.render_text(report(listed))


def test_the_csv_has_one_row_per_card_with_lists_as_counts_and_flags_joined():
    out = io.StringIO()
    reconciliation.render_csv(report(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["card_id"] for r in rows] == ["C-1", "C-2"]
    first, second = rows
    assert (first["missing_loads"], first["unexpected_loads"], first["flagged"]) == ("1", "0", "2")
    assert first["flags"] == "blocked merchant category 7995; -cash over limit"
    assert (second["reported_closing"], second["difference"], second["flags"]) == ("", "", "")


def test_the_csv_keeps_negative_money_numeric_and_escapes_formula_text():
    out = io.StringIO()
    reconciliation.render_csv(
        report(card(card_id="-C9", flagged=[{"transaction": {}, "why": "=1+1"}])), out
    )
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["purchases"] == "-230.00"
    assert row["card_id"] == "'-C9"
    assert row["flags"] == "'=1+1"


def test_a_month_with_no_cards_says_so():
    text = reconciliation.render_text({"month": "2026-04", "cards": []})
    assert "0 cards, 0 ok, 0 with discrepancies" in text
    assert "No card transactions in this month." in text
