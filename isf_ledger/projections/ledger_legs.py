"""The general ledger: every double-entry leg of every money event.

Any event that carries `legs` (account -> amount) posts one row per leg, in
integer pence so both databases sum exactly. Balances of any fund at any
business date, as recorded up to any instant, are sums over these rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    String,
    Table,
    func,
    select,
)

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.journal import JournalEntry
from isf_ledger.adapters.schema import metadata
from isf_ledger.domain.money import PENNY
from isf_ledger.projections.runner import Recorded

ledger_legs = Table(
    "ledger_legs",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("leg", Integer, primary_key=True, autoincrement=False),
    Column("account", String(80), nullable=False),
    Column("pence", BigInteger, nullable=False),
    Column("effective", Date, nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("type", String(64), nullable=False),
    Column("command_id", String(64), nullable=False),
    Index("ix_ledger_legs_account_effective", "account", "effective"),
)


def to_pence(amount: Decimal) -> int:
    return int(amount.quantize(PENNY) * 100)


def from_pence(pence: int) -> Decimal:
    """Pounds to the penny (exponent -2, as `quantize(PENNY)` gave): the decimal point
    moved, no division and no rounding; the reports turn millions of sums so."""
    return Decimal(pence).scaleb(-2)


@dataclass
class LedgerLegs:
    name: str = "ledger_legs"
    tables: tuple[Table, ...] = (ledger_legs,)
    reads: tuple[Table, ...] = ()

    def project(self, conn: Connection, batch: Sequence[Recorded]) -> None:
        rows = [
            (
                rec.position,
                n,
                account,
                to_pence(amount),
                rec.event.effective.isoformat(),
                rec.recorded_at,
                rec.type,
                rec.event.command_id,
            )
            for rec in batch
            for n, (account, amount) in enumerate(sorted(getattr(rec.event, "legs", {}).items()))
        ]
        insert_rows(conn, ledger_legs.name, ledger_legs.c.keys(), rows)


def balance(
    conn: Connection, account: str, *, on: date | None = None, as_at: str | None = None
) -> Decimal:
    """An account's balance from legs effective on or before `on`, recorded by `as_at`."""
    query = select(func.coalesce(func.sum(ledger_legs.c.pence), 0)).where(
        ledger_legs.c.account == account
    )
    if on is not None:
        query = query.where(ledger_legs.c.effective <= on)
    if as_at is not None:
        query = query.where(ledger_legs.c.recorded_at <= as_at)
    return from_pence(int(conn.scalar(query) or 0))


def journal(conn: Connection, *, as_at: str | None = None) -> Iterator[JournalEntry]:
    """Every money event as a journal entry, in (effective date, position) order."""
    t = ledger_legs
    query = select(t).order_by(t.c.effective, t.c.position, t.c.leg)
    if as_at is not None:
        query = query.where(t.c.recorded_at <= as_at)
    rows = conn.execute(query.execution_options(yield_per=5000))
    for position, group in groupby(rows, key=lambda row: row.position):
        legs = list(group)
        first = legs[0]
        yield JournalEntry(
            date=first.effective,
            narration=f"{first.type} ({first.command_id})",
            legs=tuple((leg.account, from_pence(leg.pence)) for leg in legs),
            ref=str(position),
        )
