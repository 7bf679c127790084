"""A top-up (or an assessed contribution) paid into an ISF or onto a card.

It is agreed first (who pays, how much a period, why) and then received. It
adds to the fund but is never the council's money: its legs come from the
payer's own account, `topup:<topup_id>`, never from a council account.
Choices:
- a top-up names exactly one fund, an agreement's ISF or a card;
- an assessed contribution is paid by the person, never by family or others;
- money for an ISF cannot arrive after the agreement was terminated (on the
  day of termination it still can); a card, with no cancellation, always can;
- the amount received may differ from the amount agreed per period;
- a receipt can be reversed once, effective on the day it was received (of
  several receipts on one day, the earliest not yet reversed);
- a top-up into an ISF is due once a payment period of its agreement (from
  the agreement's start, at its payment frequency), from the period it began
  in (its first receipt, or the day it was agreed if that is earlier) until
  the agreement is terminated; arrears are what is due less what was received.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Protocol

from eventsourcing.domain import event

from isf_ledger.domain import ledger
from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.money import ZERO
from isf_ledger.domain.periods import starts_until
from isf_ledger.domain.reversal import check_reversal

PAYERS = ("person", "family", "third-party")
KINDS = ("top-up", "contribution")


class Fund(Protocol):
    """What a top-up is paid into: an agreement (its ISF) or a card."""

    KIND: ClassVar[str]
    ref: str
    person_id: str
    budget_id: str


class TopUp(LedgerAggregate):
    KIND = "topup"

    @staticmethod
    def create_id(topup_id: str, **_: object) -> object:  # type: ignore[override]
        return TopUp.id_for(topup_id)

    @staticmethod
    def check_one_fund(topup_id: str, agreement_id: str | None, card_id: str | None) -> None:
        """A top-up goes into one fund: refuse naming both or neither."""
        if (agreement_id is None) == (card_id is None):
            raise RuleBroken(f"top-up {topup_id}: name either agreement_id or card_id")

    @classmethod
    def agree(
        cls,
        topup_id: str,
        into: Fund,
        payer: str,
        amount_per_period: Decimal,
        reason: str,
        kind: str,
        command_id: str,
    ) -> TopUp:
        """Who will pay how much a period into `into` (an agreement or a card), and why."""
        if into.KIND not in ("agreement", "card"):
            raise RuleBroken(
                f"top-up {topup_id}: a top-up is paid into an agreement's ISF or onto a card, "
                f"not into a {into.KIND}"
            )
        if payer not in PAYERS:
            raise RuleBroken(f"top-up {topup_id}: payer must be one of {', '.join(PAYERS)}")
        if kind not in KINDS:
            raise RuleBroken(f"top-up {topup_id}: kind must be one of {', '.join(KINDS)}")
        if kind == "contribution" and payer != "person":
            raise RuleBroken(
                f"top-up {topup_id}: an assessed contribution is paid by the person, not by "
                f"the {payer}"
            )
        if amount_per_period <= 0:
            raise RuleBroken(f"top-up {topup_id}: the amount per period must be more than zero")
        return cls(
            topup_id=topup_id,
            person_id=into.person_id,
            budget_id=into.budget_id,
            agreement_id=into.ref if into.KIND == "agreement" else None,
            card_id=into.ref if into.KIND == "card" else None,
            payer=payer,
            amount_per_period=amount_per_period,
            reason=reason,
            kind=kind,
            command_id=command_id,
        )

    @event("Agreed")
    def __init__(
        self,
        topup_id: str,
        person_id: str,
        budget_id: str,
        agreement_id: str | None,
        card_id: str | None,
        payer: str,
        amount_per_period: Decimal,
        reason: str,
        kind: str,
        command_id: str,
        effective: None = None,
    ) -> None:
        self.ref = topup_id
        self.person_id = person_id
        self.budget_id = budget_id
        self.agreement_id = agreement_id
        self.card_id = card_id
        self.fund = ledger.isf(agreement_id) if agreement_id else ledger.card(str(card_id))
        self.payer = payer
        self.kind = kind
        self.amount_per_period = amount_per_period
        self.received: list[tuple[date, Decimal, str]] = []  # day, amount, command
        self.reversed: dict[str, str] = {}  # receiving command -> reversing command

    # Rules

    def check_is_fund(self, into: Fund) -> None:
        expected = ("agreement", self.agreement_id) if self.agreement_id else ("card", self.card_id)
        if (into.KIND, into.ref) != expected:
            raise RuleBroken(
                f"top-up {self.ref} is paid into {expected[0]} {expected[1]}, "
                f"not {into.KIND} {into.ref}"
            )

    # Arrears

    def received_by(self, day: date) -> Decimal:
        """What arrived by `day`, less receipts taken back."""
        kept = (amount for on, amount, by in self.received if on <= day and by not in self.reversed)
        return sum(kept, ZERO)

    def arrears_by(self, day: date, agreement: Agreement) -> Decimal:
        """What is due into the agreement's ISF by `day` (see the module's note) less
        what was received; zero for a top-up onto a card or an assessed contribution."""
        if self.kind != "top-up" or agreement.ref != self.agreement_id:
            return ZERO
        began = min([self.created_on.date(), *(on for on, _, _ in self.received)])
        until = min(day, agreement.terminated_on or day)
        frequency = agreement.payment_frequency
        # The period it began in: before it, nothing was due.
        first = max(starts_until(agreement.start, frequency, began), default=agreement.start)
        starts = starts_until(agreement.start, frequency, until)
        due = self.amount_per_period * sum(1 for s in starts if s >= first)
        return max(ZERO, due - self.received_by(day))

    # Commands

    def receive(self, received_on: date, amount: Decimal, into: Fund, command_id: str) -> None:
        """The payer's money arrives in the fund; `into` is the agreement or the card."""
        if amount <= 0:
            raise RuleBroken(f"top-up {self.ref}: the amount received must be more than zero")
        self.check_is_fund(into)
        if isinstance(into, Agreement):
            into.check_not_after_end(received_on)
        self._received(
            amount=amount,
            legs=ledger.transfer(ledger.topup(self.ref), self.fund, amount),
            effective=received_on,
            command_id=command_id,
        )

    @event("TopUpReceived")
    def _received(
        self, amount: Decimal, legs: dict[str, Decimal], effective: date, command_id: str
    ) -> None:
        self.received.append((effective, amount, command_id))

    def reverse(self, received_on: date, on: date, reason: str, command_id: str) -> None:
        """Take a receipt back out of the fund, effective on the day it arrived;
        `on` is when the reversal was decided."""
        receipts = [r for r in self.received if r[0] == received_on]
        if not receipts:
            raise RuleBroken(f"top-up {self.ref} has no receipt on {received_on} to reverse")
        left = [r for r in receipts if r[2] not in self.reversed]
        check_reversal(
            f"top-up {self.ref}: the receipt of {received_on}",
            None if left else self.reversed[receipts[-1][2]],
            received_on,
            on,
            "it arrived",
        )
        _, amount, recorded_by = left[0]
        self._reversed(
            amount=amount,
            reversed_on=on,
            reason=reason,
            corrects=recorded_by,
            legs=ledger.transfer(self.fund, ledger.topup(self.ref), amount),
            effective=received_on,
            command_id=command_id,
        )

    @event("TopUpReversed")
    def _reversed(
        self,
        amount: Decimal,
        reversed_on: date,
        reason: str,
        corrects: str,
        legs: dict[str, Decimal],
        effective: date,
        command_id: str,
    ) -> None:
        self.reversed[corrects] = command_id
