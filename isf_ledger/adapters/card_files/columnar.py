"""Plainly good rows read as columns with polars, a block of lines at a time.

The row reader (`row_reader`) costs 8-10 µs a row in Python, more than the
whole floor of an import; polars splits and checks a block's columns in
bulk. It reads only what it can number exactly: a block with no quote (so
no field can span lines), no NUL, no carriage return but before a line
feed, and text in the profile's encoding is one record a physical line.
The first block that is not hands the rest of the file back to the row
reader, from that block's first line.

Within a block, a row is read here only if it is plainly good: printable
ASCII, as many cells as the header, no cell padded with spaces, nothing that
looks like a card number, plain amounts (`-12.50`), and a card, dates, type,
status and merchant code that the row reader's own parsers accept (each
distinct value is parsed once, by the same function). Every other row goes
to the row reader as it stands, in file order, so its result and its message
are the row reader's. Blocks are read in slices of a few hundred kilobytes,
so memory does not grow with the file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Generator, Iterator
from typing import Any, BinaryIO

import polars as pl

from isf_ledger.adapters.card_files.cells import CellError
from isf_ledger.adapters.card_files.profile import PENDING
from isf_ledger.adapters.card_files.results import ReadResult, RowBatch
from isf_ledger.adapters.card_files.row_reader import RowReader, is_card_number_ending
from isf_ledger.adapters.csv_text import MAX_LINE_BYTES

# Small enough that memory stays flat (a batch's columns take some times its text).
BLOCK_BYTES = 1 << 18
BATCH_BYTES = 1 << 19  # a few blocks, checked together
assert BLOCK_BYTES <= MAX_LINE_BYTES  # so no line in a block is too long for the row reader
_PLAIN_MONEY = r"^-?(0|[1-9][0-9]{0,8})\.[0-9]{2}$"  # as `str(Decimal)` writes it, in limit
_DIGIT_RUN = r"[0-9][0-9 -]{11}[0-9]"  # where `might_hold_card_number` may say yes
_EXCEL_NUMBER = r"^([+-]?[0-9]+(\.[0-9]+)?[eE][+-][0-9]{1,3}|[0-9]+\.0+)$"
_EMPTY = pl.lit("", dtype=pl.String)  # a column the export does not have
MEMO = 1 << 16  # parsed values kept for a column (see `_each`)
_FIELDS = ("card", "posted_on", "transaction_on", "type", "status", "amount", "balance",
           "description", "merchant", "mcc", "transaction_id")  # fmt: skip


def read_columns(
    handle: BinaryIO, line: int, encoding: str, rows: RowReader
) -> Generator[ReadResult | RowBatch, None, int]:
    """Read from `line` (where `handle` is) while blocks are plain; the line to go on from.

    When it stops before the end, `handle` is back at the start of that line.
    """
    if not _suits(rows):
        return line
    reader = _BlockReader(rows, encoding)
    offset = handle.tell()
    texts: list[str] = []
    size = 0
    for block in _blocks(handle):
        text = reader.plain(block) if block is not None else None
        if text is None or size >= BATCH_BYTES:
            if texts:
                line = yield from reader.read("".join(texts), line)
                texts, size = [], 0
            if text is None:
                handle.seek(offset)
                return line
        texts.append(text)
        size += len(text)
        offset += len(block or b"")
    if texts:
        line = yield from reader.read("".join(texts), line)
    return line


def _suits(rows: RowReader) -> bool:
    """The export's shape is one the columnar reader reads: one signed amount column."""
    delimiter = rows.profile.delimiter
    return "amount" in rows.index and (delimiter == "\t" or " " < delimiter < "\x7f")


def _blocks(handle: BinaryIO) -> Iterator[bytes | None]:
    """Whole lines, at most BLOCK_BYTES a block, so no line in one is too long; None
    where a line may be (no line feed in a block's length)."""
    carry = b""
    while True:
        data = handle.read(BLOCK_BYTES - len(carry))
        block = carry + data
        if not data:
            if block:
                yield block
            return
        cut = block.rfind(b"\n") + 1
        if not cut:
            yield None
            return
        yield block[:cut]
        carry = block[cut:]


class _BlockReader:
    """Reads plain blocks of one export; `rows` reads whatever is not plainly good."""

    def __init__(self, rows: RowReader, encoding: str) -> None:
        self.rows = rows
        self.encoding = encoding
        self.delimiter = rows.profile.delimiter
        self.cells = {f: rows.index[f] for f in _FIELDS if f in rows.index}
        self.id_prefix = rows.id_prefix
        self.cards: dict[str, str | None] = {}  # card cells parsed (see `_each`)
        self.field_limit = csv.field_size_limit()
        d = re.escape(self.delimiter)
        self.padded = f"(^|{d})[ ]|[ ]({d}|$)"
        self.not_plain = "[^\t\\x20-\\x7e]" if self.delimiter == "\t" else "[^\\x20-\\x7e]"

    def plain(self, block: bytes) -> str | None:
        """The block as text, if every record in it is one physical line (and no line is
        so long that `csv` might refuse a field of it: the row reader words that)."""
        if b'"' in block or b"\x00" in block or block.count(b"\r") != block.count(b"\r\n"):
            return None
        if len(block) > self.field_limit and max(map(len, block.split(b"\n"))) > self.field_limit:
            return None
        try:
            return block.decode(self.encoding)
        except UnicodeDecodeError:
            return None

    def read(self, text: str, first: int) -> Generator[ReadResult | RowBatch, None, int]:
        """The text's rows from line `first`, in order; the line after the text."""
        lines = pl.Series("raw", [text]).str.split("\n").explode()
        if text.endswith("\n"):
            lines = lines.head(-1)
        frame = pl.DataFrame({"raw": lines.str.strip_suffix("\r")}).with_columns(
            line=pl.int_range(first, first + len(lines), dtype=pl.Int64)
        )
        frame = self._checked(frame)
        slow = frame["fast"].not_().arg_true().to_list()
        start = 0
        for i in [*slow, frame.height]:
            if i > start:
                yield self._batch(frame.slice(start, i - start))
            if i < frame.height:
                yield from self._by_rows(frame.slice(i, 1))
            start = i + 1
        return first + len(lines)

    def _by_rows(self, frame: pl.DataFrame) -> Iterator[ReadResult]:
        read, delimiter = self.rows.read, self.delimiter
        for line, raw in zip(frame["line"].to_list(), frame["raw"].to_list(), strict=True):
            cells = raw.split(delimiter)
            if "".join(cells).strip():
                yield read(line, cells)

    def _checked(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The values of each row, `fast` where the row is plainly good; blank rows dropped."""
        rows, raw, d = self.rows, pl.col("raw"), self.delimiter
        ascii_only = raw.str.contains(self.not_plain).not_()
        blank = ascii_only & (raw.str.replace_all(d, "", literal=True).str.strip_chars() == "")
        if frame.select(blank.any()).item():
            frame = frame.filter(~blank)
        cells = frame["raw"].str.split(d)
        width = rows.width
        fast = ascii_only & (cells.list.len() == width) & ~raw.str.contains(self.padded)
        got = {f: cells.list.get(i, null_on_oob=True).fill_null("") for f, i in self.cells.items()}
        # A card number anywhere but in the id column (which the row reader spares).
        card_like = frame["raw"].str.contains(_DIGIT_RUN)
        if rows.id_at >= 0 and card_like.any():
            others = [cells.list.get(i, null_on_oob=True) for i in range(width) if i != rows.id_at]
            joined = pl.select(pl.concat_str(others, separator="\x1f", ignore_nulls=True))
            card_like &= joined.to_series().str.contains(_DIGIT_RUN)
        frame = frame.with_columns(
            card_key=_each(got["card"], self._card, memo=self.cards),
            posted_on=_each(got["posted_on"], self._day),
            transaction_on=_each(got.get("transaction_on"), self._day, empty=""),
            mcc=_each(got.get("mcc"), self._mcc, empty=""),
            description=got.get("description", _EMPTY),
            merchant=got.get("merchant", _EMPTY),
            amount=got["amount"],
            balance=got.get("balance", _EMPTY),
            txn_id=got.get("transaction_id", _EMPTY),
            kind=_each(got.get("type"), self._kind),
            pending=_each(got.get("status"), self._pending, empty="").fill_null(""),
        )
        money_ok = pl.col("amount").str.contains(_PLAIN_MONEY) & (pl.col("amount") != "-0.00")
        balance_ok = (pl.col("balance") == "") | (
            pl.col("balance").str.contains(_PLAIN_MONEY) & (pl.col("balance") != "-0.00")
        )
        frame = frame.with_columns(
            fast=fast
            & money_ok
            & balance_ok
            & pl.col("card_key").is_not_null()
            & pl.col("posted_on").is_not_null()
            & pl.col("transaction_on").is_not_null()
            & pl.col("mcc").is_not_null()
            & (pl.col("pending") == "")
            & ~pl.lit(card_like)
            & ~pl.col("txn_id").str.contains(_EXCEL_NUMBER),
            pence=pl.when(money_ok).then(_pence("amount")),
            balance_pence=pl.when(balance_ok & (pl.col("balance") != "")).then(_pence("balance")),
        )
        if rows.profile.type_from_sign:
            sign = pl.when(pl.col("pence") > 0).then(pl.lit("LOAD"))
            frame = frame.with_columns(kind=sign.when(pl.col("pence") < 0).then(pl.lit("PURCHASE")))
        frame = frame.with_columns(fast=pl.col("fast") & pl.col("kind").is_not_null())
        return self._card_number_ids(frame)

    def _card_number_ids(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Not fast: a row whose id is the card's own number (the row reader says so)."""
        digits = pl.col("txn_id").str.replace_all("[ -]", "")
        suspects = frame.filter(pl.col("fast") & digits.str.contains("^[0-9]{13,19}$"))
        if suspects.is_empty():
            return frame
        lines = [
            line
            for line, txn_id, key in suspects.select("line", "txn_id", "card_key").iter_rows()
            if is_card_number_ending(txn_id, key)
        ]
        return frame.with_columns(fast=pl.col("fast") & ~pl.col("line").is_in(lines))

    def _batch(self, frame: pl.DataFrame) -> RowBatch:
        """The run's rows with their identities, numbered in file order as the row reader does."""
        frame = frame.with_columns(
            identity=pl.when(pl.col("txn_id") != "").then(self.id_prefix + pl.col("txn_id")),
            transaction_on=pl.when(pl.col("transaction_on") != "").then("transaction_on"),
            type=pl.col("kind"),
        )
        bare = frame.filter(pl.col("identity").is_null())
        if not bare.is_empty():
            # The content `identity.ContentIdentities.next_text` hashes, made in bulk.
            normal = self.rows.identities.normal
            text: list[pl.Expr | pl.Series]
            text = [pl.col(name) for name in ("card_key", "posted_on", "kind", "amount")]
            text += [_each(bare[name], normal, empty="") for name in ("merchant", "description")]
            text += [pl.col("mcc"), pl.col("balance")]
            contents = bare.select(pl.concat_str(text, separator="\x1f").cast(pl.Binary))
            made = self.rows.identities.of_contents(contents.to_series().to_list())
            frame = _fill_identities(frame, made)
        return RowBatch(
            frame.select("line", "card_key", "posted_on", "transaction_on", "type", "pence",
                         "balance_pence", "description", "merchant", "mcc", "identity", "raw"),
            self.delimiter,
        )  # fmt: skip

    def _card(self, text: str) -> str | None:
        return _parsed(self.rows.parse_card, text)

    def _day(self, text: str) -> str | None:
        day = _parsed(self.rows.parse_day, text)
        return day.isoformat() if day is not None else None

    def _mcc(self, text: str) -> str | None:
        return _parsed(self.rows.parse_mcc, text)

    def _kind(self, spelling: str) -> str | None:
        kind = self.rows.kind_of(spelling) if spelling else None
        return kind if kind != PENDING else None

    def _pending(self, status: str) -> str:
        return "pending" if self.rows.is_pending(status) else ""


def _fill_identities(frame: pl.DataFrame, made: list[str]) -> pl.DataFrame:
    """The id-less rows' identities, in the order of those rows."""
    identity = frame["identity"].to_list()
    it = iter(made)
    return frame.with_columns(
        identity=pl.Series([value if value is not None else next(it) for value in identity])
    )


def _parsed(parse: Callable[[str], Any], text: str) -> Any:
    try:
        return parse(text)
    except CellError:
        return None


def _each(
    column: pl.Series | None,
    parse: Callable[[str], Any],
    empty: Any = None,
    memo: dict[str, Any] | None = None,
) -> pl.Series:
    """`parse` of each distinct value (None where the value is not plainly good); `empty`
    for an empty cell or a column the export does not have. `memo`: what earlier batches'
    values parsed to, kept (up to `MEMO` of them) for a column whose values recur from
    batch to batch by the thousand (the cards)."""
    if column is None:
        return pl.lit(empty, dtype=pl.String)  # type: ignore[return-value]
    values = column.unique().to_list()
    if memo is None:
        parsed = [empty if not v else parse(v) for v in values]
    else:
        for v in [v for v in values if v not in memo][: MEMO - len(memo)]:
            memo[v] = empty if not v else parse(v)
        parsed = [memo[v] if v in memo else empty if not v else parse(v) for v in values]
    return column.replace_strict(values, parsed, default=None, return_dtype=pl.String)


def _pence(name: str) -> pl.Expr:
    return pl.col(name).str.replace(".", "", literal=True).cast(pl.Int64)
