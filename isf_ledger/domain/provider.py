"""A provider of support, on or off the council's framework.

An off-framework provider is only accepted with its checks recorded
(registration, insurance, safeguarding, financial standing...), because the
council must show it looked before any money flows.
"""

from __future__ import annotations

from eventsourcing.domain import event

from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.errors import RuleBroken

FRAMEWORKS = ("on", "off")


def check_framework(provider_id: str, framework: str, checks: tuple[str, ...]) -> None:
    if framework not in FRAMEWORKS:
        raise RuleBroken(f"provider {provider_id}: framework must be 'on' or 'off'")
    if framework == "off" and not checks:
        raise RuleBroken(
            f"provider {provider_id} is off-framework, so the council's checks "
            "(registration, insurance, safeguarding, financial standing) must be recorded"
        )


class Provider(LedgerAggregate):
    KIND = "provider"

    @staticmethod
    def create_id(provider_id: str, **_: object) -> object:  # type: ignore[override]
        return Provider.id_for(provider_id)

    @classmethod
    def register(
        cls,
        provider_id: str,
        name: str,
        framework: str,
        checks: tuple[str, ...],
        command_id: str,
    ) -> Provider:
        check_framework(provider_id, framework, checks)
        return cls(
            provider_id=provider_id,
            name=name,
            framework=framework,
            checks=list(checks),
            command_id=command_id,
        )

    @event("Registered")
    def __init__(
        self,
        provider_id: str,
        name: str,
        framework: str,
        checks: list[str],
        command_id: str,
        effective: None = None,
    ) -> None:
        self.ref = provider_id
        self.name = name
        self.framework = framework
        self.checks = checks
        self.bank_account: str | None = None

    def pay_into(self, account_id: str, command_id: str) -> None:
        """From now on the provider's payments go to `account_id` (the latest registered)."""
        self._account_chosen(account_id=account_id, command_id=command_id)

    @event("BankAccountChosen")
    def _account_chosen(self, account_id: str, command_id: str, effective: None = None) -> None:
        self.bank_account = account_id

    @property
    def is_off_framework(self) -> bool:
        return self.framework == "off"
