"""Corrections on an agreement: a week's hours replaced, a cost reversed.

A correction never rewrites the record it corrects: it is a new event that
names it (`corrects`, the command that recorded the original) and moves the
money by the difference, effective on the original's own date (the week, the
day the cost was charged), so the correction lands in the right month.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from eventsourcing.domain import event

from isf_ledger.domain import ledger
from isf_ledger.domain.agreement_hours import Hours
from isf_ledger.domain.agreement_terms import hours_text
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.reversal import check_reversal


class Corrections(Hours):
    """Mixed into `Agreement`, whose body names the events here (see there)."""

    costs: dict[str, tuple[date, Decimal, str]]  # cost_id -> on, amount, command
    reversed_costs: dict[str, str]  # cost_id -> the reversing command

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
            legs=self.support_legs(difference),
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

    def reverse_cost(self, cost_id: str, on: date, reason: str, command_id: str) -> None:
        """Take a cost back out of the ISF's charges, effective on the cost's own
        date; `on` is when the reversal was decided."""
        if cost_id not in self.costs:
            raise RuleBroken(f"agreement {self.ref} has no cost {cost_id} to reverse")
        charged_on, amount, recorded_by = self.costs[cost_id]
        check_reversal(
            f"cost {cost_id}",
            self.reversed_costs.get(cost_id),
            charged_on,
            on,
            f"it was charged on {charged_on}",
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
