"""Tripartite agreements: drafting, signatures, variations, suspension, termination."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.agreement_terms import Terms
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import RuleBroken
from tests.unit.refusals import refused

D = Decimal
START = date(2026, 4, 6)  # a Monday


def budget(start: date = START) -> Budget:
    return Budget.propose("B1", "P1", start, D("13000.00"), "RAS", command_id="b1")


def draft(start: date = START, **terms: Any) -> Agreement:
    return Agreement.draft(
        agreement_id="A1",
        budget=budget(),
        provider_id="PR1",
        authority="Fife",
        start=start,
        hourly_rate=terms.pop("hourly_rate", D("20.00")),
        planned_weekly_hours=terms.pop("planned_weekly_hours", D("33.5")),
        payment_frequency=terms.pop("payment_frequency", "4-weekly"),
        command_id="a1",
        **terms,
    )


def signed(on: date = START, **terms: Any) -> Agreement:
    a = draft(**terms)
    for n, party in enumerate(("authority", "person", "provider")):
        a.sign(party, on, command_id=f"s{n}")
    return a


# Drafting


def test_a_draft_names_its_budget_person_provider_and_authority():
    a = draft()
    first = a.pending_events[0]
    assert type(first).__qualname__ == "Agreement.Drafted"
    assert (first.agreement_id, first.budget_id, first.person_id, first.provider_id) == (
        "A1",
        "B1",
        "P1",
        "PR1",
    )
    assert first.authority == "Fife"
    assert (first.effective, first.command_id) == (START, "a1")
    assert a.id == Agreement.id_for("A1")


def test_a_draft_takes_the_default_flex_cap_review_and_surplus_weeks_as_data():
    a = draft()
    assert a.terms_on(START) == Terms(D("20.00"), D("33.5"), D("3.5"))
    assert (a.review_weeks, a.surplus_weeks, a.payment_frequency) == (4, 8, "4-weekly")


def test_a_draft_under_an_ended_budget_is_refused():
    b = budget()
    b.end_on(date(2026, 9, 30), command_id="e1")
    with pytest.raises(RuleBroken, match="budget B1 ended on 2026-09-30"):
        Agreement.draft(
            "A1", b, "PR1", "Fife", START, D("20.00"), D("33.5"), "monthly", command_id="a1"
        )


def test_a_draft_starting_outside_the_budget_period_is_refused():
    with pytest.raises(RuleBroken, match="outside budget B1's period 2026-04-06 to 2027-04-05"):
        draft(start=date(2027, 4, 6))


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ({"planned_weekly_hours": D("33.1")}, r"planned weekly hours must be in quarter hours"),
        ({"flex_cap_hours": D("3.3")}, r"flex cap must be in quarter hours"),
        ({"planned_weekly_hours": D("0")}, r"planned weekly hours must be more than zero"),
        ({"hourly_rate": D("0.00")}, r"hourly rate must be more than zero"),
        ({"payment_frequency": "weekly"}, r"payment frequency must be one of 4-weekly, monthly"),
        ({"surplus_weeks": 0}, r"surplus weeks must be at least 1"),
    ],
)
def test_a_draft_with_terms_that_make_no_sense_is_refused(terms, message):
    with pytest.raises(RuleBroken, match=message):
        draft(**terms)


# Signatures


def test_an_agreement_is_active_only_once_all_three_parties_have_signed():
    a = draft()
    a.sign("authority", START, command_id="s1")
    a.sign("person", START, command_id="s2")
    assert not a.is_active_on(date(2026, 5, 4))
    with pytest.raises(
        RuleBroken, match="agreement A1 is not active on 2026-05-04: not yet signed by the provider"
    ):
        a.check_can_receive_money(date(2026, 5, 4))
    a.sign("provider", date(2026, 4, 20), command_id="s3")
    assert a.is_active_on(date(2026, 5, 4))
    a.check_can_receive_money(date(2026, 5, 4))


def test_an_agreement_is_active_from_the_day_the_last_party_signs():
    a = draft()
    a.sign("authority", date(2026, 4, 1), command_id="s1")
    a.sign("person", date(2026, 4, 14), command_id="s2")
    a.sign("provider", date(2026, 4, 10), command_id="s3")
    assert a.activated_on == date(2026, 4, 14)
    assert not a.is_active_on(date(2026, 4, 13))
    assert a.why_not_active(date(2026, 4, 13)) == "not yet signed by the person"
    assert a.is_active_on(date(2026, 4, 14))


def test_an_agreement_signed_before_its_start_is_active_from_its_start():
    a = signed(on=date(2026, 3, 20))
    assert a.activated_on == START
    assert a.why_not_active(date(2026, 4, 5)) == "before its start on 2026-04-06"
    assert a.is_active_on(START)


def test_a_party_signs_each_version_of_the_terms_once():
    a = draft()
    a.sign("person", START, command_id="s1")
    with refused(a, "agreement A1 was already signed by the person on 2026-04-06"):
        a.sign("person", date(2026, 4, 7), command_id="s2")


def test_only_the_authority_the_person_and_the_provider_sign():
    a = draft()
    with refused(a, "party must be one of authority, person, provider"):
        a.sign("advocate", START, command_id="s1")


def test_a_signature_records_which_version_of_the_terms_it_is_for():
    a = signed()
    a.vary(date(2026, 7, 6), command_id="v1", hourly_rate=D("21.00"))
    a.sign("person", date(2026, 7, 1), command_id="s9")
    last = a.pending_events[-1]
    assert (type(last).__qualname__, last.party, last.version) == ("Agreement.Signed", "person", 2)
    assert last.effective == date(2026, 7, 1)


# Variations


def test_a_variation_applies_only_once_all_three_have_signed_it_again():
    a = signed()
    a.vary(date(2026, 7, 6), command_id="v1", hourly_rate=D("21.00"))
    a.sign("authority", date(2026, 7, 1), command_id="s4")
    a.sign("person", date(2026, 7, 1), command_id="s5")
    assert a.terms_on(date(2026, 7, 13)).hourly_rate == D("20.00")
    assert a.pending_signatures == ["provider"]
    a.sign("provider", date(2026, 7, 2), command_id="s6")
    assert a.terms_on(date(2026, 7, 5)).hourly_rate == D("20.00")
    assert a.terms_on(date(2026, 7, 6)).hourly_rate == D("21.00")
    assert a.pending_signatures == []


def test_a_variation_comes_into_force_on_the_later_of_its_date_and_the_last_signature():
    a = signed()
    a.vary(date(2026, 7, 6), command_id="v1", planned_weekly_hours=D("30"))
    for n, party in enumerate(("authority", "person", "provider")):
        a.sign(party, date(2026, 7, 15), command_id=f"s{n + 4}")
    assert a.terms_on(date(2026, 7, 14)).planned_weekly_hours == D("33.5")
    assert a.terms_on(date(2026, 7, 15)).planned_weekly_hours == D("30")


def test_a_variation_keeps_the_terms_it_does_not_change():
    a = signed()
    a.vary(date(2026, 7, 6), command_id="v1", flex_cap_hours=D("5"))
    event = a.pending_events[-1]
    assert type(event).__qualname__ == "Agreement.Varied"
    assert (event.version, event.replaces, event.effective) == (2, None, date(2026, 7, 6))
    assert (event.hourly_rate, event.planned_weekly_hours, event.flex_cap_hours) == (
        D("20.00"),
        D("33.5"),
        D("5"),
    )


def test_a_variation_must_change_something():
    a = signed()
    with refused(a, "must change the hourly rate, the planned weekly hours or the flex cap"):
        a.vary(date(2026, 7, 6), command_id="v1")


def test_a_variation_with_hours_not_in_quarter_hours_is_refused():
    a = signed()
    with refused(a, r"planned weekly hours must be in quarter hours .*: 30.1 is not"):
        a.vary(date(2026, 7, 6), command_id="v1", planned_weekly_hours=D("30.1"))


def test_an_agreement_cannot_be_varied_before_all_three_have_signed_it():
    a = draft()
    a.sign("authority", START, command_id="s1")
    with refused(a, "cannot be varied before all three parties have signed it: awaiting the "
                 "person and the provider"):  # fmt: skip
        a.vary(date(2026, 7, 6), command_id="v1", hourly_rate=D("21.00"))


def test_a_variation_cannot_take_effect_before_the_current_terms_came_into_force():
    a = signed(on=date(2026, 4, 20))
    with refused(a, "cannot take effect on 2026-04-13, before its current terms came into "
                 "force on 2026-04-20"):  # fmt: skip
        a.vary(date(2026, 4, 13), command_id="v1", hourly_rate=D("21.00"))


def test_a_new_variation_replaces_one_still_awaiting_signatures():
    a = signed()
    a.vary(date(2026, 7, 6), command_id="v1", hourly_rate=D("21.00"))
    a.sign("authority", date(2026, 7, 1), command_id="s4")
    a.vary(date(2026, 7, 6), command_id="v2", hourly_rate=D("21.50"))
    assert a.pending_events[-1].replaces == 2
    assert a.pending_signatures == ["authority", "person", "provider"]
    for n, party in enumerate(("authority", "person", "provider")):
        a.sign(party, date(2026, 7, 2), command_id=f"t{n}")
    assert a.terms_on(date(2026, 7, 6)).hourly_rate == D("21.50")
    assert a.versions[1].in_force_from is None


# Suspension, resumption, termination


def test_a_suspended_agreement_receives_no_money_until_it_is_resumed():
    a = signed()
    a.suspend(date(2026, 6, 1), command_id="x1")
    assert a.is_active_on(date(2026, 5, 31))
    with pytest.raises(
        RuleBroken, match="agreement A1 is not active on 2026-06-10: suspended since 2026-06-01"
    ):
        a.check_can_receive_money(date(2026, 6, 10))
    a.resume(date(2026, 6, 15), command_id="x2")
    assert not a.is_active_on(date(2026, 6, 14))
    assert a.is_active_on(date(2026, 6, 15))


def test_an_agreement_already_suspended_cannot_be_suspended_again():
    a = signed()
    a.suspend(date(2026, 6, 1), command_id="x1")
    with refused(a, "agreement A1 has been suspended since 2026-06-01"):
        a.suspend(date(2026, 6, 8), command_id="x2")


def test_an_agreement_not_yet_active_cannot_be_suspended():
    a = draft()
    with refused(a, "agreement A1 is not active on 2026-06-01: not yet signed by the authority, "
                 "the person and the provider"):  # fmt: skip
        a.suspend(date(2026, 6, 1), command_id="x1")


def test_a_new_suspension_cannot_start_before_the_last_resumption():
    a = signed()
    a.suspend(date(2026, 6, 1), command_id="x1")
    a.resume(date(2026, 6, 15), command_id="x2")
    with refused(a, "was resumed on 2026-06-15; a new suspension cannot start before it"):
        a.suspend(date(2026, 5, 1), command_id="x3")


def test_only_a_suspended_agreement_can_be_resumed():
    a = signed()
    with refused(a, "agreement A1 is not suspended, so it cannot be resumed"):
        a.resume(date(2026, 6, 15), command_id="x1")


def test_an_agreement_is_resumed_after_the_day_it_was_suspended():
    a = signed()
    a.suspend(date(2026, 6, 1), command_id="x1")
    with refused(a, "cannot be resumed on 2026-06-01: it was suspended on 2026-06-01"):
        a.resume(date(2026, 6, 1), command_id="x2")


def test_a_terminated_agreement_is_inactive_after_its_termination_date():
    a = signed()
    a.terminate(date(2026, 12, 31), command_id="t1")
    assert a.is_active_on(date(2026, 12, 31))  # money may still move on the day itself
    with pytest.raises(
        RuleBroken, match="agreement A1 is not active on 2027-01-01: terminated on 2026-12-31"
    ):
        a.check_can_receive_money(date(2027, 1, 1))


@pytest.mark.parametrize(
    "change",
    [
        lambda a, day: a.sign("person", day, command_id="z"),
        lambda a, day: a.vary(day, command_id="z", hourly_rate=D("25.00")),
        lambda a, day: a.suspend(day, command_id="z"),
        lambda a, day: a.resume(day, command_id="z"),
        lambda a, day: a.terminate(day, command_id="z"),
        lambda a, day: a.approve_flex(day, "team leader", command_id="z"),
        lambda a, day: a.record_hours(day, D("10"), command_id="z"),
        lambda a, day: a.record_cost(day, D("10.00"), "mileage", command_id="z"),
        lambda a, day: a.recover_surplus(
            D("10.00"), day, "surplus", balance=D("100.00"), command_id="z"
        ),
    ],
)
def test_no_change_is_made_to_a_terminated_agreement_after_its_end(change):
    a = signed()
    a.terminate(date(2026, 12, 31), command_id="t1")
    with refused(
        a, "agreement A1 was terminated on 2026-12-31; no change can be made after its end"
    ):
        change(a, date(2027, 1, 4))


def test_an_agreement_is_terminated_once():
    a = signed()
    a.terminate(date(2026, 12, 31), command_id="t1")
    with refused(a, "agreement A1 was already terminated on 2026-12-31"):
        a.terminate(date(2026, 12, 1), command_id="t2")


def test_an_agreement_cannot_be_terminated_before_its_start():
    a = draft()
    with refused(a, "cannot be terminated on 2026-04-01, before its start on 2026-04-06"):
        a.terminate(date(2026, 4, 1), command_id="t1")


def test_an_unsigned_draft_can_be_terminated():
    a = draft()
    a.terminate(START, command_id="t1")
    assert a.why_not_active(date(2026, 4, 7)) == "terminated on 2026-04-06"


def test_a_termination_cannot_reach_back_over_a_suspension_already_recorded():
    a = signed()
    a.suspend(date(2026, 8, 3), command_id="x1")
    with refused(a, "cannot be terminated on 2026-07-31: changes are already recorded for "
                 "2026-08-03"):  # fmt: skip
        a.terminate(date(2026, 7, 31), command_id="t1")


# Surplus threshold


def test_the_surplus_threshold_is_surplus_weeks_of_planned_hours_at_the_rate_in_force():
    a = signed()
    assert a.surplus_threshold_on(START) == D("5360.00")  # 8 x 33.5 x 20.00
    a.vary(date(2026, 7, 6), command_id="v1", hourly_rate=D("21.00"))
    for n, party in enumerate(("authority", "person", "provider")):
        a.sign(party, date(2026, 7, 1), command_id=f"s{n + 4}")
    assert a.surplus_threshold_on(date(2026, 7, 5)) == D("5360.00")
    assert a.surplus_threshold_on(date(2026, 7, 6)) == D("5628.00")  # 8 x 33.5 x 21.00


def test_the_surplus_threshold_is_rounded_half_up_to_the_penny():
    a = signed(hourly_rate=D("20.02"), planned_weekly_hours=D("10.25"), surplus_weeks=1)
    assert a.surplus_threshold_on(START) == D("205.21")  # 10.25 x 20.02 = 205.205


def test_the_surplus_threshold_uses_the_agreements_own_surplus_weeks():
    a = signed(surplus_weeks=4)
    assert a.surplus_threshold_on(START) == D("2680.00")  # 4 x 33.5 x 20.00


def test_every_event_of_the_agreements_mixins_is_stored_as_the_agreements_own() -> None:
    """An @event method in a mixin gets an event class only when the aggregate's
    body names it; one left out would fail at its first use, and a renamed
    topic would orphan the events already stored under `Agreement.<Name>`."""
    from eventsourcing.domain import CommandMethodDecorator
    from eventsourcing.utils import get_topic

    from isf_ledger.domain.agreement_corrections import Corrections
    from isf_ledger.domain.agreement_flex import FlexDecisions
    from isf_ledger.domain.agreement_hours import Hours

    for mixin in (Hours, FlexDecisions, Corrections):
        for name, method in vars(mixin).items():
            if isinstance(method, CommandMethodDecorator):
                assert vars(Agreement).get(name) is method, f"{mixin.__name__}.{name}"
                topic = get_topic(getattr(Agreement, method.event_cls_name or ""))
                assert topic == f"isf_ledger.domain.agreement:Agreement.{method.event_cls_name}"
