"""Weeks of hours on an agreement: what is delivered, and what the ISF is charged.

One record of hours per week: a second is refused, naming the command that
recorded the first (`CorrectHours` replaces them, see
`agreement_corrections.py`). A week's charge is its hours x the rate in force
on its Monday; hours above plan + cap are recorded, never refused, but are not
charged while they await approval, nor ever once declined (see
`agreement_flex.py`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from eventsourcing.domain import event

from isf_ledger.domain import ledger
from isf_ledger.domain.agreement_terms import AgreementQueries, WeekOfHours, hours_text
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.flex import is_quarter_hours, week_charge, weekly_flags


class Hours(AgreementQueries):
    """Mixed into `Agreement`, whose body names the events here (see there)."""

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
            legs=self.support_legs(week.charge),
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

    def support_legs(self, charge: Decimal) -> ledger.Legs:
        """A charge for hours: out of the ISF, to the provider's support."""
        return ledger.transfer(ledger.isf(self.ref), ledger.support(self.provider_id), charge)
