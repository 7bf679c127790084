"""Payments in advance: each period paid once, withheld or reversed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import pytest

from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.bank_account import BankAccount
from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.card import Card
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.ledger import residual
from isf_ledger.domain.person import Person
from isf_ledger.domain.schedule import Schedule
from tests.unit.refusals import refused

D = Decimal
START = date(2026, 4, 6)
END = date(2027, 4, 5)  # 365 days from START, counting both


def person(ref: str = "P1") -> Person:
    return Person(person_id=ref, authority="FIFE", sealed_name=None, command_id=f"reg-{ref}")


def budget(ref: str = "B1", person_id: str = "P1") -> Budget:
    return Budget.propose(ref, person_id, START, D("13000.00"), "RAS", command_id=f"prop-{ref}")


def card(b: Budget, ref: str = "C1") -> Card:
    return Card.issue(ref, person(b.person_id), b, "4821", command_id=f"issue-{ref}")


def agreement(b: Budget, signed_on: date | None = START) -> Agreement:
    a = Agreement.draft(
        agreement_id="A1",
        budget=b,
        provider_id="PR1",
        authority="FIFE",
        start=START,
        hourly_rate=D("21.50"),
        planned_weekly_hours=D("10"),
        payment_frequency="4-weekly",
        command_id="draft",
    )
    if signed_on is not None:
        for party in ("authority", "person", "provider"):
            a.sign(party, signed_on, command_id=f"sign-{party}")
    return a


def schedule(
    b: Budget,
    payee: Card | Agreement | BankAccount,
    option: int = 1,
    frequency: str = "4-weekly",
    first_due: date = START,
    amount: str = "13000.00",
) -> Schedule:
    return Schedule.make(
        schedule_id="S1",
        budget=b,
        person=person(b.person_id),
        option=option,
        payee=payee,
        frequency=frequency,
        first_due=first_due,
        amount=D(amount),
        command_id="sched",
    )


@pytest.fixture
def b() -> Budget:
    return budget()


@pytest.fixture
def c(b: Budget) -> Card:
    return card(b)


@pytest.fixture
def s(b: Budget, c: Card) -> Schedule:
    return schedule(b, c)


def money_events(agg: LedgerAggregate) -> list[Any]:
    return [e for e in agg.pending_events if hasattr(e, "legs")]


# Making a schedule


def test_the_contracts_example_is_twelve_periods_of_997_26_then_1032_88(s):
    assert [p.number for p in s.periods] == list(range(1, 14))
    assert [p.amount for p in s.periods] == [D("997.26")] * 12 + [D("1032.88")]
    assert sum(p.amount for p in s.periods) == D("13000.00")
    assert s.periods[0].start == START
    assert s.periods[-1].end == END
    for before, after in zip(s.periods, s.periods[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
        assert after.start - before.start == timedelta(days=28)


def test_the_first_event_keeps_the_periods_and_names_what_the_schedule_hangs_from(s):
    scheduled = s.pending_events[0]
    assert type(scheduled).__qualname__ == "Schedule.Scheduled"
    assert (scheduled.schedule_id, scheduled.person_id, scheduled.budget_id) == ("S1", "P1", "B1")
    assert (scheduled.card_id, scheduled.agreement_id) == ("C1", None)
    assert (scheduled.option, scheduled.authority, scheduled.effective) == (1, "FIFE", START)
    assert scheduled.periods[0] == {
        "number": 1,
        "start": START,
        "end": date(2026, 5, 3),
        "amount": D("997.26"),
    }
    assert scheduled.periods[-1] == {
        "number": 13,
        "start": date(2027, 3, 8),
        "end": END,
        "amount": D("1032.88"),
    }


def test_a_schedule_into_an_isf_names_the_agreement_and_not_a_card(b):
    s = schedule(b, agreement(b), option=2)
    scheduled = s.pending_events[0]
    assert (scheduled.agreement_id, scheduled.card_id) == ("A1", None)
    assert (s.payee, s.fund) == ("A1", "isf:A1")


def test_replaying_the_events_gives_the_same_schedule_whatever_the_budget_does_later(b, c):
    s = schedule(b, c)
    s.record_payment(1, START, payee=c, budget=b, command_id="p1")
    b.revise(D("20000.00"), date(2026, 10, 1), "more support", command_id="rev")
    replayed: Schedule | None = None
    for e in s.collect_events():
        replayed = e.mutate(replayed)
    assert replayed is not None
    assert replayed.periods == s.periods
    assert [p.amount for p in replayed.periods][-1] == D("1032.88")
    assert replayed.paid == {1: START}


def test_a_monthly_schedule_pays_on_the_same_day_each_month_and_sums_to_the_amount(b, c):
    s = schedule(b, c, frequency="monthly", amount="12000.00")
    assert len(s.periods) == 12
    assert [p.start.day for p in s.periods] == [6] * 12
    assert sum(p.amount for p in s.periods) == D("12000.00")


def test_a_payee_of_another_budget_is_refused(b):
    other = budget("B2")
    with pytest.raises(RuleBroken, match="card C1 belongs to budget B1, not budget B2"):
        schedule(other, card(b))


def test_option_2_pays_only_an_agreement_and_option_1_a_card_or_an_account(b, c):
    with pytest.raises(RuleBroken, match="option 2 pays into an agreement's ISF, not card C1"):
        schedule(b, c, option=2)
    with pytest.raises(RuleBroken, match="option 1 pays onto a card or into the person's bank"):
        schedule(b, agreement(b), option=1)
    with pytest.raises(RuleBroken, match="option 2 pays into an agreement's ISF, not account"):
        schedule(b, account("P1"), option=2)
    with pytest.raises(RuleBroken, match="option 3 is not paid on a schedule"):
        schedule(b, c, option=3)


def account(owner: str, kind: str = "person") -> BankAccount:
    return BankAccount.register("ACC", kind, owner, "0418", "sealed", command_id="acc")


def test_option_1_pays_an_account_of_the_budgets_person_into_a_direct_payment_fund(b):
    s = schedule(b, account("P1"))
    assert (s.payee_kind, s.payee, s.fund) == ("account", "ACC", "direct:B1")
    for other in (account("P2"), account("PR1", "provider")):
        with pytest.raises(RuleBroken, match="account ACC is not an account of person P1"):
            schedule(b, other)


def test_a_schedule_recorded_before_accounts_replays_with_no_account(b, c):
    state: dict[str, object] = {"schedule_id": "S1", "card_id": "C1"}
    Schedule.Scheduled.upcast_v1_v2(state)
    assert state == {"schedule_id": "S1", "card_id": "C1", "account_id": None}
    assert Schedule.Scheduled.class_version == 2


def test_the_person_must_be_the_budgets(b, c):
    with pytest.raises(RuleBroken, match="budget B1 belongs to person P1, not P2"):
        Schedule.make("S1", b, person("P2"), 1, c, "4-weekly", START, D("100.00"), "sched")


@pytest.mark.parametrize("first_due", [START - timedelta(days=1), END + timedelta(days=1)])
def test_the_first_payment_must_fall_within_the_budget_period(b, c, first_due):
    with pytest.raises(RuleBroken, match=f"schedule S1 on {first_due} is outside budget B1"):
        schedule(b, c, first_due=first_due)


def test_an_ended_budget_gets_no_new_schedule(b, c):
    b.end_on(date(2026, 9, 30), command_id="end")
    with pytest.raises(RuleBroken, match="budget B1 ended on 2026-09-30"):
        schedule(b, c, first_due=date(2026, 5, 1))


@pytest.mark.parametrize(
    ("frequency", "amount", "why"),
    [
        ("weekly", "13000.00", "frequency must be 4-weekly or monthly"),
        ("4-weekly", "0.00", "must be more than zero"),
        ("4-weekly", "0.10", "too little to spread over 13 periods"),
    ],
)
def test_a_schedule_that_cannot_be_spread_is_refused(b, c, frequency, amount, why):
    with pytest.raises(RuleBroken, match=f"schedule S1: .*{why}"):
        schedule(b, c, frequency=frequency, amount=amount)


# Paying


def test_paying_every_period_of_the_example_moves_exactly_13000_from_council_to_card(b, c, s):
    for p in s.periods:
        s.record_payment(p.number, p.start, payee=c, budget=b, command_id=f"pay{p.number}")
    paid = money_events(s)
    assert [type(e).__qualname__ for e in paid] == ["Schedule.PaymentMade"] * 13
    assert all(residual(e.legs.values()) == 0 for e in paid)
    assert {account for e in paid for account in e.legs} == {"council:FIFE", "card:C1"}
    assert sum(e.legs["card:C1"] for e in paid) == D("13000.00")
    assert sum(e.legs["council:FIFE"] for e in paid) == D("-13000.00")
    assert [(e.period, e.amount, e.effective) for e in paid][-1] == (
        13,
        D("1032.88"),
        s.periods[-1].start,
    )
    assert s.paid == {p.number: p.start for p in s.periods}


def test_a_payment_into_an_isf_moves_money_from_council_to_the_isf(b):
    a = agreement(b)
    s = schedule(b, a, option=2)
    s.record_payment(1, START, payee=a, budget=b, command_id="p1")
    assert money_events(s)[0].legs == {"council:FIFE": D("-997.26"), "isf:A1": D("997.26")}


def test_a_period_cannot_be_paid_twice(b, c, s):
    s.record_payment(3, date(2026, 6, 29), payee=c, budget=b, command_id="p3")
    with refused(s, "payment for period 3 of schedule S1 was already made on 2026-06-29"):
        s.record_payment(3, date(2026, 6, 30), payee=c, budget=b, command_id="p3b")


@pytest.mark.parametrize("number", [0, 14])
def test_there_is_no_period_outside_the_schedule(b, c, s, number):
    why = f"schedule S1 has 13 periods; there is no period {number}"
    with refused(s, why):
        s.record_payment(number, date(2027, 4, 1), payee=c, budget=b, command_id="p")
    with refused(s, why):
        s.withhold(number, date(2027, 4, 1), "no", command_id="w")
    with refused(s, why):
        s.reverse(number, date(2027, 4, 1), "no", command_id="r")
    with refused(s, why):
        s.period_status(number)


def test_a_payment_after_the_budget_ended_is_refused_but_on_its_last_day_is_made(b, c, s):
    b.end_on(date(2026, 9, 30), command_id="end")
    with refused(s, "budget B1 ended on 2026-09-30; no change can be made after its end"):
        s.record_payment(8, date(2026, 10, 1), payee=c, budget=b, command_id="p8")
    s.record_payment(7, date(2026, 9, 30), payee=c, budget=b, command_id="p7")
    assert s.paid == {7: date(2026, 9, 30)}


@pytest.mark.parametrize(
    ("prepare", "why"),
    [
        (lambda a: None, "agreement A1 is not active on 2026-04-06: not yet signed by"),
        (
            lambda a: a.suspend(date(2026, 5, 1), command_id="susp"),
            "agreement A1 is not active on 2026-05-04: suspended since 2026-05-01",
        ),
        (
            lambda a: a.terminate(date(2026, 5, 3), command_id="term"),
            "agreement A1 is not active on 2026-05-04: terminated on 2026-05-03",
        ),
    ],
)
def test_no_payment_is_made_into_an_agreement_that_is_not_active(b, prepare, why):
    a = agreement(b, signed_on=None if "signed" in why else START)
    prepare(a)
    s = schedule(b, a, option=2)
    paid_on = START if "signed" in why else date(2026, 5, 4)
    with refused(s, why):
        s.record_payment(2, paid_on, payee=a, budget=b, command_id="p2")


def test_the_payee_decides_whether_it_can_receive_money(b):
    @dataclass
    class Closed:
        """Any payee that says no: the schedule passes its reason on."""

        KIND: ClassVar[str] = "card"
        ref: str = "C1"
        budget_id: str = "B1"

        def check_can_receive_money(self, day: date) -> None:
            raise RuleBroken(f"card C1 cannot be loaded on {day}")

        def check_period_within(self, start: date, what: str) -> None:
            pass

    s = schedule(b, card(b))
    with refused(s, "card C1 cannot be loaded on 2026-04-06"):
        s.record_payment(1, START, payee=Closed(), budget=b, command_id="p1")


def test_a_payment_is_made_only_to_the_schedules_own_payee_and_budget(b, c, s):
    with refused(s, "schedule S1 pays card C1, not card C2"):
        s.record_payment(1, START, payee=card(b, "C2"), budget=b, command_id="p1")
    with refused(s, "schedule S1 is for budget B1, not B2"):
        s.record_payment(1, START, payee=c, budget=budget("B2"), command_id="p1")


# Withholding and reversing


def test_a_withheld_period_is_not_paid(b, c, s):
    s.withhold(2, date(2026, 5, 1), "missing returns", command_id="w2")
    withheld = s.pending_events[-1]
    assert type(withheld).__qualname__ == "Schedule.PaymentWithheld"
    assert (withheld.period, withheld.amount, withheld.reason) == (
        2,
        D("997.26"),
        "missing returns",
    )
    assert not hasattr(withheld, "legs")
    with refused(s, "payment for period 2 of schedule S1 was withheld on 2026-05-01"):
        s.record_payment(2, date(2026, 5, 4), payee=c, budget=b, command_id="p2")
    with refused(s, "period 2 of schedule S1 was already withheld on 2026-05-01"):
        s.withhold(2, date(2026, 5, 2), "again", command_id="w2b")


def test_a_paid_period_cannot_be_withheld_only_reversed(b, c, s):
    s.record_payment(1, START, payee=c, budget=b, command_id="p1")
    with refused(s, "period 1 of schedule S1 was already made on 2026-04-06; reverse it"):
        s.withhold(1, date(2026, 4, 7), "surplus", command_id="w1")


def test_a_reversal_moves_the_money_back_and_the_period_can_be_paid_again(b, c, s):
    s.record_payment(1, START, payee=c, budget=b, command_id="p1")
    s.reverse(1, date(2026, 4, 8), "loaded onto the wrong card", command_id="r1")
    made, reversal = money_events(s)
    assert type(reversal).__qualname__ == "Schedule.PaymentReversed"
    assert reversal.legs == {account: -amount for account, amount in made.legs.items()}
    assert (reversal.period, reversal.amount, reversal.paid_on) == (1, D("997.26"), START)
    assert (reversal.reason, reversal.effective) == ("loaded onto the wrong card", date(2026, 4, 8))
    assert s.period_status(1) == "reversed on 2026-04-08, due again"
    s.record_payment(1, date(2026, 4, 10), payee=c, budget=b, command_id="p1b")
    assert s.paid == {1: date(2026, 4, 10)}
    assert sum(e.legs["card:C1"] for e in money_events(s)) == D("997.26")


def test_only_a_paid_period_can_be_reversed_and_only_once(b, c, s):
    with refused(s, "no payment to reverse for period 1 of schedule S1: it has not been paid"):
        s.reverse(1, START, "mistake", command_id="r1")
    s.withhold(2, START, "surplus", command_id="w2")
    with refused(s, "no payment to reverse for period 2 of schedule S1: it was withheld on"):
        s.reverse(2, START, "mistake", command_id="r2")
    s.record_payment(3, START, payee=c, budget=b, command_id="p3")
    s.reverse(3, date(2026, 4, 9), "mistake", command_id="r3")
    with refused(s, "period 3 of schedule S1: its payment was already reversed on 2026-04-09"):
        s.reverse(3, date(2026, 4, 10), "again", command_id="r3b")


def test_a_reversed_period_can_then_be_withheld(b, c, s):
    s.record_payment(4, START, payee=c, budget=b, command_id="p4")
    s.reverse(4, date(2026, 4, 9), "surplus above threshold", command_id="r4")
    s.withhold(4, date(2026, 4, 9), "surplus above threshold", command_id="w4")
    assert s.period_status(4) == "withheld on 2026-04-09"
    with refused(s, "was withheld on 2026-04-09"):
        s.record_payment(4, date(2026, 7, 27), payee=c, budget=b, command_id="p4b")


def test_each_period_says_where_it_stands(b, c, s):
    s.record_payment(1, START, payee=c, budget=b, command_id="p1")
    s.withhold(2, date(2026, 5, 1), "missing returns", command_id="w2")
    assert [s.period_status(n) for n in (1, 2, 3)] == [
        "paid on 2026-04-06",
        "withheld on 2026-05-01",
        "due",
    ]
    assert s.period(13).amount == D("1032.88")
