"""Flex decisions on an agreement: hours above plan + cap, approved or declined.

Hours above the cap are recorded as delivered and await a decision (see
`agreement_hours.py`). `ApproveFlex` before the week's hours lets them be
charged when recorded; after them, it charges the hours awaiting approval to
the week's own month. `DeclineFlex` means they are never charged to the ISF
(the provider bears them). A week is decided once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from eventsourcing.domain import event

from isf_ledger.domain.agreement_hours import Hours
from isf_ledger.domain.agreement_terms import WeekOfHours, hours_text
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.flex import week_charge


class FlexDecisions(Hours):
    """Mixed into `Agreement`, whose body names the events here (see there)."""

    def approve_flex(self, week_start: date, approved_by: str, command_id: str) -> None:
        """Approve hours above the cap: before the week's hours, or after them,
        when the hours awaiting approval are charged to the week's month."""
        self.check_flex_decidable(week_start)
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
            legs=self.support_legs(charge),
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
        self.check_flex_decidable(week_start)
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

    def check_flex_decidable(self, week_start: date) -> None:
        """A decision is for a Monday in the agreement's life, not yet decided."""
        self.check_not_after_end(week_start)
        self.check_monday(week_start)
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
