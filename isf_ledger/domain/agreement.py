"""A tripartite agreement (Option 2): authority, person and provider.

The agreement holds the terms (see `agreement_terms.py`) as dated versions,
so `terms_on(day)` gives the rate, plan and flex cap in force on any day. It
is active from the day the last of the three parties signs (never before its
start), until it is suspended (until resumed) or terminated (from that day).
No money moves under an agreement that is not active: the schedule of
payments asks `check_can_receive_money(day)`.

Money recorded here moves out of the ISF: hours of support (delivered hours
x the rate in force on the Monday, in `agreement_hours.py`; hours above the
cap wait for a decision, `agreement_flex.py`), other costs, and surplus
recovered by the council; `agreement_corrections.py` replaces a week's hours
and reverses a cost. Choices:
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

from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from isf_ledger.domain import ledger
from isf_ledger.domain.agreement_corrections import Corrections
from isf_ledger.domain.agreement_flex import FlexDecisions
from isf_ledger.domain.agreement_hours import Hours
from isf_ledger.domain.agreement_terms import (
    FREQUENCIES,
    PARTIES,
    Terms,
    Version,
    WeekOfHours,
    party_list,
)
from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.surplus import recovery_legs


class Agreement(Corrections, FlexDecisions, LedgerAggregate):
    KIND = "agreement"

    # eventsourcing makes an event class (stored as `Agreement.<Name>`) only for
    # the @event methods in the aggregate's own body: the mixins' are named here.
    _hours_recorded = Hours.__dict__["_hours_recorded"]
    _flex_approved = FlexDecisions.__dict__["_flex_approved"]
    _flex_approved_after_hours = FlexDecisions.__dict__["_flex_approved_after_hours"]
    _flex_declined = FlexDecisions.__dict__["_flex_declined"]
    _hours_corrected = Corrections.__dict__["_hours_corrected"]
    _cost_reversed = Corrections.__dict__["_cost_reversed"]

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
