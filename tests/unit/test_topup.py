"""Top-ups and contributions: agreed, then received; never the council's money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.card import Card
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.ledger import residual
from isf_ledger.domain.person import Person
from isf_ledger.domain.topup import TopUp
from tests.unit.refusals import refused

D = Decimal
START = date(2026, 4, 6)


def budget() -> Budget:
    return Budget.propose("B1", "P1", START, D("13000.00"), "RAS", command_id="prop")


def agreement(ref: str = "A1") -> Agreement:
    a = Agreement.draft(
        agreement_id=ref,
        budget=budget(),
        provider_id="PR1",
        authority="FIFE",
        start=START,
        hourly_rate=D("21.50"),
        planned_weekly_hours=D("10"),
        payment_frequency="4-weekly",
        command_id="draft",
    )
    for party in ("authority", "person", "provider"):
        a.sign(party, START, command_id=f"sign-{party}")
    return a


def card(ref: str = "C1") -> Card:
    person = Person(person_id="P1", authority="FIFE", sealed_name=None, command_id="reg")
    return Card.issue(ref, person, budget(), "4821", command_id="issue")


def agreed(into: Agreement | Card, payer: str = "family", kind: str = "top-up") -> TopUp:
    return TopUp.agree(
        topup_id="T1",
        into=into,
        payer=payer,
        amount_per_period=D("40.00"),
        reason="provider's rate is above the budget",
        kind=kind,
        command_id="agree",
    )


def test_an_isf_top_up_names_itself_the_agreement_and_who_it_concerns():
    t = agreed(agreement())
    first = t.pending_events[0]
    assert type(first).__qualname__ == "TopUp.Agreed"
    assert (first.topup_id, first.person_id, first.budget_id) == ("T1", "P1", "B1")
    assert (first.agreement_id, first.card_id) == ("A1", None)
    assert (first.payer, first.amount_per_period, first.kind) == ("family", D("40.00"), "top-up")
    assert first.reason == "provider's rate is above the budget"
    assert (t.fund, t.agreement_id, t.card_id) == ("isf:A1", "A1", None)


def test_a_card_top_up_names_the_card():
    t = agreed(card())
    first = t.pending_events[0]
    assert (first.agreement_id, first.card_id) == (None, "C1")
    assert t.fund == "card:C1"


def test_a_top_up_received_into_an_isf_is_never_council_money():
    a = agreement()
    t = agreed(a)
    t.receive(date(2026, 4, 10), D("40.00"), a, command_id="rec")
    received = t.pending_events[-1]
    assert type(received).__qualname__ == "TopUp.TopUpReceived"
    assert received.legs == {"topup:T1": D("-40.00"), "isf:A1": D("40.00")}
    assert residual(received.legs.values()) == 0
    assert not any(account.startswith("council:") for account in received.legs)
    assert t.received == [(date(2026, 4, 10), D("40.00"), "rec")]


def test_a_top_up_onto_a_card_may_differ_from_the_amount_agreed():
    c = card()
    t = agreed(c)
    t.receive(date(2026, 5, 8), D("35.50"), c, command_id="rec")
    assert t.pending_events[-1].legs == {"topup:T1": D("-35.50"), "card:C1": D("35.50")}


@pytest.mark.parametrize(("agreement_id", "card_id"), [(None, None), ("A1", "C1")])
def test_a_top_up_names_either_an_agreement_or_a_card(agreement_id, card_id):
    with pytest.raises(RuleBroken, match="top-up T1: name either agreement_id or card_id"):
        TopUp.check_one_fund("T1", agreement_id, card_id)


def test_one_fund_named_is_accepted():
    TopUp.check_one_fund("T1", "A1", None)
    TopUp.check_one_fund("T1", None, "C1")


def test_a_top_up_goes_only_into_an_isf_or_onto_a_card():
    with pytest.raises(RuleBroken, match="paid into an agreement's ISF or onto a card, not into"):
        agreed(budget())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("payer", "kind", "amount", "why"),
    [
        ("neighbour", "top-up", "40.00", "payer must be one of person, family, third-party"),
        ("family", "gift", "40.00", "kind must be one of top-up, contribution"),
        (
            "family",
            "contribution",
            "40.00",
            "contribution is paid by the person, not by the family",
        ),
        ("third-party", "contribution", "40.00", "not by the third-party"),
        ("person", "top-up", "0.00", "the amount per period must be more than zero"),
    ],
)
def test_a_top_up_that_breaks_a_rule_is_not_agreed(payer, kind, amount, why):
    with pytest.raises(RuleBroken, match=f"top-up T1: .*{why}"):
        TopUp.agree("T1", agreement(), payer, D(amount), "reason", kind, command_id="agree")


def test_an_assessed_contribution_is_recorded_from_the_person_like_a_top_up():
    a = agreement()
    t = agreed(a, payer="person", kind="contribution")
    t.receive(date(2026, 4, 10), D("25.00"), a, command_id="rec")
    assert t.pending_events[-1].legs == {"topup:T1": D("-25.00"), "isf:A1": D("25.00")}


@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_a_receipt_must_be_more_than_zero(amount):
    a = agreement()
    t = agreed(a)
    with refused(t, "top-up T1: the amount received must be more than zero"):
        t.receive(date(2026, 4, 10), D(amount), a, command_id="rec")


def test_nothing_arrives_in_an_isf_after_its_agreement_was_terminated():
    a = agreement()
    a.terminate(date(2026, 9, 30), command_id="term")
    t = agreed(a)
    with refused(t, "agreement A1 was terminated on 2026-09-30; no change can be made"):
        t.receive(date(2026, 10, 1), D("40.00"), a, command_id="late")
    t.receive(date(2026, 9, 30), D("40.00"), a, command_id="last day")
    assert t.received == [(date(2026, 9, 30), D("40.00"), "last day")]


def test_money_is_received_only_into_the_top_ups_own_fund():
    t = agreed(agreement())
    with refused(t, "top-up T1 is paid into agreement A1, not agreement A2"):
        t.receive(date(2026, 4, 10), D("40.00"), agreement("A2"), command_id="rec")
    with refused(t, "top-up T1 is paid into agreement A1, not card C1"):
        t.receive(date(2026, 4, 10), D("40.00"), card(), command_id="rec")


def test_an_isf_top_up_is_due_from_the_period_it_began_in_and_not_before():
    """4-weekly periods start 6 April, 4 May, 1 June, 29 June; a first receipt on
    10 June: nothing is due in May, one period by 1 June, two by 29 June."""
    isf = agreement()
    top_up = agreed(isf)
    top_up.receive(date(2026, 6, 10), D("40.00"), isf, command_id="r1")
    assert top_up.arrears_by(date(2026, 5, 20), isf) == D("0")
    assert top_up.arrears_by(date(2026, 6, 5), isf) == D("40.00")
    assert top_up.arrears_by(date(2026, 6, 30), isf) == D("40.00")
