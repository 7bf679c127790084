"""The terms of a tripartite agreement, their versions, signatures and guards.

Terms are data on the agreement, never literals in a rule: the hourly rate,
the planned weekly hours and the flex cap. The terms drafted first are
version 1; each variation is a new version from an effective date. A version
comes into force once all three parties have signed it, on the later of its
effective date and the last signature. A variation made while another is
still awaiting signatures replaces it (the earlier one never comes into force).

`AgreementQueries` holds what can be asked of an agreement's state (is it
active on a day, which terms are in force) and the `check_*` guards built on
those answers; `agreement.py` holds the commands and their events.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.flex import hours_above_cap, is_monday, is_quarter_hours
from isf_ledger.domain.money import ZERO, round_half_up
from isf_ledger.domain.periods import mondays

PARTIES = ("authority", "person", "provider")
_EVERY_PARTY = frozenset(PARTIES)
FREQUENCIES = ("4-weekly", "monthly")


def pounds(amount: Decimal) -> str:
    """Money as a finance officer writes it: "£1,234.50", or "-£3.20"."""
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def hours_text(hours: Decimal) -> str:
    """Hours as people write them: "33.5", "40", "7.25"."""
    return f"{hours.normalize():f}"


def party_list(parties: list[str] | tuple[str, ...]) -> str:
    """ "the person", "the person and the provider", "the authority, the person and ..."."""
    named = [f"the {p}" for p in parties]
    return named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]


@dataclass(frozen=True)
class Terms:
    """What is agreed for the support: rate, planned hours a week, flex cap."""

    hourly_rate: Decimal
    planned_weekly_hours: Decimal
    flex_cap_hours: Decimal

    def check(self, agreement_id: str) -> None:
        if self.hourly_rate <= 0:
            raise RuleBroken(f"agreement {agreement_id}: the hourly rate must be more than zero")
        for what, hours in (
            ("planned weekly hours", self.planned_weekly_hours),
            ("flex cap", self.flex_cap_hours),
        ):
            if hours < 0:
                raise RuleBroken(f"agreement {agreement_id}: the {what} cannot be negative")
            if not is_quarter_hours(hours):
                raise RuleBroken(
                    f"agreement {agreement_id}: the {what} must be in quarter hours "
                    f"(multiples of 0.25): {hours_text(hours)} is not"
                )
        if self.planned_weekly_hours == 0:
            raise RuleBroken(
                f"agreement {agreement_id}: the planned weekly hours must be more than zero"
            )

    def varied(
        self,
        hourly_rate: Decimal | None,
        planned_weekly_hours: Decimal | None,
        flex_cap_hours: Decimal | None,
    ) -> Terms:
        """These terms with whatever a variation changes."""
        return replace(
            self,
            hourly_rate=self.hourly_rate if hourly_rate is None else hourly_rate,
            planned_weekly_hours=(
                self.planned_weekly_hours if planned_weekly_hours is None else planned_weekly_hours
            ),
            flex_cap_hours=self.flex_cap_hours if flex_cap_hours is None else flex_cap_hours,
        )


@dataclass
class Version:
    """One version of the terms, from `effective`, and who has signed it when."""

    number: int
    effective: date
    terms: Terms
    signatures: dict[str, date] = field(default_factory=dict)
    replaced_by: int | None = None

    @property
    def awaiting(self) -> list[str]:
        return [p for p in PARTIES if p not in self.signatures]

    @property
    def is_signed(self) -> bool:
        return self.signatures.keys() >= _EVERY_PARTY  # `not self.awaiting`, without a list

    @property
    def in_force_from(self) -> date | None:
        """The later of its effective date and its last signature; None until all sign."""
        if not self.is_signed or self.replaced_by is not None:
            return None
        return max(self.effective, *self.signatures.values())

    def awaiting_on(self, day: date) -> list[str]:
        """Parties who had not signed by `day`."""
        return [p for p in PARTIES if p not in self.signatures or self.signatures[p] > day]


@dataclass(frozen=True)
class WeekOfHours:
    """Hours recorded for one week, as charged then."""

    week_start: date
    delivered_hours: Decimal
    planned_hours: Decimal
    hourly_rate: Decimal
    charge: Decimal
    flags: tuple[str, ...]
    command_id: str


class AgreementQueries:
    """What can be asked of an agreement's state, and the guards built on it.

    Mixed into `Agreement`, which sets these attributes from its events.
    """

    ref: str
    provider_id: str
    start: date
    review_weeks: int
    surplus_weeks: int
    versions: list[Version]
    suspensions: list[tuple[date, date | None]]
    terminated_on: date | None
    flex_approvals: dict[date, str]
    flex_declines: dict[date, str]
    weeks: dict[date, WeekOfHours]

    # Queries

    @property
    def first(self) -> Version:
        return self.versions[0]

    @property
    def latest(self) -> Version:
        """The newest version of the terms that has not been replaced."""
        return next(v for v in reversed(self.versions) if v.replaced_by is None)

    @property
    def activated_on(self) -> date | None:
        """The day it became active: all three signed, and not before its start."""
        return self.first.in_force_from

    @property
    def pending_signatures(self) -> list[str]:
        """Parties still to sign the newest terms (empty when all have)."""
        return self.latest.awaiting

    def version_on(self, day: date) -> Version:
        """The version of the terms in force on `day` (the first before any is)."""
        found = self.first  # asked of every week of hours: a loop, not a list
        for version in self.versions:
            since = version.in_force_from
            if since is not None and since <= day:
                found = version
        return found

    def terms_on(self, day: date) -> Terms:
        return self.version_on(day).terms

    def surplus_threshold_on(self, day: date) -> Decimal:
        """Above this ISF balance the money is a surplus: weeks x plan x rate."""
        terms = self.terms_on(day)
        return round_half_up(self.surplus_weeks * terms.planned_weekly_hours * terms.hourly_rate)

    def suspended_since(self, day: date) -> date | None:
        for since, until in self.suspensions:
            if since <= day and (until is None or day < until):
                return since
        return None

    def why_not_in_force(self, day: date) -> str | None:
        """Why the agreement does not bind on `day` (suspended or not), or None."""
        if self.terminated_on is not None and day > self.terminated_on:
            return f"terminated on {self.terminated_on}"
        if day < self.start:
            return f"before its start on {self.start}"
        awaiting = self.first.awaiting_on(day)
        if awaiting:
            return f"not yet signed by {party_list(awaiting)}"
        return None

    def why_not_active(self, day: date) -> str | None:
        """Why no money can move on `day`, or None when the agreement is active."""
        why = self.why_not_in_force(day)
        if why is None and (since := self.suspended_since(day)) is not None:
            return f"suspended since {since}"
        return why

    def is_active_on(self, day: date) -> bool:
        return self.why_not_active(day) is None

    def planned_hours(self, first: date, last: date) -> Decimal:
        """Hours planned for the weeks starting from `first` to `last` while active."""
        return sum(
            (
                self.terms_on(monday).planned_weekly_hours
                for monday in mondays(first, last)
                if self.is_active_on(monday)
            ),
            Decimal(0),
        )

    def hours_above_cap(self, week_start: date, delivered: Decimal) -> Decimal:
        terms = self.terms_on(week_start)
        return hours_above_cap(delivered, terms.planned_weekly_hours, terms.flex_cap_hours)

    def hours_awaiting_approval(self, week_start: date, delivered: Decimal) -> Decimal:
        """Hours above the cap neither approved nor declined: not charged yet."""
        if week_start in self.flex_approvals or week_start in self.flex_declines:
            return Decimal(0)
        return self.hours_above_cap(week_start, delivered)

    def hours_declined(self, week_start: date, delivered: Decimal) -> Decimal:
        """Hours above the cap the council declined: never charged to the ISF."""
        if week_start not in self.flex_declines:
            return Decimal(0)
        return self.hours_above_cap(week_start, delivered)

    def approval_of(self, week_start: date) -> str:
        """What was decided about the week's hours above the cap, in words."""
        if week_start in self.flex_approvals:
            return "approved"
        return "declined" if week_start in self.flex_declines else "awaiting approval"

    def surplus(self, balance: Decimal, on: date) -> Decimal:
        """How much of an ISF balance on `on` is above the surplus threshold."""
        return max(ZERO, balance - self.surplus_threshold_on(on))

    def week_in_force_day(self, week_start: date) -> date:
        """The day a week of hours is checked on: its Monday, except the first week.

        An agreement starting mid-week has its first week start on the Monday
        before; that week is checked as on the agreement's start.
        """
        if week_start < self.start <= week_start + timedelta(days=6):
            return self.start
        return week_start

    # Rules

    def check_can_receive_money(self, day: date) -> None:
        why = self.why_not_active(day)
        if why is not None:
            raise RuleBroken(f"agreement {self.ref} is not active on {day}: {why}")

    def check_period_within(self, start: date, what: str) -> None:
        """Nothing is paid for a period that starts after the agreement ended."""
        if self.terminated_on is not None and start > self.terminated_on:
            raise RuleBroken(
                f"{what} cannot be paid: agreement {self.ref} was terminated on "
                f"{self.terminated_on}, before it"
            )

    def check_not_after_end(self, day: date) -> None:
        if self.terminated_on is not None and day > self.terminated_on:
            raise RuleBroken(
                f"agreement {self.ref} was terminated on {self.terminated_on}; "
                "no change can be made after its end"
            )

    def check_no_hours_from(self, day: date, change: str) -> None:
        """Refuse `change` from `day` when hours from that week on are already charged."""
        later = sorted(w for w in self.weeks if w >= day)
        if later:
            raise RuleBroken(
                f"agreement {self.ref}: hours for week {later[-1]} are already recorded, "
                f"so {change} must take effect after {later[-1]}"
            )

    def check_monday(self, week_start: date) -> None:
        if not is_monday(week_start):
            raise RuleBroken(
                f"agreement {self.ref}: week_start {week_start} is a "
                f"{week_start.strftime('%A')}; weeks start on a Monday"
            )
