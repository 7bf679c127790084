"""A bank account the council pays: a provider's, or a person's for a direct payment.

The sort code, account number and account name arrive here already sealed
(see `adapters/personal_data.py`): a person's with their own key, so
`forget person` makes them unreadable for good; a provider's with a key of
the account's own. Only the last four digits of the account number are kept
in clear, for reports that show the account masked.

Shapes are checked here (6-digit sort code, 8-digit account number). The
Vocalink modulus check is not made: its weight table changes several times a
year and is published as a data file; a stale or partial copy would refuse
good accounts, so the bank's own validation is left to decide.
"""

from __future__ import annotations

import re
from datetime import date

from eventsourcing.domain import event

from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.errors import RuleBroken

SORT_CODE = re.compile(r"[0-9]{6}")
ACCOUNT_NUMBER = re.compile(r"[0-9]{8}")
OWNER_KINDS = ("provider", "person")


def check_details(account_id: str, sort_code: str, account_number: str, name: str) -> None:
    """Shapes only; a refusal never repeats the digits it was given."""
    if not SORT_CODE.fullmatch(sort_code):
        raise RuleBroken(f"bank account {account_id}: a sort code is exactly 6 digits (0-9)")
    if not ACCOUNT_NUMBER.fullmatch(account_number):
        raise RuleBroken(
            f"bank account {account_id}: an account number is exactly 8 digits (0-9); "
            "pad a shorter one with zeros on the left as the bank does"
        )
    if not name.strip():
        raise RuleBroken(f"bank account {account_id}: the account name is needed")


def masked(last4: str) -> str:
    """How every report and log shows an account number."""
    return f"****{last4}"


class BankAccount(LedgerAggregate):
    KIND = "account"

    @staticmethod
    def create_id(account_id: str, **_: object) -> object:  # type: ignore[override]
        return BankAccount.id_for(account_id)

    @classmethod
    def register(
        cls,
        account_id: str,
        owner_kind: str,
        owner_id: str,
        last4: str,
        sealed_details: str,
        command_id: str,
    ) -> BankAccount:
        if owner_kind not in OWNER_KINDS:
            raise RuleBroken(f"bank account {account_id}: owner must be a provider or a person")
        return cls(
            account_id=account_id,
            owner_kind=owner_kind,
            owner_id=owner_id,
            person_id=owner_id if owner_kind == "person" else None,
            provider_id=owner_id if owner_kind == "provider" else None,
            last4=last4,
            sealed_details=sealed_details,
            command_id=command_id,
        )

    @event("Registered")
    def __init__(
        self,
        account_id: str,
        owner_kind: str,
        owner_id: str,
        person_id: str | None,
        provider_id: str | None,
        last4: str,
        sealed_details: str,
        command_id: str,
        effective: None = None,
    ) -> None:
        self.ref = account_id
        self.owner_kind = owner_kind
        self.owner_id = owner_id
        self.person_id = person_id
        self.provider_id = provider_id
        self.last4 = last4
        self.sealed_details = sealed_details
        self.budget_id = ""  # an account belongs to a person, not to one budget

    @property
    def key_owner(self) -> str:
        """Whose key seals the details: the person's, or the account's own."""
        return details_key(self.owner_kind, self.owner_id, self.ref)

    @property
    def masked(self) -> str:
        return masked(self.last4)

    def check_can_receive_money(self, day: date) -> None:
        """An account can be paid once registered: the contract has no closing."""

    def check_period_within(self, start: date, what: str) -> None:
        """An account has no end; the budget's end is checked by the schedule."""


def details_key(owner_kind: str, owner_id: str, account_id: str) -> str:
    """The key-store name sealing an account's details.

    A person's own key, so forgetting them forgets their bank details; for a
    provider a key named with `#`, which no caller's id can contain.
    """
    if owner_kind == "person":
        return owner_id
    return "#" + BankAccount.id_for(account_id).hex
