"""The reader's results turned into rows as stored, every problem noted on the way.

Rows come one at a time from the row reader, or as column batches (see
`adapters.card_files.columnar`); both are numbered among the file's rows with
the same content, in file order, and leave as chunks for the writer: lists
of `StagedRow`, or frames with the same columns, prepared for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from isf_ledger.adapters.card_files.reader import (
    CardRow,
    ReadResult,
    RowBatch,
    RowProblem,
    SkippedRow,
)
from isf_ledger.adapters.card_files.rejects import RejectsWriter
from isf_ledger.adapters.card_store.direct import DirectWriter
from isf_ledger.adapters.card_store.directory import CardDirectory
from isf_ledger.adapters.card_store.prepared import Prepared
from isf_ledger.adapters.card_store.staging import StagedRow
from isf_ledger.adapters.card_store.tables import IDENTITY_LENGTH
from isf_ledger.application.card_import_report import FileResult, Progress

READING = "reading"
Numbering = Callable[[str, str, int, "int | None"], int]  # see `occurrences.Occurrences`


class Rows:
    """Turns the reader's results into rows as stored, noting every problem on the way."""

    def __init__(
        self,
        result: FileResult,
        directory: CardDirectory,
        skip_invalid: bool,
        rejects: RejectsWriter | None,
        path: str | Path,
        source: str,
        writer: DirectWriter,
    ) -> None:
        self.result = result
        self.directory = directory
        self.skip_invalid = skip_invalid
        self.rejects = rejects
        self.path = path
        self.source = source
        self.rejected_whole = False
        self.number: Numbering = writer.occurrences.number
        self.numbers = writer.occurrences.numbers
        self.prepare = writer.prepare
        self.card_of: dict[str, str] = {}  # the cards of a file's card keys, as resolved
        self.import_pk = writer.import_id

    def chunks(
        self,
        results: Iterable[ReadResult | RowBatch],
        size: int,
        progress: Progress | None,
    ) -> Iterator[list[StagedRow] | Prepared | pl.DataFrame]:
        result, resolve, source = self.result, self.directory.resolve, self.source
        number, pk = self.number, self.import_pk
        chunk: list[StagedRow] = []
        # Bytes read, for the progress bar: lines so far times the average length
        # of the first rows (measuring every row would cost more than it tells).
        sampled_bytes = sampled_lines = line = 0
        for item in results:
            if isinstance(item, RowBatch):
                if chunk and not self.rejected_whole:
                    yield chunk
                chunk = []
                line = int(item.frame["line"][-1])
                if sampled_lines < 256:
                    raw = item.frame["raw"]
                    sampled_bytes += int(raw.str.len_bytes().sum()) + len(raw)
                    sampled_lines += len(raw)
                frame = self._batch(item)
                if frame is not None:
                    yield self.prepare(frame)
                    if progress:
                        progress(line * sampled_bytes // sampled_lines, READING)
                continue
            line = item.line
            if type(item) is CardRow:
                if sampled_lines < 256:
                    sampled_bytes += sum(map(len, item.raw)) + len(item.raw)
                    sampled_lines += 1
                card_id, why = resolve(item.card_key)
                if card_id is None:
                    self.bad(item.line, why or "unknown card", item.raw, file_level=False)
                    continue
                if item.suspect_id:
                    result.warn(
                        item.line,
                        f"transaction id '{item.provider_txn_id}' looks rounded by a "
                        "spreadsheet; the row is known by its content instead",
                    )
                if self.rejected_whole:
                    continue  # keep reading, to report every bad row
                chunk.append(_staged(pk, number, card_id, item, source))
                if len(chunk) >= size:
                    yield chunk
                    chunk = []
                    if progress and sampled_lines:
                        progress(line * sampled_bytes // sampled_lines, READING)
            elif type(item) is SkippedRow:
                result.skipped_pending += 1
            else:
                problem: Any = item
                self.bad(problem.line, problem.reason, problem.raw, file_level=_whole(problem))
        if chunk and not self.rejected_whole:
            yield chunk
        if progress:
            progress(1 << 62, READING)  # the end of the file, whatever the estimate said

    def _batch(self, batch: RowBatch) -> pl.DataFrame | None:
        """A column batch as stored (the columns of `StagedRow`); its rows with unknown cards
        noted as problems. None when nothing is left to store."""
        frame = batch.frame
        card_of, unknown = self.card_of, {}
        for key in [key for key in frame["card_key"].unique().to_list() if key not in card_of]:
            card, why = self.directory.resolve(key)
            if card:
                card_of[key] = card
            else:
                unknown[key] = why
        if unknown:
            known = ~pl.col("card_key").is_in(list(unknown))
            bad = frame.filter(~known).select("line", "card_key", "raw")
            for line, key, raw in bad.iter_rows():
                self.bad(line, unknown[key] or "unknown card", raw.split(batch.delimiter),
                         file_level=False)  # fmt: skip
            frame = frame.filter(known)
        if self.rejected_whole or frame.is_empty():
            return None
        # The directory's own strings: the counts of repeated content hold them, not copies.
        cards = [card_of[key] for key in frame["card_key"].to_list()]
        card_ids = pl.Series(cards, dtype=pl.String)
        numbers = self.numbers(
            cards,
            frame["posted_on"].to_list(),
            frame["pence"].to_list(),
            frame["balance_pence"].to_list(),
        )
        identity = pl.col("identity")
        if frame["identity"].str.len_chars().max() > IDENTITY_LENGTH:  # type: ignore[operator]
            identity = identity.map_elements(_short_identity, return_dtype=pl.String)
        return frame.select(
            import_id=pl.lit(self.import_pk, dtype=pl.Int64),
            identity=identity,
            source=pl.when(pl.col("identity").str.starts_with("id:")).then(pl.lit(self.source)),
            card_id=card_ids,
            posted_on="posted_on",
            transaction_on="transaction_on",
            type="type",
            pence="pence",
            balance_pence="balance_pence",
            occurrence=pl.Series(numbers, dtype=pl.Int64),
            description="description",
            merchant="merchant",
            mcc="mcc",
            line="line",
        )

    def bad(self, line: int, reason: str, cells: list[str], *, file_level: bool) -> None:
        self.result.problem(line, reason)
        if file_level or not self.skip_invalid:
            self.rejected_whole = True
        if self.rejects is not None and cells and not file_level:
            self.rejects.write(self.path, line, reason, cells)


def _whole(problem: RowProblem) -> bool:
    """A problem with the file itself (unreadable, undecodable, missing columns), not a row."""
    return not problem.raw or problem.reason.startswith("missing column")


def _staged(pk: int, number: Numbering, card_id: str, row: CardRow, source: str) -> StagedRow:
    """The row as stored, numbered among the file's rows with the same content."""
    identity = _short_identity(row.identity)
    balance = row.balance
    posted_on, pence = _iso(row.posted_on), int(row.amount * 100)
    balance_pence = None if balance is None else int(balance * 100)
    return (
        pk,
        identity,
        # A provider id's source, also when its identity is too long and stored hashed,
        # as the columnar reader's rows have it (see `tables`: its key is the identity's).
        source if row.identity.startswith("id:") else None,
        card_id,
        posted_on,
        _iso(row.transaction_on) if row.transaction_on else None,
        row.type,
        pence,
        balance_pence,
        number(card_id, posted_on, pence, balance_pence),
        row.description,
        row.merchant,
        row.mcc,
        row.line,
    )


def _short_identity(identity: str) -> str:
    """An identity as stored: one too long for its column by its SHA-256."""
    if len(identity) > IDENTITY_LENGTH:
        return "sha256:" + hashlib.sha256(identity.encode()).hexdigest()
    return identity


@lru_cache(maxsize=4096)
def _iso(day: date) -> str:
    """Cached: an export repeats the same few days on every row, and `isoformat` is slow."""
    return day.isoformat()
