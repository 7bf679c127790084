"""Commands as they arrive: JSON objects checked into typed values at the edge.

The domain never parses text. Each command type here is a pydantic model that
turns the contract's strings into `Decimal`, `date` and ids, or says plainly
which field is wrong and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from isf_ledger.adapters.card_files.cells import mask_card_numbers
from isf_ledger.adapters.identifiers import ID_PATTERN
from isf_ledger.domain.money import MoneyError, money, within_limit

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DECIMAL_PATTERN = re.compile(r"^-?\d+(\.\d+)?$")


def _id(value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise ValueError("must be 1-64 characters of A-Z a-z 0-9 . _ : -")
    return value


def _shaped(value: Any, pattern: re.Pattern[str], wanted: str) -> str:
    """The value, if it is text of the pattern's shape; else "must be <wanted>, not <value>"."""
    if not isinstance(value, str) or not pattern.match(value):
        raise ValueError(f"must be {wanted}, not {value!r}")
    return value


def _rule(holds: Callable[[Decimal], bool], refusal: str) -> AfterValidator:
    """A check on a number already read, refused in the words given."""

    def check(number: Decimal) -> Decimal:
        if not holds(number):
            raise ValueError(refusal)
        return number

    return AfterValidator(check)


def _money(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise ValueError(f'must be money as a decimal string like "12.50", not {value!r}')
    if not DECIMAL_PATTERN.match(value):
        raise ValueError(f'{value!r} is not money: write it like "1234.50"')
    try:
        return within_limit(money(value))
    except MoneyError as e:
        raise ValueError(str(e)) from None


def _hours(value: Any) -> Decimal:
    return Decimal(_shaped(value, DECIMAL_PATTERN, 'hours as a decimal string like "37.5"'))


def _date(value: Any) -> date:
    text = _shaped(value, DATE_PATTERN, "a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _text(value: Any) -> str:
    """Free text, with any full card number in it cut to its last four digits.

    NUL and lone surrogates (which JSON's \\u escapes can spell) are refused:
    PostgreSQL cannot store the one, and UTF-8 cannot encode the other.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be some text")
    if found := UNSTORABLE.search(value):
        raise ValueError(f"holds the character U+{ord(found.group()):04X}, which is not text")
    return mask_card_numbers(value)


def _digits(value: Any) -> str:
    """Digits as text, spaces and dashes dropped (`12-34-56`); never echoed back."""
    if not isinstance(value, str):
        raise ValueError("must be digits written as a string")
    return value.replace(" ", "").replace("-", "")


Id = Annotated[str, BeforeValidator(_id)]
Money = Annotated[Decimal, BeforeValidator(_money)]
PositiveMoney = Annotated[Money, _rule(lambda amount: amount > 0, "must be more than zero")]
NotNegativeMoney = Annotated[Money, _rule(lambda amount: amount >= 0, "cannot be below zero")]
Hours = Annotated[
    Decimal, BeforeValidator(_hours), _rule(lambda hours: hours >= 0, "hours cannot be negative")
]
Day = Annotated[date, BeforeValidator(_date)]
Text = Annotated[str, BeforeValidator(_text)]
Count = Annotated[int, Field(strict=True, ge=1)]


class Strict(BaseModel):
    """A record read from outside: no field it does not know, and no changes after."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Command(Strict):
    """Fields every command has: who asked, why, and a caller-chosen id."""

    command_id: Id
    type: str
    actor: Text | None = None
    reason: Text | None = None


class RegisterPerson(Command):
    type: Literal["RegisterPerson"]
    person_id: Id
    authority: Id
    name: Text | None = None


class ForgetPerson(Command):
    """Not in the contract's table: made by `isf-ledger forget person`."""

    type: Literal["ForgetPerson"]
    person_id: Id


class RegisterProvider(Command):
    type: Literal["RegisterProvider"]
    provider_id: Id
    name: Text
    framework: Literal["on", "off"]
    checks: tuple[Text, ...] = ()


class ProposeBudget(Command):
    type: Literal["ProposeBudget"]
    budget_id: Id
    person_id: Id
    start: Day
    amount: PositiveMoney
    method: Literal["RAS", "equivalency", "negotiated"]


class AgreeBudget(Command):
    type: Literal["AgreeBudget"]
    budget_id: Id
    agreed_on: Day


class ReviseBudget(Command):
    type: Literal["ReviseBudget"]
    budget_id: Id
    amount: PositiveMoney
    effective: Day
    reason: Text


class EndBudget(Command):
    type: Literal["EndBudget"]
    budget_id: Id
    ended_on: Day


class Allocation(Strict):
    option: Literal[1, 2, 3]
    amount: Money
    agreement_id: Id | None = None
    card_id: Id | None = None


class ChooseOptions(Command):
    type: Literal["ChooseOptions"]
    budget_id: Id
    effective: Day
    allocations: tuple[Allocation, ...] = Field(min_length=1)


class DraftAgreement(Command):
    type: Literal["DraftAgreement"]
    agreement_id: Id
    budget_id: Id
    provider_id: Id
    start: Day
    hourly_rate: PositiveMoney
    planned_weekly_hours: Hours
    payment_frequency: Literal["4-weekly", "monthly"]
    flex_cap_hours: Hours = Decimal("3.5")
    review_weeks: Count = 4
    surplus_weeks: Count = 8


class SignAgreement(Command):
    type: Literal["SignAgreement"]
    agreement_id: Id
    party: Literal["authority", "person", "provider"]
    signed_on: Day


class VaryAgreement(Command):
    type: Literal["VaryAgreement"]
    agreement_id: Id
    effective: Day
    hourly_rate: PositiveMoney | None = None
    planned_weekly_hours: Hours | None = None
    flex_cap_hours: Hours | None = None


class AgreementOnDay(Command):
    """What suspending, resuming and terminating an agreement each take."""

    agreement_id: Id
    on: Day


class SuspendAgreement(AgreementOnDay):
    type: Literal["SuspendAgreement"]


class ResumeAgreement(AgreementOnDay):
    type: Literal["ResumeAgreement"]


class TerminateAgreement(AgreementOnDay):
    type: Literal["TerminateAgreement"]


class IssueCard(Command):
    type: Literal["IssueCard"]
    card_id: Id
    person_id: Id
    budget_id: Id
    last4: Annotated[str, Field(pattern=r"^\d{4}$")]


class SchedulePayments(Command):
    type: Literal["SchedulePayments"]
    schedule_id: Id
    budget_id: Id
    option: Literal[1, 2]
    payee: Id
    frequency: Literal["4-weekly", "monthly"]
    first_due: Day
    amount: PositiveMoney


class RunLine(Strict):
    """One period a payment run paid, and the bank account it paid (if any)."""

    schedule_id: Id
    period: Count
    account_id: Id | None = None


class RecordPayment(Command):
    type: Literal["RecordPayment"]
    schedule_id: Id
    period: Count
    paid_on: Day
    offset: NotNegativeMoney = Decimal("0.00")


class ReviseSchedule(Command):
    type: Literal["ReviseSchedule"]
    schedule_id: Id
    effective: Day
    amount: NotNegativeMoney


class AssessContribution(Command):
    type: Literal["AssessContribution"]
    contribution_id: Id
    budget_id: Id
    payee: Id
    frequency: Literal["4-weekly", "monthly"]
    first_due: Day
    amount: PositiveMoney


class RecordContribution(Command):
    type: Literal["RecordContribution"]
    contribution_id: Id
    period: Count
    received_on: Day
    amount: PositiveMoney


class PeriodDecision(Command):
    """What withholding a period's payment and reversing it each take."""

    schedule_id: Id
    period: Count
    on: Day
    reason: Text


class WithholdPayment(PeriodDecision):
    type: Literal["WithholdPayment"]


class ReversePayment(PeriodDecision):
    type: Literal["ReversePayment"]


class AgreeTopUp(Command):
    type: Literal["AgreeTopUp"]
    topup_id: Id
    agreement_id: Id | None = None
    card_id: Id | None = None
    payer: Literal["person", "family", "third-party"]
    amount_per_period: PositiveMoney
    reason: Text
    kind: Literal["top-up", "contribution"] = "top-up"


class RecordTopUp(Command):
    type: Literal["RecordTopUp"]
    topup_id: Id
    received_on: Day
    amount: PositiveMoney


class RecordHours(Command):
    type: Literal["RecordHours"]
    agreement_id: Id
    week_start: Day
    delivered_hours: Hours


class ApproveFlex(Command):
    type: Literal["ApproveFlex"]
    agreement_id: Id
    week_start: Day
    approved_by: Text


class DeclineFlex(Command):
    type: Literal["DeclineFlex"]
    agreement_id: Id
    week_start: Day
    declined_by: Text
    reason: Text


class RecordCost(Command):
    type: Literal["RecordCost"]
    agreement_id: Id
    on: Day
    amount: PositiveMoney
    description: Text
    cost_id: Id | None = None


class RecoverSurplus(Command):
    type: Literal["RecoverSurplus"]
    agreement_id: Id | None = None
    card_id: Id | None = None
    on: Day
    amount: PositiveMoney
    reason: Text


class RegisterBankAccount(Command):
    """Bank details: checked for shape by the domain, sealed before any event holds them."""

    type: Literal["RegisterBankAccount"]
    account_id: Id
    owner: Id
    sort_code: Annotated[str, BeforeValidator(_digits)]
    account_number: Annotated[str, BeforeValidator(_digits)]
    account_name: Text


class RecordPaymentRun(Command):
    """Made by `isf-ledger payments run`: the run, its window and what it paid."""

    type: Literal["RecordPaymentRun"]
    run_id: Id
    period_from: Day
    period_to: Day
    paid_on: Day
    lines: tuple[RunLine, ...]


class CorrectHours(Command):
    type: Literal["CorrectHours"]
    agreement_id: Id
    week_start: Day
    delivered_hours: Hours
    reason: Text


class ReverseCost(Command):
    type: Literal["ReverseCost"]
    cost_id: Id
    on: Day
    reason: Text


class ReverseTopUp(Command):
    type: Literal["ReverseTopUp"]
    topup_id: Id
    received_on: Day
    on: Day
    reason: Text


class ResolveException(Command):
    type: Literal["ResolveException"]
    exception_id: Id
    outcome: Literal["explained", "recover", "write-off"]
    reason: Text
    amount: PositiveMoney | None = None


COMMAND_TYPES: dict[str, type[Command]] = {
    cls.__name__: cls
    for cls in (
        RegisterPerson, ForgetPerson, RegisterProvider, ProposeBudget, AgreeBudget,
        ReviseBudget, EndBudget,
        ChooseOptions, DraftAgreement, SignAgreement, VaryAgreement, SuspendAgreement,
        ResumeAgreement, TerminateAgreement, IssueCard, SchedulePayments, RecordPayment,
        WithholdPayment, ReversePayment, AgreeTopUp, RecordTopUp, RecordHours, ApproveFlex,
        RecordCost, RecoverSurplus, RegisterBankAccount, RecordPaymentRun, ReviseSchedule,
        AssessContribution, RecordContribution, DeclineFlex,
        CorrectHours, ReverseCost, ReverseTopUp, ResolveException,
    )
}  # fmt: skip


class CommandError(ValueError):
    """A command line that is not a well-formed command; `problems` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_command(obj: Any) -> Command:
    """A typed command from a decoded JSON object, or a `CommandError`."""
    if not isinstance(obj, dict):
        raise CommandError(["each line must be a JSON object"])
    kind = obj.get("type")
    if not isinstance(kind, str) or kind not in COMMAND_TYPES:
        known = ", ".join(sorted(COMMAND_TYPES))
        raise CommandError([f"unknown command type {kind!r} (known: {known})"])
    try:
        return COMMAND_TYPES[kind].model_validate(obj)
    except ValidationError as e:
        raise CommandError([_plain(err) for err in e.errors()]) from None


def _plain(err: Any) -> str:
    """One pydantic error in words: which field, what is wrong."""
    field = ".".join(str(part) for part in err["loc"]) or "command"
    kind = err["type"]
    if kind == "missing":
        return f"missing field '{field}'"
    if kind == "extra_forbidden":
        return f"unexpected field '{field}'"
    if kind == "literal_error":
        return f"{field}: {err['msg'].replace('Input should be', 'must be')}"
    message = str(err["msg"]).removeprefix("Value error, ").replace("Input should be", "must be")
    return f"{field}: {message}"
