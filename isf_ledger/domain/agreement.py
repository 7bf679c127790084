"""A tripartite agreement (Option 2): authority, person and provider.

The agreement holds the terms (see `agreement_terms.py`) as dated versions,
so `terms_on(day)` gives the rate, plan and flex cap in force on any day. It
is active from the day the last of the three parties signs (never before its
start), until it is suspended (until resumed) or terminated (from that day).
No money moves under an agreement that is not active: the schedule of
payments asks `check_can_receive_money(day)`.

Money recorded here moves out of the ISF: hours of support (delivered hours
x the rate in force on the Monday), other costs, and surplus recovered by the
council. Choices:
- one record of hours per week: a second is refused, naming the command that
  recorded the first; `CorrectHours` replaces them (see `correct_hours`);
- a cost named by a `cost_id` can be reversed once, effective on its own date;
- costs may be recorded while the agreement is active or suspended (a cost can
  fall due while support is paused), never before it is active nor after the
  day it is terminated (money may still move on that day itself);
- a surplus may be recovered while suspended and on the day of termination
  (the usual claw-back at the end), never after it;
- nothing is backdated under facts already recorded: a variation, suspension
  or termination cannot take effect on or before a week whose hours were
  already charged under the earlier state.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from isf_ledger.domain import ledger
from isf_ledger.domain.agreement_terms import (
    FREQUENCIES,
    PARTIES,
    AgreementQueries,
    Terms,
    Version,
    WeekOfHours,
    hours_text,
    party_list,
)
from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.flex import is_quarter_hours, week_charge, weekly_flags
from isf_ledger.domain.surplus import recovery_legs


class Agreement(AgreementQueries, LedgerAggregate):
    KIND = "agreement"

    @staticmethod
    def create_id(agreement_id: str, **_: object) -> object:  # type: ignore[override]
        return Agreement.id_for(agreement_id)

    @classmethod
    def draft(
        cls,
        agreement_id: str,
        budget: Budget,
        provider_id: str,
        authority: str,
        start: date,
        hourly_rate: Decimal,
        planned_weekly_hours: Decimal,
        payment_frequency: str,
        command_id: str,
        flex_cap_hours: Decimal = Decimal("3.5"),
        review_weeks: int = 4,
        surplus_weeks: int = 8,
    ) -> Agreement:
        budget.check_not_ended()
        budget.check_within_period(start, f"the start of agreement {agreement_id}")
        if payment_frequency not in FREQUENCIES:
            raise RuleBroken(
                f"agreement {agreement_id}: payment frequency must be one of "
                f"{', '.join(FREQUENCIES)}"
            )
        for what, weeks in (("review", review_weeks), ("surplus", surplus_weeks)):
            if weeks < 1:
                raise RuleBroken(f"agreement {agreement_id}: {what} weeks must be at least 1")
        Terms(hourly_rate, planned_weekly_hours, flex_cap_hours).check(agreement_id)
        return cls(
            agreement_id=agreement_id,
            budget_id=budget.ref,
            person_id=budget.person_id,
            provider_id=provider_id,
            authority=authority,
            payment_frequency=payment_frequency,
            hourly_rate=hourly_rate,
            planned_weekly_hours=planned_weekly_hours,
            flex_cap_hours=flex_cap_hours,
            review_weeks=review_weeks,
            surplus_weeks=surplus_weeks,
            effective=start,
            command_id=command_id,
        )

    @event("Drafted")
    def __init__(
        self,
        agreement_id: str,
        budget_id: str,
        person_id: str,
        provider_id: str,
        authority: str,
        payment_frequency: str,
        hourly_rate: Decimal,
        planned_weekly_hours: Decimal,
        flex_cap_hours: Decimal,
        review_weeks: int,
        surplus_weeks: int,
        effective: date,
        command_id: str,
    ) -> None:
        self.ref = agreement_id
        self.budget_id = budget_id
        self.person_id = person_id
        self.provider_id = provider_id
        self.authority = authority
        self.payment_frequency = payment_frequency
        self.review_weeks = review_weeks
        self.surplus_weeks = surplus_weeks
        self.start = effective
        terms = Terms(hourly_rate, planned_weekly_hours, flex_cap_hours)
        self.versions: list[Version] = [Version(1, effective, terms)]
        self.suspensions: list[tuple[date, date | None]] = []
        self.terminated_on: date | None = None
        self.flex_approvals: dict[date, str] = {}
        self.flex_declines: dict[date, str] = {}
        self.weeks: dict[date, WeekOfHours] = {}
        self.cost_days: list[date] = []
        self.costs: dict[str, tuple[date, Decimal, str]] = {}  # cost_id -> on, amount, command
        self.reversed_costs: dict[str, str] = {}  # cost_id -> the reversing command
        self.recovery_days: list[date] = []

    # Signatures and variations

    def sign(self, party: str, signed_on: date, command_id: str) -> None:
        self.check_not_after_end(signed_on)
        if party not in PARTIES:
            raise RuleBroken(f"agreement {self.ref}: party must be one of {', '.join(PARTIES)}")
        version = self.latest
        if party in version.signatures:
            raise RuleBroken(
                f"agreement {self.ref} was already signed by the {party} on "
                f"{version.signatures[party]} (terms version {version.number})"
            )
        if version.number > 1 and version.awaiting == [party]:
            in_force = max(version.effective, signed_on, *version.signatures.values())
            self.check_no_hours_from(in_force, "the variation")
        self._signed(
            party=party, version=version.number, effective=signed_on, command_id=command_id
        )

    @event("Signed")
    def _signed(self, party: str, version: int, effective: date, command_id: str) -> None:
        self.versions[version - 1].signatures[party] = effective

    def vary(
        self,
        effective: date,
        command_id: str,
        hourly_rate: Decimal | None = None,
        planned_weekly_hours: Decimal | None = None,
        flex_cap_hours: Decimal | None = None,
    ) -> None:
        self.check_not_after_end(effective)
        if hourly_rate is None and planned_weekly_hours is None and flex_cap_hours is None:
            raise RuleBroken(
                f"a variation of agreement {self.ref} must change the hourly rate, "
                "the planned weekly hours or the flex cap"
            )
        if not self.first.is_signed:
            raise RuleBroken(
                f"agreement {self.ref} cannot be varied before all three parties have signed "
                f"it: awaiting {party_list(self.first.awaiting)}"
            )
        current = max(
            (v for v in self.versions if v.in_force_from is not None),
            key=lambda v: v.number,
        )
        since = current.in_force_from
        if since is not None and effective < since:
            raise RuleBroken(
                f"a variation of agreement {self.ref} cannot take effect on {effective}, before "
                f"its current terms came into force on {since}"
            )
        self.check_no_hours_from(effective, "a variation")
        terms = current.terms.varied(hourly_rate, planned_weekly_hours, flex_cap_hours)
        terms.check(self.ref)
        pending = self.latest if not self.latest.is_signed else None
        self._varied(
            version=len(self.versions) + 1,
            replaces=pending.number if pending else None,
            hourly_rate=terms.hourly_rate,
            planned_weekly_hours=terms.planned_weekly_hours,
            flex_cap_hours=terms.flex_cap_hours,
            effective=effective,
            command_id=command_id,
        )

    @event("Varied")
    def _varied(
        self,
        version: int,
        replaces: int | None,
        hourly_rate: Decimal,
        planned_weekly_hours: Decimal,
        flex_cap_hours: Decimal,
        effective: date,
        command_id: str,
    ) -> None:
        if replaces is not None:
            self.versions[replaces - 1].replaced_by = version
        terms = Terms(hourly_rate, planned_weekly_hours, flex_cap_hours)
        self.versions.append(Version(version, effective, terms))

    # Suspension and termination

    def suspend(self, on: date, command_id: str) -> None:
        self.check_not_after_end(on)
        last = self.suspensions[-1] if self.suspensions else None
        if last is not None and last[1] is None:
            raise RuleBroken(f"agreement {self.ref} has been suspended since {last[0]}")
        if last is not None and last[1] is not None and on < last[1]:
            raise RuleBroken(
                f"agreement {self.ref} was resumed on {last[1]}; a new suspension cannot "
                "start before it"
            )
        self.check_can_receive_money(on)
        self.check_no_hours_from(on, "a suspension")
        self._suspended(effective=on, command_id=command_id)

    @event("Suspended")
    def _suspended(self, effective: date, command_id: str) -> None:
        self.suspensions.append((effective, None))

    def resume(self, on: date, command_id: str) -> None:
        self.check_not_after_end(on)
        if not self.suspensions or self.suspensions[-1][1] is not None:
            raise RuleBroken(f"agreement {self.ref} is not suspended, so it cannot be resumed")
        since = self.suspensions[-1][0]
        if on <= since:
            raise RuleBroken(
                f"agreement {self.ref} cannot be resumed on {on}: it was suspended on {since}"
            )
        self._resumed(effective=on, command_id=command_id)

    @event("Resumed")
    def _resumed(self, effective: date, command_id: str) -> None:
        self.suspensions[-1] = (self.suspensions[-1][0], effective)

    def terminate(self, on: date, command_id: str) -> None:
        self.check_not_after_end(on)
        if self.terminated_on is not None:
            raise RuleBroken(f"agreement {self.ref} was already terminated on {self.terminated_on}")
        if on < self.start:
            raise RuleBroken(
                f"agreement {self.ref} cannot be terminated on {on}, before its start on "
                f"{self.start}"
            )
        # Money may still move on the day itself: the last week may start then.
        charged = sorted(w for w in self.weeks if w > on)
        if charged:
            raise RuleBroken(
                f"agreement {self.ref}: hours for week {charged[-1]} are already recorded, "
                f"so a termination must take effect on or after {charged[-1]}"
            )
        later = [d for d in self.cost_days + self.recovery_days if d > on]
        later += [d for since, until in self.suspensions for d in (since, until) if d and d > on]
        if later:
            raise RuleBroken(
                f"agreement {self.ref} cannot be terminated on {on}: changes are already "
                f"recorded for {max(later)}"
            )
        self._terminated(effective=on, command_id=command_id)

    @event("Terminated")
    def _terminated(self, effective: date, command_id: str) -> None:
        self.terminated_on = effective

    # Hours and flex

    def approve_flex(self, week_start: date, approved_by: str, command_id: str) -> None:
        """Approve hours above the cap: before the week's hours, or after them,
        when the hours awaiting approval are charged to the week's month."""
        self.check_not_after_end(week_start)
        self.check_monday(week_start)
        self.check_flex_undecided(week_start)
        week = self.weeks.get(week_start)
        if week is None:
            self._flex_approved(
                approved_by=approved_by, effective=week_start, command_id=command_id
            )
            return
        awaiting = self.check_hours_await(week, "approve")
        charge = week_charge(week.delivered_hours, week.hourly_rate) - week.charge
        self._flex_approved_after_hours(
            approved_by=approved_by,
            hours=awaiting,
            charge=charge,
            legs=ledger.transfer(ledger.isf(self.ref), ledger.support(self.provider_id), charge),
            effective=week_start,
            command_id=command_id,
        )

    @event("FlexApproved")
    def _flex_approved(self, approved_by: str, effective: date, command_id: str) -> None:
        self.flex_approvals[effective] = approved_by

    @event("FlexApprovedAfterHours")
    def _flex_approved_after_hours(
        self,
        approved_by: str,
        hours: Decimal,
        charge: Decimal,
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        self.flex_approvals[effective] = approved_by
        if effective in self.weeks:  # reports load agreements without their weeks
            week = self.weeks[effective]
            self.weeks[effective] = replace(week, charge=week.charge + charge)

    def decline_flex(
        self, week_start: date, declined_by: str, reason: str, command_id: str
    ) -> None:
        """Refuse hours above the cap (before or after them): never charged to the ISF."""
        self.check_not_after_end(week_start)
        self.check_monday(week_start)
        self.check_flex_undecided(week_start)
        week = self.weeks.get(week_start)
        hours = self.check_hours_await(week, "decline") if week else Decimal(0)
        self._flex_declined(
            declined_by=declined_by,
            reason=reason,
            hours=hours,
            effective=week_start,
            command_id=command_id,
        )

    @event("FlexDeclined")
    def _flex_declined(
        self, declined_by: str, reason: str, hours: Decimal, effective: date, command_id: str
    ) -> None:
        self.flex_declines[effective] = declined_by

    def check_flex_undecided(self, week_start: date) -> None:
        for decided, by in (("approved", self.flex_approvals), ("declined", self.flex_declines)):
            if week_start in by:
                raise RuleBroken(
                    f"agreement {self.ref}: flex for week {week_start} was already {decided} "
                    f"by {by[week_start]}"
                )

    def check_hours_await(self, week: WeekOfHours, verb: str) -> Decimal:
        """The week's hours awaiting approval; refuses when there are none to `verb`."""
        awaiting = self.hours_awaiting_approval(week.week_start, week.delivered_hours)
        if awaiting == 0:
            raise RuleBroken(
                f"agreement {self.ref}: no hours of week {week.week_start} await approval, "
                f"so there is nothing to {verb}: its {hours_text(week.delivered_hours)} hours "
                "are within the plan and the flex cap"
            )
        return awaiting

    def check_hours(self, week_start: date, delivered_hours: Decimal) -> None:
        self.check_not_after_end(week_start)
        self.check_monday(week_start)
        if delivered_hours < 0:
            raise RuleBroken(f"agreement {self.ref}: delivered hours cannot be negative")
        if not is_quarter_hours(delivered_hours):
            raise RuleBroken(
                "hours must be in quarter hours (multiples of 0.25): "
                f"{hours_text(delivered_hours)} is not"
            )

    def week_of(self, week_start: date, delivered_hours: Decimal, command_id: str) -> WeekOfHours:
        """The week as it would be charged: hours awaiting approval or declined are not."""
        terms = self.terms_on(week_start)
        uncharged = self.hours_awaiting_approval(week_start, delivered_hours) + self.hours_declined(
            week_start, delivered_hours
        )
        flags = weekly_flags(
            delivered_hours,
            terms.planned_weekly_hours,
            terms.flex_cap_hours,
            self.approval_of(week_start),
        )
        return WeekOfHours(
            week_start,
            delivered_hours,
            terms.planned_weekly_hours,
            terms.hourly_rate,
            week_charge(delivered_hours - uncharged, terms.hourly_rate),
            tuple(flags),
            command_id,
        )

    def record_hours(self, week_start: date, delivered_hours: Decimal, command_id: str) -> None:
        """Record the week's true hours. Hours above plan + cap are never refused:
        unless approved they await approval and are not charged (declined: never)."""
        self.check_hours(week_start, delivered_hours)
        self.check_can_receive_money(self.week_in_force_day(week_start))
        if week_start in self.weeks:
            earlier = self.weeks[week_start]
            raise RuleBroken(
                f"agreement {self.ref}: hours for week {week_start} were already recorded "
                f"by command {earlier.command_id} ({hours_text(earlier.delivered_hours)} "
                "hours); each week is recorded once: correct them with CorrectHours"
            )
        week = self.week_of(week_start, delivered_hours, command_id)
        self._hours_recorded(
            delivered_hours=delivered_hours,
            planned_hours=week.planned_hours,
            hourly_rate=week.hourly_rate,
            charge=week.charge,
            flags=list(week.flags),
            legs=ledger.transfer(
                ledger.isf(self.ref), ledger.support(self.provider_id), week.charge
            ),
            effective=week_start,
            command_id=command_id,
        )

    @event("HoursRecorded")
    def _hours_recorded(
        self,
        delivered_hours: Decimal,
        planned_hours: Decimal,
        hourly_rate: Decimal,
        charge: Decimal,
        flags: list[str],
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        self.weeks[effective] = WeekOfHours(
            effective, delivered_hours, planned_hours, hourly_rate, charge, tuple(flags), command_id
        )

    def correct_hours(
        self, week_start: date, delivered_hours: Decimal, reason: str, command_id: str
    ) -> None:
        """Replace a week's recorded hours: the charge moves by the difference, in
        the week's own month, and the event names the record it corrects."""
        self.check_hours(week_start, delivered_hours)
        earlier = self.weeks.get(week_start)
        if earlier is None:
            raise RuleBroken(
                f"agreement {self.ref}: no hours are recorded for week {week_start}, "
                "so there is nothing to correct"
            )
        if delivered_hours == earlier.delivered_hours:
            raise RuleBroken(
                f"agreement {self.ref}: week {week_start} already records "
                f"{hours_text(delivered_hours)} hours; a correction must change them"
            )
        week = self.week_of(week_start, delivered_hours, command_id)
        difference = week.charge - earlier.charge
        self._hours_corrected(
            delivered_hours=delivered_hours,
            previous_hours=earlier.delivered_hours,
            planned_hours=week.planned_hours,
            hourly_rate=week.hourly_rate,
            charge=difference,
            flags=list(week.flags),
            reason=reason,
            corrects=earlier.command_id,
            legs=ledger.transfer(
                ledger.isf(self.ref), ledger.support(self.provider_id), difference
            ),
            effective=week_start,
            command_id=command_id,
        )

    @event("HoursCorrected")
    def _hours_corrected(
        self,
        delivered_hours: Decimal,
        previous_hours: Decimal,
        planned_hours: Decimal,
        hourly_rate: Decimal,
        charge: Decimal,
        flags: list[str],
        reason: str,
        corrects: str,
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        if effective in self.weeks:  # reports load agreements without their weeks
            week = self.weeks[effective]
            self.weeks[effective] = replace(
                week,
                delivered_hours=delivered_hours,
                charge=week.charge + charge,
                flags=tuple(flags),
                command_id=command_id,
            )

    # Costs and recovery

    def record_cost(
        self,
        on: date,
        amount: Decimal,
        description: str,
        command_id: str,
        cost_id: str | None = None,
    ) -> None:
        self.check_not_after_end(on)
        if amount <= 0:
            raise RuleBroken(f"agreement {self.ref}: a cost must be more than zero")
        why = self.why_not_in_force(on)
        if why is not None:
            raise RuleBroken(f"agreement {self.ref} is not in force on {on}: {why}")
        if cost_id is not None and cost_id in self.costs:
            raise RuleBroken(f"agreement {self.ref}: cost {cost_id} is already recorded")
        self._cost_recorded(
            amount=amount,
            description=description,
            cost_id=cost_id,
            legs=ledger.transfer(ledger.isf(self.ref), ledger.costs(self.ref), amount),
            effective=on,
            command_id=command_id,
        )

    class CostRecorded(LedgerAggregate.Event):
        """Version 2 adds `cost_id`, which lets a cost be reversed (none before)."""

        class_version = 2
        amount: Decimal
        description: str
        cost_id: str | None
        legs: dict[str, Decimal]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["cost_id"] = None

    @event(CostRecorded)
    def _cost_recorded(
        self,
        amount: Decimal,
        description: str,
        cost_id: str | None,
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        self.cost_days.append(effective)
        if cost_id is not None:
            self.costs[cost_id] = (effective, amount, command_id)

    def reverse_cost(self, cost_id: str, on: date, reason: str, command_id: str) -> None:
        """Take a cost back out of the ISF's charges, effective on the cost's own
        date; `on` is when the reversal was decided."""
        if cost_id not in self.costs:
            raise RuleBroken(f"agreement {self.ref} has no cost {cost_id} to reverse")
        if cost_id in self.reversed_costs:
            raise RuleBroken(
                f"cost {cost_id} was already reversed by command {self.reversed_costs[cost_id]}"
            )
        charged_on, amount, recorded_by = self.costs[cost_id]
        if on < charged_on:
            raise RuleBroken(
                f"cost {cost_id} cannot be reversed on {on}, before it was charged on {charged_on}"
            )
        self._cost_reversed(
            cost_id=cost_id,
            amount=amount,
            reversed_on=on,
            reason=reason,
            corrects=recorded_by,
            legs=ledger.transfer(ledger.costs(self.ref), ledger.isf(self.ref), amount),
            effective=charged_on,
            command_id=command_id,
        )

    @event("CostReversed")
    def _cost_reversed(
        self,
        cost_id: str,
        amount: Decimal,
        reversed_on: date,
        reason: str,
        corrects: str,
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        self.reversed_costs[cost_id] = command_id

    def recover_surplus(
        self, amount: Decimal, on: date, reason: str, *, balance: Decimal, command_id: str
    ) -> None:
        """Return money from the ISF to the council; `balance` is the ISF's on `on`."""
        self.check_not_after_end(on)
        legs = recovery_legs(
            f"agreement {self.ref}",
            "ISF",
            ledger.isf(self.ref),
            self.authority,
            amount,
            balance,
            on,
        )
        self._surplus_recovered(
            amount=amount,
            reason=reason,
            balance_before=balance,
            legs=legs,
            effective=on,
            command_id=command_id,
        )

    @event("SurplusRecovered")
    def _surplus_recovered(
        self,
        amount: Decimal,
        reason: str,
        balance_before: Decimal,
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        self.recovery_days.append(effective)
