"""Payment cards: issued for a person's own budget, known only by four digits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from isf_ledger.domain.budget import Budget
from isf_ledger.domain.card import Card
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.ledger import residual
from isf_ledger.domain.person import Person
from tests.unit.refusals import refused

D = Decimal
START = date(2026, 4, 6)


def person(ref: str = "P1") -> Person:
    return Person(person_id=ref, authority="FIFE", sealed_name=None, command_id=f"reg-{ref}")


def budget(ref: str = "B1", person_id: str = "P1") -> Budget:
    return Budget.propose(ref, person_id, START, D("13000.00"), "RAS", command_id=f"prop-{ref}")


def issued(last4: str = "4821") -> Card:
    return Card.issue("C1", person(), budget(), last4, command_id="issue")


def test_a_card_is_issued_for_a_persons_budget_with_the_council_that_funds_it():
    card = issued()
    first = card.pending_events[0]
    assert type(first).__qualname__ == "Card.Issued"
    assert (first.card_id, first.person_id, first.budget_id) == ("C1", "P1", "B1")
    assert (first.authority, first.last4, first.effective) == ("FIFE", "4821", None)
    assert (card.ref, card.person_id, card.budget_id, card.authority) == ("C1", "P1", "B1", "FIFE")


def test_a_card_is_refused_for_someone_elses_budget():
    with pytest.raises(RuleBroken, match="budget B2 belongs to person P2, not P1"):
        Card.issue("C1", person("P1"), budget("B2", "P2"), "4821", command_id="issue")


@pytest.mark.parametrize(
    "last4",
    ["4821123412341234", "482", "48211", "48a1", "", " 482", "٤٨٢١", "²³⁴⁵", "4821\n"],
)
def test_only_exactly_four_ascii_digits_are_kept_and_a_refusal_never_repeats_them(last4):
    with pytest.raises(RuleBroken, match="last4 must be exactly the last four digits") as refusal:
        issued(last4)
    if last4.strip():
        assert last4.strip() not in str(refusal.value)


def test_an_ended_budget_gets_no_new_card():
    b = budget()
    b.end_on(date(2026, 9, 30), command_id="end")
    with pytest.raises(RuleBroken, match="budget B1 ended on 2026-09-30"):
        Card.issue("C1", person(), b, "4821", command_id="issue")


def test_an_issued_card_can_receive_money_any_day():
    card = issued()
    for day in (date(2000, 1, 1), START, date(2099, 12, 31)):
        card.check_can_receive_money(day)


def test_a_surplus_is_recovered_from_the_card_to_the_council():
    card = issued()
    card.recover_surplus(D("512.40"), date(2026, 9, 30), "surplus", D("512.40"), "rec")
    recovered = card.pending_events[-1]
    assert type(recovered).__qualname__ == "Card.SurplusRecovered"
    assert recovered.legs == {"card:C1": D("-512.40"), "council:FIFE": D("512.40")}
    assert residual(recovered.legs.values()) == 0
    assert (recovered.amount, recovered.balance_before, recovered.reason) == (
        D("512.40"),
        D("512.40"),
        "surplus",
    )
    assert (recovered.effective, recovered.command_id) == (date(2026, 9, 30), "rec")


def test_a_recovery_above_the_card_balance_is_refused():
    card = issued()
    with refused(
        card, "recovery of £900.00 is more than the card balance of £512.40 on 2026-09-30"
    ):
        card.recover_surplus(D("900.00"), date(2026, 9, 30), "surplus", D("512.40"), "rec")
    with refused(card, r"recovery of £0\.01 is more than the card balance of -£3\.20"):
        card.recover_surplus(D("0.01"), date(2026, 9, 30), "surplus", D("-3.20"), "rec")


@pytest.mark.parametrize("amount", ["0.00", "-1.00"])
def test_a_recovery_must_be_more_than_zero(amount):
    card = issued()
    with refused(card, "card C1: a recovery must be more than zero"):
        card.recover_surplus(D(amount), date(2026, 9, 30), "surplus", D("512.40"), "rec")
