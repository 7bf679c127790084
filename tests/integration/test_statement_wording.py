"""What the statements say in words (issue 14, item 10), on both databases.

A person reads their statement without help: a reversal is money taken back,
not a negative payment; two payments on one day say where each went; a month
of support is dated by its month; spending above payments is explained; money
returned to the council is mentioned; an ended budget does not say money is
left. A provider is warned of a fund below zero, and earlier months entered
late are not called corrections.
"""

from __future__ import annotations

from datetime import date
from html import unescape

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.adapters.render import person_statement as person_render
from isf_ledger.adapters.render import provider_statement as provider_render
from isf_ledger.bootstrap import Ledger
from isf_ledger.reports.person_statement import PersonStatement
from isf_ledger.reports.provider_statement import ProviderStatement
from tests.integration.in_process import applied
from tests.integration.test_payment_commands import AGREEMENT, SETUP, SIGNATURES, pay

HOURS = [
    {"type": "RecordHours", "agreement_id": "A1", "week_start": week, "delivered_hours": "10"}
    for week in ("2026-04-06", "2026-04-13", "2026-04-20", "2026-04-27", "2026-05-04")
]  # 5 weeks of 10 hours at £21.50: £1,075.00, more than the card's £997.26
REVERSAL = {"type": "ReversePayment", "schedule_id": "S2", "period": 1, "on": "2026-04-10",
            "reason": "paid to the wrong provider"}  # fmt: skip
RECOVERY = {"type": "RecoverSurplus", "card_id": "C1", "on": "2026-04-30", "amount": "100.00",
            "reason": "unspent"}  # fmt: skip
ENDED = {"type": "EndBudget", "budget_id": "B1", "ended_on": "2026-06-30"}
CARD_HEADER = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance"


def person(ledger: Ledger) -> PersonStatement:
    return ledger.person_statement("P1")


def provider(ledger: Ledger, month: str) -> ProviderStatement:
    return ledger.provider_statement("PR1", month)


def test_the_person_statement_says_what_happened_in_words(ledger, tmp_path):
    paid = [pay(1, date(2026, 4, 6)), pay(1, date(2026, 4, 6), "S2")]
    applied(ledger, [*SETUP, *AGREEMENT, *SIGNATURES, *paid, *HOURS, REVERSAL], "s")
    # A card's recovery is checked against what its provider shows on it: its load.
    export = tmp_path / "card.csv"
    export.write_text(f"{CARD_HEADER}\n,C1,2026-04-06,LOAD,Direct payment,,,997.26,997.26\n")
    assert not ledger.import_cards([export], load_profile("generic")).any_rejected
    applied(ledger, [RECOVERY], "r")
    data = person(ledger)
    text = person_render.render_text(data)
    html = unescape(person_render.render_html(data))
    for shown in (text, html):
        assert "Taken back by the council: a payment to your provider" in shown
        assert "Paid in by the council to your provider" in shown
        assert "Paid in by the council onto your card" in shown
        assert "more has been spent than the council has paid so far" in shown
        assert "£100.00 that was paid in but not spent has been returned to the council" in shown
        assert "Support hours" not in shown and "2026-04" not in shown
    assert "  April 2026         Support from your provider " in text
    assert "6 April 2026       Paid in by the council onto your card" in text
    assert data.as_json()["recovered_to_date"] == "100.00" and data.as_json()["status"] == "active"


def test_an_ended_budget_does_not_say_money_is_left(ledger):
    applied(ledger, [*SETUP, pay(1, date(2026, 4, 6)), ENDED], "s")
    data = person(ledger)
    assert (data.as_json()["status"], data.as_json()["ended_on"]) == ("ended", "2026-06-30")
    for shown in (person_render.render_text(data), unescape(person_render.render_html(data))):
        assert "the budget ended on 30 June 2026, so nothing more can be spent" in shown
        assert "is left" not in shown and ">Left<" not in shown


def test_the_provider_is_warned_of_a_fund_below_zero(ledger):
    applied(ledger, [*SETUP, *AGREEMENT, *SIGNATURES, *HOURS], "s")
    data = provider(ledger, "2026-04")
    assert data.as_json()["agreements"][0]["closing_balance"] == "-860.00"
    for shown in (provider_render.render_text(data), unescape(provider_render.render_html(data))):
        assert "WARNING: the closing balance is below zero: £860.00 more has been charged" in shown


def test_earlier_months_entered_late_are_not_called_corrections(ledger):
    # Everything is recorded now, long after 1 May 2026, when April's statement
    # would have been issued: April is entered late, not corrected.
    applied(ledger, [*SETUP, *AGREEMENT, *SIGNATURES, pay(1, date(2026, 4, 6), "S2"), *HOURS], "s")
    data = provider(ledger, "2026-05")
    [isf] = data.as_json()["agreements"]
    assert isf["entered_after_last_statement"] is True
    assert isf["prior_period_adjustments"] == isf["opening_balance"]
    for shown in (provider_render.render_text(data), unescape(provider_render.render_html(data))):
        assert "corrections to earlier months" not in shown
        assert "for earlier months entered in the ledger after last month's statement" in shown
