"""Top-ups and contributions into an ISF or onto a card."""

from __future__ import annotations

from isf_ledger.application import commands as c
from isf_ledger.application.unit_of_work import UnitOfWork
from isf_ledger.domain.agreement import Agreement
from isf_ledger.domain.card import Card
from isf_ledger.domain.topup import Fund, TopUp


def _fund(uow: UnitOfWork, agreement_id: str | None, card_id: str | None) -> Fund:
    """The agreement or the card a top-up is paid into."""
    return uow.get(Agreement, agreement_id) if agreement_id else uow.get(Card, str(card_id))


def agree_topup(uow: UnitOfWork, cmd: c.AgreeTopUp) -> None:
    uow.check_new(TopUp, cmd.topup_id)
    TopUp.check_one_fund(cmd.topup_id, cmd.agreement_id, cmd.card_id)
    uow.add(
        TopUp.agree(
            topup_id=cmd.topup_id,
            into=_fund(uow, cmd.agreement_id, cmd.card_id),
            payer=cmd.payer,
            amount_per_period=cmd.amount_per_period,
            reason=cmd.reason,
            kind=cmd.kind,
            command_id=cmd.command_id,
        )
    )


def record_topup(uow: UnitOfWork, cmd: c.RecordTopUp) -> None:
    topup = uow.get(TopUp, cmd.topup_id)
    topup.receive(
        cmd.received_on,
        cmd.amount,
        into=_fund(uow, topup.agreement_id, topup.card_id),
        command_id=cmd.command_id,
    )


def reverse_topup(uow: UnitOfWork, cmd: c.ReverseTopUp) -> None:
    uow.get(TopUp, cmd.topup_id).reverse(
        cmd.received_on, cmd.on, cmd.reason, command_id=cmd.command_id
    )


HANDLERS = (agree_topup, record_topup, reverse_topup)
