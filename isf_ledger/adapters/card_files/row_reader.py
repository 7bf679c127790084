"""One export's rows read one at a time: every check, and every problem in plain words.

`RowReader` is the reader of record: each cell parsed by `cells`, each
problem worded for the person who will fix the file. The columnar reader
(`columnar`) sends it every row that is not plainly fine, so both readers
give the same rows and the same messages.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from isf_ledger.adapters.card_files.cells import (
    CellError,
    card_key,
    looks_excel_mangled,
    luhn_valid,
    mask_card_numbers,
    might_hold_card_number,
    parse_date,
    parse_mcc,
    parse_money,
)
from isf_ledger.adapters.card_files.identity import ContentIdentities
from isf_ledger.adapters.card_files.profile import PENDING, Profile, normal_text
from isf_ledger.adapters.card_files.results import (
    CardRow,
    ReadResult,
    RowProblem,
    SkippedRow,
)
from isf_ledger.adapters.csv_text import (
    DELIMITER_WORDS,
    FileProblem,
    missing_columns,
    other_delimiter,
)


class RowReader:
    """Turns the records after the header into results, for one file.

    Exports run to millions of rows, so all that depends only on the profile
    and the header (where each column is, its parser, which checks apply) is
    settled here once, and `read` does only what each row needs.
    """

    def __init__(self, profile: Profile, header_line: int, header: list[str]) -> None:
        self.profile = profile
        positions: dict[str, int] = {}
        for i, name in enumerate(header):
            positions.setdefault(normal_text(name), i)
        self.names = profile.columns.used()
        missing = [h for h in self.names.values() if normal_text(h) not in positions]
        if missing:
            raise FileProblem(header_line, _missing_columns(profile, header, missing), header)
        self.index = {f: positions[normal_text(h)] for f, h in self.names.items()}
        self.width = len(header)
        while self.width and not header[self.width - 1].strip():
            self.width -= 1
        at = self.index.get  # -1 for a column the export does not have
        self.id_at = at("transaction_id", -1)
        self.type_at = at("type", -1)
        self.status_at = at("status", -1)
        self.description_at = at("description", -1)
        self.merchant_at = at("merchant", -1)
        self.id_prefix = f"id:{profile.source}:"
        # A row is pending by its status, a type spelled as pending or no posted date.
        self.may_be_pending = (
            self.status_at >= 0
            or PENDING in profile.types.values()
            or profile.pending_when_posted_on_empty
        )
        self.identities = ContentIdentities()
        # Spellings, statuses, cards, dates and merchant codes repeat row after
        # row: each is read once and remembered (`strptime` and `normal_text` are slow).
        types, pending = profile.types, profile.pending_statuses
        self.kind_of = lru_cache(1024)(lambda spelling: types.get(normal_text(spelling)))
        self.is_pending = lru_cache(1024)(lambda status: normal_text(status) in pending)
        holds, formats, cr_dr = (
            profile.card_column_holds,
            profile.date_formats,
            profile.amounts_end_in_cr_dr,
        )
        # Kept for the columnar reader, which parses each distinct value once.
        self.parse_card = card = lru_cache(1 << 14)(lambda text: card_key(text, holds))
        self.parse_day = day = lru_cache(4096)(lambda text: parse_date(text, formats))
        self.parse_mcc = lru_cache(1024)(parse_mcc)

        def money(text: str) -> Decimal:
            return parse_money(text, cr_dr=cr_dr)

        self.card = self._column("card", card, True)
        self.posted_on = self._column("posted_on", day, True)
        self.transaction_on = self._column("transaction_on", day)
        self.amount = self._column("amount", money, True)
        self.debit = self._column("debit", money)
        self.credit = self._column("credit", money)
        self.balance = self._column("balance", money)
        self.mcc = self._column("mcc", self.parse_mcc)

    def _column(
        self, field: str, parse: Callable[[str], Any], required: bool = False
    ) -> Callable[[list[str], list[str]], Any]:
        """A reader of one column's value: None, with the problem noted, if there is no value."""
        if field not in self.index:
            return _no_column
        index, name = self.index[field], self.names[field]

        def value(cells: list[str], problems: list[str]) -> Any:
            text = cells[index].strip()
            if not text:
                if required:
                    problems.append(f"{name} is empty")
                return None
            try:
                return parse(text)
            except CellError as e:
                problems.append(f"{name} '{text}' {e}")
                return None

        return value

    def read(self, line: int, cells: list[str]) -> ReadResult:
        # The id column is spared: ids are often long numbers, one in ten passes
        # the Luhn check by chance, and masking those would merge different
        # transactions. An id that is the card's own number is caught below.
        if might_hold_card_number("\x1f".join(cells)):
            cells = [c if i == self.id_at else mask_card_numbers(c) for i, c in enumerate(cells)]
        if len(cells) != self.width and (
            len(cells) < self.width or "".join(cells[self.width :]).strip()
        ):
            reason = f"row has {len(cells)} cells but the header has {self.width}"
            return RowProblem(line, reason, cells)
        spelling = _text(cells, self.type_at)
        skipped = self._not_posted(line, cells, spelling) if self.may_be_pending else None
        if skipped is not None:
            return skipped
        problems: list[str] = []
        key = self.card(cells, problems)
        posted_on = self.posted_on(cells, problems)
        transaction_on = self.transaction_on(cells, problems)
        amount = self.amount(cells, problems)
        debit, credit = self.debit(cells, problems), self.credit(cells, problems)
        balance = self.balance(cells, problems)
        mcc = self.mcc(cells, problems) or ""
        txn_id = _text(cells, self.id_at) or None
        if txn_id and key and is_card_number_ending(txn_id, key):
            problems.append(f"{self.names['transaction_id']} holds the card number")
            cells[self.id_at] = "****" + key
        if "amount" not in self.index:
            amount = self._split(cells, debit, credit, problems)
        kind = self._type(spelling, amount, problems)
        if problems or key is None or posted_on is None or amount is None or kind is None:
            return RowProblem(line, "; ".join(problems), cells)
        description = _text(cells, self.description_at)
        merchant = _text(cells, self.merchant_at)
        # A rounded id may be shared by many rows, so it cannot be the identity.
        suspect = txn_id is not None and looks_excel_mangled(txn_id)
        if txn_id and not suspect:
            identity = self.id_prefix + txn_id
        else:
            identity = self.identities.next(
                key, posted_on, kind, amount, merchant, description, mcc, balance
            )
        # By position: keyword arguments take a tenth of the time of the whole row.
        return CardRow(
            line, key, posted_on, transaction_on, kind, amount, balance,
            description, merchant, mcc, txn_id, identity, suspect, cells,
        )  # fmt: skip

    def _not_posted(self, line: int, cells: list[str], spelling: str) -> SkippedRow | None:
        status = _text(cells, self.status_at)
        if status and self.is_pending(status):
            return SkippedRow(line, f"{self.names['status']} '{status}' is not posted")
        if spelling and self.kind_of(spelling) == PENDING:
            return SkippedRow(line, f"{self.names['type']} '{spelling}' is not posted")
        if self.profile.pending_when_posted_on_empty and not _text(cells, self.index["posted_on"]):
            return SkippedRow(line, f"{self.names['posted_on']} is empty: not posted yet")
        return None

    def _split(
        self, cells: list[str], debit: Decimal | None, credit: Decimal | None, problems: list[str]
    ) -> Decimal | None:
        """The signed amount from a debit and a credit column, exactly one of them filled."""
        debit_column, credit_column = self.names["debit"], self.names["credit"]
        debit_text = cells[self.index["debit"]].strip()
        credit_text = cells[self.index["credit"]].strip()
        if (debit_text and debit is None) or (credit_text and credit is None):
            return None  # a bad cell, already reported
        debit = debit or None  # a zero counts as empty
        credit = credit or None
        if debit is not None and credit is not None:
            problems.append(
                f"{debit_column} '{debit_text}' and {credit_column} '{credit_text}' are both filled"
            )
            return None
        if credit is not None:
            return abs(credit)
        if debit is not None:
            return -abs(debit)
        problems.append(f"{debit_column} and {credit_column} are both empty")
        return None

    def _type(self, spelling: str, amount: Decimal | None, problems: list[str]) -> str | None:
        if self.profile.type_from_sign:
            if amount is None:
                return None
            if not amount:
                column = self.names.get("amount", "amount")
                problems.append(f"{column} is zero, so its type cannot come from its sign")
                return None
            return "LOAD" if amount > 0 else "PURCHASE"
        column = self.names["type"]
        if not spelling:
            problems.append(f"{column} is empty")
            return None
        kind: str | None = self.kind_of(spelling)
        if kind is None:
            problems.append(f"{column} '{spelling}' is not a type this profile knows")
        return kind


def _missing_columns(profile: Profile, header: list[str], missing: list[str]) -> str:
    """Which columns are missing; or, when the header is one cell that another
    delimiter splits into several, that the file is delimited differently."""
    best = other_delimiter(header, profile.delimiter)
    if best is None:
        return missing_columns(missing)
    mine = DELIMITER_WORDS.get(profile.delimiter, repr(profile.delimiter))
    return (
        f"the header is one column: it looks {DELIMITER_WORDS[best]}-separated ({best!r}), "
        f"but profile '{profile.name}' reads {mine}-separated files; use a profile with "
        f"delimiter = {best!r} (see `isf-ledger cards profiles`)"
    )


def _no_column(cells: list[str], problems: list[str]) -> None:
    """The value of a column the export does not have."""
    return None


def _text(cells: list[str], index: int) -> str:
    """A text cell, stripped; "" for a column the export does not have (index -1)."""
    return cells[index].strip() if index >= 0 else ""


def is_card_number_ending(text: str, last_four: str) -> bool:
    """A transaction id that is really the card's own number, copied into the wrong column."""
    if len(text) < 13:
        return False  # too short even before spaces and dashes are taken out
    digits = text.replace(" ", "").replace("-", "")
    return (
        13 <= len(digits) <= 19
        and digits.isdigit()
        and digits.endswith(last_four)
        and luhn_valid(digits)
    )
