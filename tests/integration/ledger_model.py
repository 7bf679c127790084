"""A plain model of the ledger for the stateful test: what the contract says must happen.

`Model.decide(command)` takes a command as the JSON object a caller writes.
It answers None when the ledger must accept the command, and records its
effect; or a short reason (one of the constants below) when the ledger must
refuse it, and changes nothing. Money is integer pence and hours are integer
quarter hours, so the model shares no arithmetic with the code under test:
periods, week charges and balances are worked out again here from the
contract's words.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

PARTIES = ("authority", "person", "provider")
FAR_FUTURE = date(2099, 12, 31)

# Why a command must be refused.
UNREADABLE = "not a well-formed command"
UNKNOWN = "unknown id"
EXISTS = "already exists"
ENDED = "change to an ended budget"
TERMINATED = "change to a terminated agreement after its end"
NOT_ACTIVE = "agreement not active"
PAID_TWICE = "period already paid"
QUARTER = "hours not in quarter hours"
OVER_ALLOCATION = "schedules above the allocation"
OVER_BALANCE = "recovery above the balance"
OVER_OWED = "offset above what the fund owes back"
OVER_BUDGET = "allocations above the budget"
RULE = "another rule"

MONEY = re.compile(r"^-?\d+(\.\d{1,2})?$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


def pence_of(value: Any) -> int | None:
    """Pence from a contract money string; None for anything else (floats, 3 places)."""
    if not isinstance(value, str) or not MONEY.match(value):
        return None
    whole, _, part = value.lstrip("-").partition(".")
    amount = int(whole) * 100 + int((part + "00")[:2])
    return -amount if value.startswith("-") else amount


def quarters_of(value: Any) -> int | None:
    """Whole quarter hours from an hours string; None when not a whole number of quarters."""
    quarters = Decimal(value) * 4
    return int(quarters) if quarters == quarters.to_integral_value() else None


def pounds(p: int) -> Decimal:
    return Decimal(p).scaleb(-2)


def budget_end(start: date) -> date:
    """Twelve months less a day; from 29 February, the 28th a year on."""
    try:
        return start.replace(year=start.year + 1) - timedelta(days=1)
    except ValueError:
        return date(start.year + 1, 2, 28)


def add_months(d: date, n: int) -> date:
    year, month = divmod(d.month - 1 + n, 12)
    year, month = d.year + year, month + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def period_dates(first_due: date, frequency: str, end: date) -> list[tuple[date, date]]:
    """Starts every 28 days or month while on or before the end; a 1-day last period folds."""
    starts: list[date] = []
    n = 0
    while True:
        if frequency == "4-weekly":
            start = first_due + timedelta(days=28 * n)
        else:
            start = add_months(first_due, n)
        if start > end:
            break
        starts.append(start)
        n += 1
    if len(starts) > 1 and starts[-1] == end:
        starts.pop()
    ends = [s - timedelta(days=1) for s in starts[1:]] + [end]
    return list(zip(starts, ends, strict=True))


def periods(
    first_due: date, frequency: str, end: date, amount: int
) -> list[tuple[date, date, int]]:
    """Each period pro rata by days, half up to the penny; the last takes the remainder."""
    dates = period_dates(first_due, frequency, end)
    total_days = (end - first_due).days + 1
    out = []
    for start, stop in dates[:-1]:
        days = (stop - start).days + 1
        out.append((start, stop, (2 * amount * days + total_days) // (2 * total_days)))
    start, stop = dates[-1]
    return [*out, (start, stop, amount - sum(p for _, _, p in out))]


def respread(
    spread: list[tuple[date, date, int]], keep: set[int], amount: int, end: date
) -> list[tuple[date, date, int]] | None:
    """The periods not kept share what the kept ones leave of `amount`, by days
    from the first of them to `end`; None when that cannot be done."""
    kept = sum(p for n, (_, _, p) in enumerate(spread, start=1) if n in keep)
    others = [n for n in range(1, len(spread) + 1) if n not in keep]
    rest = amount - kept
    if rest < 0 or (not others and rest != 0):
        return None
    if not others:
        return spread
    total_days = (end - spread[others[0] - 1][0]).days + 1
    new = dict.fromkeys(others, 0)
    for n in others[:-1]:
        start, stop, _ = spread[n - 1]
        days = (stop - start).days + 1
        new[n] = (2 * rest * days + total_days) // (2 * total_days)
    new[others[-1]] = rest - sum(new[n] for n in others[:-1])
    if new[others[-1]] < 0:
        return None
    return [(s, e, new.get(n, p)) for n, (s, e, p) in enumerate(spread, start=1)]


def week_charge(quarters: int, rate: int) -> int:
    """Hours x rate in pence, half up: rate x quarters / 4."""
    return (rate * quarters + 2) // 4


@dataclass
class BudgetM:
    person: str
    start: date
    end: date
    amounts: list[tuple[date, int]]
    agreed_on: date | None = None
    ended_on: date | None = None

    def amount_on(self, day: date) -> int:
        """The amount in force on `day`; of two revisions from one day, the later one."""
        in_force = [(d, n, a) for n, (d, a) in enumerate(self.amounts) if d <= day]
        return max(in_force)[2] if in_force else self.amounts[0][1]

    def within(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass
class AgreementM:
    budget: str
    provider: str
    authority: str
    start: date
    rate: int
    planned: int
    cap: int
    signed: dict[str, date] = field(default_factory=dict)
    terminated_on: date | None = None
    weeks: dict[date, int] = field(default_factory=dict)  # week -> pence charged
    hours: dict[date, int] = field(default_factory=dict)  # week -> quarters delivered
    approvals: set[date] = field(default_factory=set)
    declines: set[date] = field(default_factory=set)
    cost_days: list[date] = field(default_factory=list)
    recovery_days: list[date] = field(default_factory=list)

    @property
    def activated_on(self) -> date | None:
        return max(self.start, *self.signed.values()) if len(self.signed) == 3 else None

    def in_force(self, day: date) -> bool:
        """Signed by all three by `day`, on or after its start, up to its termination day."""
        if self.terminated_on is not None and day > self.terminated_on:
            return False
        return day >= self.start and all(
            p in self.signed and self.signed[p] <= day for p in PARTIES
        )

    def week_day(self, week: date) -> date:
        """The day a week is checked on: its Monday, or the agreement's start for a
        first week begun on the Monday before it (the contract allows that week)."""
        return self.start if week < self.start <= week + timedelta(days=6) else week

    def after_end(self, day: date) -> bool:
        return self.terminated_on is not None and day > self.terminated_on

    def awaiting(self, week: date) -> int:
        """Quarters of the week above plan + cap, neither approved nor declined."""
        if week in self.approvals or week in self.declines or week not in self.hours:
            return 0
        return max(0, self.hours[week] - self.planned - self.cap)

    def mondays(self) -> list[date]:
        first = self.start + timedelta(days=(-self.start.weekday()) % 7)
        return [first + timedelta(weeks=k) for k in range(-1, 12)]


@dataclass
class CardM:
    person: str
    budget: str
    authority: str


@dataclass
class ScheduleM:
    budget: str
    option: int
    payee: str
    fund: str
    authority: str
    periods: list[tuple[date, date, int]]
    amount: int = 0  # yearly
    paid: dict[int, date] = field(default_factory=dict)
    withheld: dict[int, date] = field(default_factory=dict)
    moved: dict[int, int] = field(default_factory=dict)  # period -> pence moved (less offset)


@dataclass
class ContributionM:
    budget: str
    option: int
    payee: str
    fund: str
    periods: list[tuple[date, date, int]]
    amount: int
    received: dict[int, int] = field(default_factory=dict)


@dataclass
class TopUpM:
    fund: str
    agreement: str | None
    received: list[tuple[date, int]] = field(default_factory=list)
    reversed: set[int] = field(default_factory=set)  # indexes into `received`


@dataclass
class Model:
    persons: dict[str, str] = field(default_factory=dict)  # person -> authority
    providers: dict[str, str] = field(default_factory=dict)  # provider -> framework
    budgets: dict[str, BudgetM] = field(default_factory=dict)
    choices: dict[str, list[tuple[date, int]]] = field(default_factory=dict)  # budget -> totals
    # budget -> each choice's allocations as (option, pence, named payee or None)
    allocs: dict[str, list[tuple[date, list[tuple[int, int, str | None]]]]] = field(
        default_factory=dict
    )
    agreements: dict[str, AgreementM] = field(default_factory=dict)
    cards: dict[str, CardM] = field(default_factory=dict)
    schedules: dict[str, ScheduleM] = field(default_factory=dict)
    topups: dict[str, TopUpM] = field(default_factory=dict)
    contributions: dict[str, ContributionM] = field(default_factory=dict)
    costs: dict[str, tuple[str, date, int]] = field(default_factory=dict)  # agreement, on, pence
    reversed_costs: set[str] = field(default_factory=set)
    movements: list[dict[str, tuple[date, int]]] = field(default_factory=list)

    # Queries

    def balance(self, account: str, on: date = FAR_FUTURE) -> int:
        return sum(p for m in self.movements if account in m for d, p in [m[account]] if d <= on)

    def dated_balances(self) -> dict[tuple[str, date], int]:
        """Every account's movements summed by effective day (zero sums left out)."""
        sums: dict[tuple[str, date], int] = {}
        for m in self.movements:
            for account, (day, p) in m.items():
                sums[account, day] = sums.get((account, day), 0) + p
        return {k: v for k, v in sums.items() if v != 0}

    def accounts(self) -> set[str]:
        return {account for m in self.movements for account in m}

    def allocated_on(self, budget_id: str, day: date) -> int:
        in_force = [total for eff, total in self.choices.get(budget_id, []) if eff <= day]
        return in_force[-1] if in_force else 0

    def allocations_fit(self, budget_id: str) -> bool:
        """On no day does the option choice in force allocate more than the budget then."""
        budget = self.budgets[budget_id]
        changes = sorted(
            {d for d, _ in budget.amounts} | {d for d, _ in self.choices.get(budget_id, [])}
        )
        return all(self.allocated_on(budget_id, d) <= budget.amount_on(d) for d in changes)

    def over_allocation(self, budget_id: str) -> bool:
        """Some schedule's yearly amount, with the others paid from the same part,
        is above the allocation (or, before any choice, the budget) in force on its
        first due day or on any later day the choice or the budget changes."""
        budget = self.budgets[budget_id]
        ours = [s for s in self.schedules.values() if s.budget == budget_id]
        paying = [k for k in self.contributions.values() if k.budget == budget_id]
        choices = self.allocs.get(budget_id, [])
        changes = [d for d, _ in budget.amounts] + [d for d, _ in choices]
        for s in ours:
            first = s.periods[0][0]
            for day in [first, *(d for d in changes if d > first)]:
                in_force = [a for d, a in choices if d <= day]
                allocs = in_force[-1] if in_force else []
                named = {p for _, _, p in allocs if p}
                if not allocs:
                    limit, peers, given = budget.amount_on(day), ours, paying
                elif s.payee in named:
                    limit = sum(a for _, a, p in allocs if p == s.payee)
                    peers = [x for x in ours if x.payee == s.payee]
                    given = [k for k in paying if k.payee == s.payee]
                else:
                    limit = sum(a for o, a, p in allocs if o == s.option and not p)
                    peers = [x for x in ours if x.option == s.option and x.payee not in named]
                    given = [k for k in paying if k.option == s.option and k.payee not in named]
                if sum(x.amount for x in peers) > limit - sum(k.amount for k in given):
                    return True
        return False

    def owed_back(self, schedule: ScheduleM, on: date) -> int:
        """What a schedule's fund owes back on `on`: an ISF's balance above 8 weeks
        of planned hours x rate (after an ending, the whole positive balance). The
        model opens no recover debts, and a card's balance is its imported
        transactions, of which it has none."""
        if schedule.option != 2:
            return 0
        agreement = self.agreements[schedule.payee]
        balance = self.balance(schedule.fund, on)
        ended = [self.budgets[schedule.budget].ended_on, agreement.terminated_on]
        if any(day is not None and day <= on for day in ended):
            return max(0, balance)
        return max(0, balance - 2 * agreement.planned * agreement.rate)  # 8 x quarters / 4

    def _agreement_on(self, c: dict[str, Any], day: str) -> tuple[AgreementM, date] | str:
        """The agreement a command names and the day in its field `day`; or why
        the command must be refused: an unknown agreement, or a day after its end."""
        agreement = self.agreements.get(c["agreement_id"])
        if agreement is None:
            return UNKNOWN
        on = date.fromisoformat(c[day])
        if agreement.after_end(on):
            return TERMINATED
        return agreement, on

    def _spread(
        self, c: dict[str, Any], payee: AgreementM | CardM | None, amount: int
    ) -> list[tuple[date, date, int]] | str:
        """The periods of a schedule or a contribution into `payee`, or why it
        must be refused."""
        budget = self.budgets.get(c["budget_id"])
        if budget is None or payee is None:
            return UNKNOWN
        if budget.ended_on is not None:
            return ENDED
        first_due = date.fromisoformat(c["first_due"])
        if not budget.within(first_due) or payee.budget != c["budget_id"]:
            return RULE
        spread = periods(first_due, c["frequency"], budget.end, amount)
        if spread[-1][2] < 0:  # a few pence, each period rounded up: the last below zero
            return RULE
        return spread

    def _claim(self, claims: dict[str, Any], ref: str, claim: Any, budget_id: str) -> str | None:
        """Keep a new schedule or contribution, unless it brings the budget's
        schedules above their bound."""
        claims[ref] = claim
        if self.over_allocation(budget_id):
            del claims[ref]
            return OVER_ALLOCATION
        return None

    # Commands

    def decide(self, cmd: dict[str, Any]) -> str | None:
        """None, and the command's effect recorded, or why the ledger must refuse it."""
        return getattr(self, f"_{cmd['type']}")(cmd)

    def _move(self, day: date, source: str, destination: str, amount: int) -> None:
        self.movements.append({source: (day, -amount), destination: (day, amount)})

    def _RegisterPerson(self, c: dict[str, Any]) -> str | None:
        if c["person_id"] in self.persons:
            return EXISTS
        self.persons[c["person_id"]] = c["authority"]
        return None

    def _RegisterProvider(self, c: dict[str, Any]) -> str | None:
        if c["provider_id"] in self.providers:
            return EXISTS
        if c["framework"] == "off" and not c.get("checks"):
            return RULE
        self.providers[c["provider_id"]] = c["framework"]
        return None

    def _ProposeBudget(self, c: dict[str, Any]) -> str | None:
        amount = pence_of(c["amount"])
        if amount is None or amount <= 0:
            return UNREADABLE
        if c["budget_id"] in self.budgets:
            return EXISTS
        if c["person_id"] not in self.persons:
            return UNKNOWN
        start = date.fromisoformat(c["start"])
        self.budgets[c["budget_id"]] = BudgetM(
            c["person_id"], start, budget_end(start), [(start, amount)]
        )
        return None

    def _AgreeBudget(self, c: dict[str, Any]) -> str | None:
        budget = self.budgets.get(c["budget_id"])
        if budget is None:
            return UNKNOWN
        if budget.ended_on is not None:
            return ENDED
        if budget.agreed_on is not None:
            return RULE
        budget.agreed_on = date.fromisoformat(c["agreed_on"])
        return None

    def _ReviseBudget(self, c: dict[str, Any]) -> str | None:
        amount = pence_of(c["amount"])
        if amount is None or amount <= 0:
            return UNREADABLE
        budget = self.budgets.get(c["budget_id"])
        if budget is None:
            return UNKNOWN
        if budget.ended_on is not None:
            return ENDED
        effective = date.fromisoformat(c["effective"])
        if not budget.within(effective):
            return RULE
        budget.amounts.append((effective, amount))
        if not self.allocations_fit(c["budget_id"]):
            budget.amounts.pop()
            return OVER_BUDGET
        if self.over_allocation(c["budget_id"]):
            budget.amounts.pop()
            return OVER_ALLOCATION
        return None

    def _EndBudget(self, c: dict[str, Any]) -> str | None:
        budget = self.budgets.get(c["budget_id"])
        if budget is None:
            return UNKNOWN
        if budget.ended_on is not None:
            return ENDED
        ended_on = date.fromisoformat(c["ended_on"])
        if ended_on < budget.start:
            return RULE
        budget.ended_on = ended_on
        return None

    def _ChooseOptions(self, c: dict[str, Any]) -> str | None:
        allocations = c["allocations"]
        amounts = [pence_of(a["amount"]) for a in allocations]
        if not allocations or None in amounts:
            return UNREADABLE
        budget = self.budgets.get(c["budget_id"])
        if budget is None:
            return UNKNOWN
        if any(a.get("agreement_id", "") not in ("", *self.agreements) for a in allocations):
            return UNKNOWN
        if any(a.get("card_id", "") not in ("", *self.cards) for a in allocations):
            return UNKNOWN
        effective = date.fromisoformat(c["effective"])
        earlier = self.choices.get(c["budget_id"], [])
        if earlier and effective <= earlier[-1][0]:
            return RULE
        if budget.ended_on is not None:
            return ENDED
        if not budget.within(effective):
            return RULE
        payees = [a.get("agreement_id") or a.get("card_id") for a in allocations]
        named = [p for p in payees if p]
        if len(named) != len(set(named)) or any(p <= 0 for p in amounts):  # type: ignore[operator]
            return RULE
        for a in allocations:
            if "agreement_id" in a and (
                a["option"] != 2 or self.agreements[a["agreement_id"]].budget != c["budget_id"]
            ):
                return RULE
            if "card_id" in a and (
                a["option"] != 1 or self.cards[a["card_id"]].budget != c["budget_id"]
            ):
                return RULE
        self.choices[c["budget_id"]] = [*earlier, (effective, sum(amounts))]  # type: ignore[arg-type]
        earlier_allocs = self.allocs.get(c["budget_id"], [])
        parts = [
            (a["option"], pence_of(a["amount"]), a.get("agreement_id") or a.get("card_id"))
            for a in allocations
        ]
        self.allocs[c["budget_id"]] = [*earlier_allocs, (effective, parts)]  # type: ignore[list-item]
        refused = None
        if not self.allocations_fit(c["budget_id"]):
            refused = OVER_BUDGET
        elif self.over_allocation(c["budget_id"]):
            refused = OVER_ALLOCATION
        if refused is not None:
            self.allocs[c["budget_id"]] = earlier_allocs
            if earlier:
                self.choices[c["budget_id"]] = earlier
            else:
                del self.choices[c["budget_id"]]
        return refused

    def _DraftAgreement(self, c: dict[str, Any]) -> str | None:
        rate = pence_of(c["hourly_rate"])
        if rate is None or rate <= 0 or not DECIMAL.match(c["planned_weekly_hours"]):
            return UNREADABLE
        if c["agreement_id"] in self.agreements:
            return EXISTS
        budget = self.budgets.get(c["budget_id"])
        if budget is None or c["provider_id"] not in self.providers:
            return UNKNOWN
        if budget.ended_on is not None:
            return ENDED
        start = date.fromisoformat(c["start"])
        if not budget.within(start):
            return RULE
        planned = quarters_of(c["planned_weekly_hours"])
        cap = quarters_of(c.get("flex_cap_hours", "3.5"))
        if planned is None or cap is None:
            return QUARTER
        if planned == 0:
            return RULE
        self.agreements[c["agreement_id"]] = AgreementM(
            c["budget_id"], c["provider_id"], self.persons[budget.person], start, rate, planned, cap
        )
        return None

    def _SignAgreement(self, c: dict[str, Any]) -> str | None:
        found = self._agreement_on(c, "signed_on")
        if isinstance(found, str):
            return found
        agreement, signed_on = found
        if c["party"] in agreement.signed:
            return RULE
        agreement.signed[c["party"]] = signed_on
        return None

    def _TerminateAgreement(self, c: dict[str, Any]) -> str | None:
        # As the code stands, payments and top-ups already recorded after `on`
        # do not stop a backdated termination (see the final report).
        found = self._agreement_on(c, "on")
        if isinstance(found, str):
            return found
        agreement, on = found
        if agreement.terminated_on is not None or on < agreement.start:
            return RULE
        # Money may still move on the day itself.
        later = [w for w in agreement.weeks if w > on] + [d for d in agreement.cost_days if d > on]
        if later or any(d > on for d in agreement.recovery_days):
            return RULE
        agreement.terminated_on = on
        return None

    def _flex_decidable(self, c: dict[str, Any]) -> tuple[AgreementM, date] | str:
        """The agreement and week of a flex decision, or why it must be refused:
        not a Monday, decided already, or hours recorded with none awaiting."""
        found = self._agreement_on(c, "week_start")
        if isinstance(found, str):
            return found
        agreement, week = found
        if week.weekday() != 0 or week in agreement.approvals or week in agreement.declines:
            return RULE
        if week in agreement.weeks and not agreement.awaiting(week):
            return RULE
        return agreement, week

    def _ApproveFlex(self, c: dict[str, Any]) -> str | None:
        found = self._flex_decidable(c)
        if isinstance(found, str):
            return found
        agreement, week = found
        if week in agreement.weeks:
            late = week_charge(agreement.hours[week], agreement.rate) - agreement.weeks[week]
            agreement.weeks[week] += late
            self._move(week, f"isf:{c['agreement_id']}", f"support:{agreement.provider}", late)
        agreement.approvals.add(week)
        return None

    def _DeclineFlex(self, c: dict[str, Any]) -> str | None:
        found = self._flex_decidable(c)
        if isinstance(found, str):
            return found
        found[0].declines.add(found[1])
        return None

    def _RecordHours(self, c: dict[str, Any]) -> str | None:
        if not isinstance(c["delivered_hours"], str) or not DECIMAL.match(c["delivered_hours"]):
            return UNREADABLE
        if Decimal(c["delivered_hours"]) < 0:
            return UNREADABLE
        found = self._agreement_on(c, "week_start")
        if isinstance(found, str):
            return found
        agreement, week = found
        if week.weekday() != 0:
            return RULE
        quarters = quarters_of(c["delivered_hours"])
        if quarters is None:
            return QUARTER
        if not agreement.in_force(agreement.week_day(week)):
            return NOT_ACTIVE
        if week in agreement.weeks:
            return RULE
        # Hours above plan + cap are recorded, but charged only once approved.
        charged = quarters
        if week not in agreement.approvals:
            charged = min(quarters, agreement.planned + agreement.cap)
        charge = week_charge(charged, agreement.rate)
        agreement.weeks[week] = charge
        agreement.hours[week] = quarters
        self._move(week, f"isf:{c['agreement_id']}", f"support:{agreement.provider}", charge)
        return None

    def _RecordCost(self, c: dict[str, Any]) -> str | None:
        amount = pence_of(c["amount"])
        if amount is None or amount <= 0:
            return UNREADABLE
        if c["agreement_id"] not in self.agreements:
            return UNKNOWN
        if c.get("cost_id") in self.costs:
            return EXISTS
        found = self._agreement_on(c, "on")
        if isinstance(found, str):
            return found
        agreement, on = found
        if not agreement.in_force(on):
            return NOT_ACTIVE
        agreement.cost_days.append(on)
        if "cost_id" in c:
            self.costs[c["cost_id"]] = (c["agreement_id"], on, amount)
        self._move(on, f"isf:{c['agreement_id']}", f"costs:{c['agreement_id']}", amount)
        return None

    # Corrections: new facts, effective on the original's own date.

    def _CorrectHours(self, c: dict[str, Any]) -> str | None:
        """The week's charge becomes what the new hours would have charged; the
        difference moves on the week's Monday."""
        week, quarters = date.fromisoformat(c["week_start"]), quarters_of(c["delivered_hours"])
        agreement = self.agreements.get(c["agreement_id"])
        if agreement is None:
            return UNKNOWN
        if agreement.after_end(week):
            return TERMINATED
        if quarters is None:
            return QUARTER
        if week not in agreement.weeks or quarters == agreement.hours[week]:
            return RULE
        charged = quarters
        if week not in agreement.approvals:
            charged = min(quarters, agreement.planned + agreement.cap)
        difference = week_charge(charged, agreement.rate) - agreement.weeks[week]
        agreement.weeks[week] += difference
        agreement.hours[week] = quarters
        self._move(week, f"isf:{c['agreement_id']}", f"support:{agreement.provider}", difference)
        return None

    def _ReverseCost(self, c: dict[str, Any]) -> str | None:
        if c["cost_id"] not in self.costs:
            return UNKNOWN
        agreement, charged_on, amount = self.costs[c["cost_id"]]
        if c["cost_id"] in self.reversed_costs or date.fromisoformat(c["on"]) < charged_on:
            return RULE
        self.reversed_costs.add(c["cost_id"])
        self._move(charged_on, f"costs:{agreement}", f"isf:{agreement}", amount)
        return None

    def _ReverseTopUp(self, c: dict[str, Any]) -> str | None:
        """The earliest receipt of the day not yet reversed goes back to the payer."""
        received_on, on = date.fromisoformat(c["received_on"]), date.fromisoformat(c["on"])
        topup = self.topups.get(c["topup_id"])
        if topup is None:
            return UNKNOWN
        left = [
            n for n, (d, _) in enumerate(topup.received) if d == received_on
            if n not in topup.reversed
        ]  # fmt: skip
        if not left or on < received_on:
            return RULE
        topup.reversed.add(left[0])
        amount = topup.received[left[0]][1]
        self._move(received_on, topup.fund, f"topup:{c['topup_id']}", amount)
        return None

    def _RecoverSurplus(self, c: dict[str, Any]) -> str | None:
        amount = pence_of(c["amount"])
        if amount is None or amount <= 0:
            return UNREADABLE
        on = date.fromisoformat(c["on"])
        if "agreement_id" in c:
            found = self._agreement_on(c, "on")
            if isinstance(found, str):
                return found
            agreement = found[0]
            fund, authority = f"isf:{c['agreement_id']}", agreement.authority
        else:
            card = self.cards.get(c["card_id"])
            if card is None:
                return UNKNOWN
            fund, authority = f"card:{c['card_id']}", card.authority
        # A card's balance is what its imported transactions leave; the model
        # imports none, so every recovery from a card is over its balance.
        available = self.balance(fund, on) if "agreement_id" in c else 0
        if amount > available:
            return OVER_BALANCE
        if "agreement_id" in c:
            agreement.recovery_days.append(on)
        self._move(on, fund, f"council:{authority}", amount)
        return None

    def _IssueCard(self, c: dict[str, Any]) -> str | None:
        if c["card_id"] in self.cards:
            return EXISTS
        budget = self.budgets.get(c["budget_id"])
        if c["person_id"] not in self.persons or budget is None:
            return UNKNOWN
        if budget.person != c["person_id"]:
            return RULE
        if budget.ended_on is not None:
            return ENDED
        self.cards[c["card_id"]] = CardM(
            c["person_id"], c["budget_id"], self.persons[c["person_id"]]
        )
        return None

    def _SchedulePayments(self, c: dict[str, Any]) -> str | None:
        amount = pence_of(c["amount"])
        if amount is None or amount <= 0:
            return UNREADABLE
        if c["schedule_id"] in self.schedules:
            return EXISTS
        payees: dict[str, Any] = self.agreements if c["option"] == 2 else self.cards
        spread = self._spread(c, payees.get(c["payee"]), amount)
        if isinstance(spread, str):
            return spread
        fund = f"isf:{c['payee']}" if c["option"] == 2 else f"card:{c['payee']}"
        person = self.budgets[c["budget_id"]].person
        schedule = ScheduleM(
            c["budget_id"], c["option"], c["payee"], fund, self.persons[person], spread, amount
        )
        return self._claim(self.schedules, c["schedule_id"], schedule, c["budget_id"])

    def _RecordPayment(self, c: dict[str, Any]) -> str | None:
        schedule = self.schedules.get(c["schedule_id"])
        if schedule is None:
            return UNKNOWN
        number, paid_on = c["period"], date.fromisoformat(c["paid_on"])
        if number > len(schedule.periods):
            return RULE
        if number in schedule.paid:
            return PAID_TWICE
        if number in schedule.withheld:
            return RULE
        ended_on = self.budgets[schedule.budget].ended_on
        if ended_on is not None and paid_on > ended_on:
            return ENDED
        if schedule.option == 2 and not self.agreements[schedule.payee].in_force(paid_on):
            return NOT_ACTIVE
        start = schedule.periods[number - 1][0]
        if ended_on is not None and start > ended_on:
            return ENDED
        if schedule.option == 2:
            terminated_on = self.agreements[schedule.payee].terminated_on
            if terminated_on is not None and start > terminated_on:
                return TERMINATED
        amount = schedule.periods[number - 1][2]
        offset = pence_of(c.get("offset", "0.00"))
        if offset is None or offset < 0:
            return UNREADABLE
        if offset > amount:
            return RULE
        if offset > self.owed_back(schedule, paid_on):
            return OVER_OWED
        schedule.paid[number] = paid_on
        schedule.moved[number] = amount - offset
        self._move(paid_on, f"council:{schedule.authority}", schedule.fund, amount - offset)
        return None

    def _ReviseSchedule(self, c: dict[str, Any]) -> str | None:
        amount = pence_of(c["amount"])
        if amount is None or amount < 0:
            return UNREADABLE
        schedule = self.schedules.get(c["schedule_id"])
        if schedule is None:
            return UNKNOWN
        budget = self.budgets[schedule.budget]
        effective = date.fromisoformat(c["effective"])
        if budget.ended_on is not None and effective > budget.ended_on:
            return ENDED
        if not budget.within(effective):
            return RULE
        keep = {
            n
            for n, (start, _, _) in enumerate(schedule.periods, start=1)
            if n in schedule.paid or n in schedule.withheld or start < effective
        }
        spread = respread(schedule.periods, keep, amount, budget.end)
        if spread is None:
            return RULE
        before = (schedule.periods, schedule.amount)
        schedule.periods, schedule.amount = spread, amount
        if self.over_allocation(schedule.budget):
            schedule.periods, schedule.amount = before
            return OVER_ALLOCATION
        return None

    def _AssessContribution(self, c: dict[str, Any]) -> str | None:
        amount = pence_of(c["amount"])
        if amount is None or amount <= 0:
            return UNREADABLE
        if c["contribution_id"] in self.contributions:
            return EXISTS
        payee = self.agreements.get(c["payee"]) or self.cards.get(c["payee"])
        spread = self._spread(c, payee, amount)
        if isinstance(spread, str):
            return spread
        option = 2 if c["payee"] in self.agreements else 1
        fund = f"isf:{c['payee']}" if option == 2 else f"card:{c['payee']}"
        contribution = ContributionM(c["budget_id"], option, c["payee"], fund, spread, amount)
        return self._claim(self.contributions, c["contribution_id"], contribution, c["budget_id"])

    def _RecordContribution(self, c: dict[str, Any]) -> str | None:
        amount = pence_of(c["amount"])
        if amount is None or amount <= 0:
            return UNREADABLE
        k = self.contributions.get(c["contribution_id"])
        if k is None:
            return UNKNOWN
        number = c["period"]
        if number > len(k.periods):
            return RULE
        if amount > k.periods[number - 1][2] - k.received.get(number, 0):
            return RULE
        received_on = date.fromisoformat(c["received_on"])
        if k.option == 2 and self.agreements[k.payee].after_end(received_on):
            return TERMINATED
        k.received[number] = k.received.get(number, 0) + amount
        self._move(received_on, f"contribution:{c['contribution_id']}", k.fund, amount)
        return None

    def _WithholdPayment(self, c: dict[str, Any]) -> str | None:
        schedule = self.schedules.get(c["schedule_id"])
        if schedule is None:
            return UNKNOWN
        number = c["period"]
        if number > len(schedule.periods) or number in schedule.paid or number in schedule.withheld:
            return RULE
        schedule.withheld[number] = date.fromisoformat(c["on"])
        return None

    def _ReversePayment(self, c: dict[str, Any]) -> str | None:
        schedule = self.schedules.get(c["schedule_id"])
        if schedule is None:
            return UNKNOWN
        number = c["period"]
        if number > len(schedule.periods) or number not in schedule.paid:
            return RULE
        del schedule.paid[number]
        amount = schedule.moved.pop(number)
        self._move(
            date.fromisoformat(c["on"]), schedule.fund, f"council:{schedule.authority}", amount
        )
        return None

    def _AgreeTopUp(self, c: dict[str, Any]) -> str | None:
        amount = pence_of(c["amount_per_period"])
        if amount is None or amount <= 0:
            return UNREADABLE
        if c["topup_id"] in self.topups:
            return EXISTS
        if "agreement_id" in c:
            if c["agreement_id"] not in self.agreements:
                return UNKNOWN
            self.topups[c["topup_id"]] = TopUpM(f"isf:{c['agreement_id']}", c["agreement_id"])
        else:
            if c["card_id"] not in self.cards:
                return UNKNOWN
            self.topups[c["topup_id"]] = TopUpM(f"card:{c['card_id']}", None)
        return None

    def _RecordTopUp(self, c: dict[str, Any]) -> str | None:
        amount = pence_of(c["amount"])
        if amount is None or amount <= 0:
            return UNREADABLE
        topup = self.topups.get(c["topup_id"])
        if topup is None:
            return UNKNOWN
        received_on = date.fromisoformat(c["received_on"])
        if topup.agreement is not None and self.agreements[topup.agreement].after_end(received_on):
            return TERMINATED
        topup.received.append((received_on, amount))
        self._move(received_on, f"topup:{c['topup_id']}", topup.fund, amount)
        return None
