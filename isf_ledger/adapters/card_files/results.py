"""What the reader makes of each row: a transaction, a problem, or a row not posted yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import polars as pl


class CardRow(NamedTuple):
    """One posted card transaction, as the export gives it.

    `line` is the 1-based physical line where the row starts; `card_key` the
    ledger card id or the card's last four digits; `amount` is signed (money
    in positive) with two places; `balance` the running balance after the row,
    if the export has one; `mcc` four digits or ""; `identity` what makes the
    row the same transaction in another import ("id:<source>:<id>" or a
    SHA-256 of its content and occurrence); `suspect_id` marks an id a
    spreadsheet seems to have rounded; `raw` the row's cells, card numbers
    masked. A named tuple rather than a frozen dataclass, which takes several
    times as long to make, once for every row of the export.
    """

    line: int
    card_key: str
    posted_on: date
    transaction_on: date | None
    type: str
    amount: Decimal
    balance: Decimal | None
    description: str
    merchant: str
    mcc: str
    provider_txn_id: str | None
    identity: str
    suspect_id: bool
    raw: list[str]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that cannot be read, or a file that cannot be read further.

    `raw` holds the row's cells (card numbers masked); for a file-level
    problem (unreadable file, missing columns, undecodable bytes) it is empty
    or the header, and the reader stops after it.
    """

    line: int
    reason: str
    raw: list[str]


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row that is not a posted transaction (pending, authorised, declined)."""

    line: int
    reason: str


ReadResult = CardRow | RowProblem | SkippedRow


@dataclass(frozen=True)
class RowBatch:
    """Consecutive posted rows that passed every check, as columns, in file order.

    Made by the columnar reader (see `columnar`). `frame` has `line`,
    `card_key`, `posted_on` and `transaction_on` (ISO text), `type`, `pence`,
    `balance_pence`, `description`, `merchant`, `mcc`, `identity` (as
    `CardRow` has them) and `raw`, the line's text, whose cells `delimiter`
    separates.
    """

    frame: pl.DataFrame
    delimiter: str
