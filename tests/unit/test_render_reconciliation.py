"""The card reconciliation shows which cards need a look, and why."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from isf_ledger.adapters.render import reconciliation
from isf_ledger.reports.card_month import (
    CardMonth,
    CardReconciliation,
    CardTransaction,
    Flag,
    MissingLoad,
)

D = Decimal


def bought(
    posted_on: date = date(2026, 4, 10), amount: str = "-20.00", merchant: str = "", mcc: str = ""
) -> CardTransaction:
    return CardTransaction(posted_on, "PURCHASE", D(amount), merchant, "", mcc)


def card(**changes: Any) -> CardMonth:
    row = CardMonth(
        card_id="C-1",
        opening_balance=D("100.00"),
        loads=D("500.00"),
        purchases=D("-230.00"),
        refunds=D("10.00"),
        atm=D("-50.00"),
        fees=D("-1.50"),
        reversals=D("0.00"),
        computed_closing=D("328.50"),
        reported_closing=D("330.00"),
        difference=D("1.50"),
        expected_loads=D("1000.00"),
        missing_loads=(MissingLoad(date(2026, 4, 3), D("500.00"), "pay-1"),),
        unexpected_loads=(),
        flagged=(
            Flag(bought(mcc="7995"), "blocked merchant category 7995"),
            Flag(bought(date(2026, 4, 11), "-60.00"), "-cash over limit"),
        ),
        status="discrepancy",
        surplus=D("0.00"),
    )
    return replace(row, **changes)


def ok_card() -> CardMonth:
    return card(
        card_id="C-2",
        reported_closing=None,
        difference=None,
        missing_loads=(),
        flagged=(),
        status="ok",
    )


def report(*cards: CardMonth) -> CardReconciliation:
    return CardReconciliation("2026-04", cards or (card(), ok_card()))


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
    assert "    date 2026-04-03, amount 500.00, command_id pay-1" in text
    assert (
        "    blocked merchant category 7995: posted_on 2026-04-10, type PURCHASE, "
        "amount -20.00, mcc 7995" in text
    )
    assert "none reported" in text


def test_control_characters_from_imported_files_are_shown_not_sent_to_the_terminal():
    hostile = card(flagged=(Flag(bought(merchant="SHOP\x1b[2J"), "odd\x07"),))
    text = reconciliation.render_text(report(hostile))
    assert "\x1b" not in text and "\x07" not in text
    assert (
        "odd\\x07: posted_on 2026-04-10, type PURCHASE, amount -20.00, merchant SHOP\\x1b[2J"
        in text
    )


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
    reconciliation.render_csv(report(card(card_id="-C9", flagged=(Flag(bought(), "=1+1"),))), out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["purchases"] == "-230.00"
    assert row["card_id"] == "'-C9"
    assert row["flags"] == "'=1+1"


def test_a_month_with_no_cards_says_so():
    text = reconciliation.render_text(CardReconciliation("2026-04", ()))
    assert "0 cards, 0 ok, 0 with discrepancies" in text
    assert "No card transactions in this month." in text
