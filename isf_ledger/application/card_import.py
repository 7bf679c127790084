"""Importing card exports: each file all or nothing, every transaction exactly once.

One file is one database transaction: a `card_imports` record, the file's
rows numbered and written in chunks straight into `card_transactions`,
skipping any already stored (memory stays flat; see `direct`), and the
digest of what was added. Killed at
any moment before the commit, nothing of the file is stored; after it, the
file is in and a second run adds nothing. Only a file that added rows leaves
a record, so a run that repeats a finished one changes nothing at all.

The import is then recorded as an event (`CardImport.TransactionsImported`).
That is a second store, written after the commit; a run that dies between
the two leaves a record marked as not yet in the event store, and the next
import (or `init`) writes the missing event from the record. So that event
can never be one the read models refuse, it is projected as a trial inside
the file's transaction first, and the file is rejected if that fails.

Same transaction, two identities. Exports of the same card from different
providers' formats (or the same provider's, with and without transaction
ids) give the same row different reader identities. So each row also has a
cross-source key: its card (as the ledger knows it), posted date, signed
amount, running balance, and which occurrence of that content it is within
its file. A row is already stored if its identity is, or if a row with its
cross-source key is, unless both carry ids from the same source: then the
ids decide, and a new row repeating stored content takes the next
occurrence (see `direct`). The type and the text are left out of the key on
purpose: a statement with no type column calls a refund a load, and
merchants' names are cut differently by different providers. Exports that
overlap on whole days count repeated content the same way; one without ids
cut part-way through a day may count it differently, which the running
balance, where the export has one, still tells apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from eventsourcing.persistence import IntegrityError
from sqlalchemy import Connection, insert, select, text, update

from isf_ledger.adapters.card_files.ahead import read_ahead
from isf_ledger.adapters.card_files.profile import Profile
from isf_ledger.adapters.card_files.reader import read_card_batches
from isf_ledger.adapters.card_files.rejects import RejectsWriter
from isf_ledger.adapters.card_store.direct import DirectWriter
from isf_ledger.adapters.card_store.directory import CardDirectory
from isf_ledger.adapters.card_store.tables import card_imports
from isf_ledger.application.card_import_report import FileResult, ImportReport, Progress
from isf_ledger.domain.card_import import CardImport, card_import_id
from isf_ledger.projections.runner import Unprojectable, check_projectable, instant, page_cache

if TYPE_CHECKING:
    from isf_ledger.application.service import Ledger

__all__ = ["FileResult", "ImportReport", "Progress", "import_file", "import_files"]

log = structlog.get_logger()

# SQLite pages an import keeps in memory. It was 64 while id-less rows' digests
# landed all over their key; by day (migration 0018) they land at its end, as the
# content key's rows do, and as provider ids do where the provider numbers its
# transactions in order. Small enough that a big file fills it no more than a small one.
CACHE_MB = 16
_IMPORT_LOCK = 0x15F_CA4D  # PostgreSQL advisory lock: one card import at a time per ledger


def file_sha256(path: str | Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def import_files(
    ledger: Ledger,
    paths: Sequence[str | Path],
    profile: Profile,
    *,
    skip_invalid: bool = False,
    rejects: RejectsWriter | None = None,
    progress: Callable[[str | Path, int], Progress] | None = None,
) -> ImportReport:
    """Import each file as its own all-or-nothing unit; record each import as an event.

    The events are sealed and in the audit trail before this returns, so
    `audit verify` straight after an import finds nothing amiss.
    `progress(path, size)` is called as each file starts and returns the
    callback that is told the bytes read so far and each phase after reading.
    """
    record_missing_events(ledger)
    ledger.catch_up()
    with ledger.engine.connect() as conn:
        directory = CardDirectory.load(conn)
    report = ImportReport()
    for path in paths:
        on_bytes = progress(path, Path(path).stat().st_size) if progress else None
        if rejects is not None:
            rejects.start_file(path)
        result = import_file(
            ledger,
            path,
            profile,
            directory,
            skip_invalid=skip_invalid,
            rejects=rejects,
            progress=on_bytes,
        )
        report.files.append(result)
    record_missing_events(ledger)
    ledger.catch_up()  # seal the imports' events and show them in the audit trail
    return report


def import_file(
    ledger: Ledger,
    path: str | Path,
    profile: Profile,
    directory: CardDirectory,
    *,
    skip_invalid: bool = False,
    rejects: RejectsWriter | None = None,
    progress: Progress | None = None,
    batch: int | None = None,
) -> FileResult:
    """Import one file in one database transaction; see the module's description."""
    result = FileResult(str(path))
    try:
        sha = file_sha256(path)
    except OSError as e:
        result.problem(0, f"cannot read file: {(e.strerror or str(e)).lower()}")
        result.status = "rejected"
        return result
    chunk_size = batch or ledger.settings.batch_size
    phase: Callable[[str], None] = (
        (lambda name: progress(1 << 62, name)) if progress else (lambda name: None)
    )
    with ledger.engine.connect() as conn, page_cache(conn, CACHE_MB), conn.begin() as tx:
        if conn.dialect.name == "postgresql":
            # Keyed by schema too: ledgers side by side in one database import at once.
            conn.execute(
                text(f"SELECT pg_advisory_xact_lock({_IMPORT_LOCK}, hashtext(current_schema()))")
            )
        import_pk = _start_record(conn, path, sha, profile)
        writer = DirectWriter(conn, import_pk)
        # Here, not above: polars loads only for an import, so other commands start faster.
        from isf_ledger.application.card_rows import Rows

        rows = Rows(result, directory, skip_invalid, rejects, path, profile.source, writer)
        # Read, checked and numbered in a thread a little ahead: a chunk is made ready
        # while the one before is stored.
        read = rows.chunks(read_card_batches(path, profile), chunk_size, progress)
        for chunk in read_ahead(read):
            if isinstance(chunk, list):
                writer.add(chunk)
            else:
                writer.add_frame(chunk)
        if rows.rejected_whole:
            result.status = "rejected"
            result.imported = result.duplicates = 0
            tx.rollback()
            return result
        phase("storing new rows")
        digest = writer.finish()
        added = digest.rows
        result.imported, result.duplicates = added, writer.seen - added
        if not added:
            tx.rollback()  # nothing new: leave no trace, as if never run
            return result
        phase("checking what was stored")
        stored = writer.stored()
        summed = writer.sums.store(conn, import_pk)  # the reconciliation's sums
        if stored != added or summed != added:
            raise RuntimeError(
                f"{path}: added {added} rows but {stored} are stored, {summed} summed"
            )
        result.card_import_id = card_import_id(sha, profile.name, digest.digest)
        conn.execute(
            update(card_imports)
            .where(card_imports.c.id == import_pk)
            .values(
                card_import_id=result.card_import_id,
                imported=result.imported,
                duplicates=result.duplicates,
                rejected=result.rejected,
                skipped_pending=result.skipped_pending,
                rows_digest=digest.digest,
                first_posted=digest.first_posted,
                last_posted=digest.last_posted,
                recorded_at=_now(),
            )
        )
        unprojectable = _unprojectable(ledger, conn, import_pk)
        if unprojectable:
            result.problem(0, f"{unprojectable}; nothing was imported from this file")
            result.status = "rejected"
            result.imported = result.duplicates = 0
            tx.rollback()
            return result
    log.info("cards.imported", file=str(path), imported=added, duplicates=result.duplicates)
    phase("recording the import")
    _record_event(ledger, import_pk)
    return result


def _now() -> str:
    return instant(datetime.now(UTC))


def _start_record(conn: Connection, path: str | Path, sha: str, profile: Profile) -> int:
    """The import's record, filled in at the end of the same transaction."""
    inserted = conn.execute(
        insert(card_imports)
        .values(
            file_name=Path(path).name,
            file_sha256=sha,
            profile=profile.name,
            imported=0,
            duplicates=0,
            rejected=0,
            skipped_pending=0,
            rows_digest="",
            recorded_at=_now(),
            event_recorded=False,
        )
        .returning(card_imports.c.id)
    )
    return int(inserted.scalar_one())


# ---- the import's event --------------------------------------------------------------


def record_missing_events(ledger: Ledger) -> int:
    """Write the event of every committed import that does not have one yet."""
    with ledger.engine.connect() as conn:
        missing = conn.scalars(
            select(card_imports.c.id)
            .where(card_imports.c.event_recorded.is_(False))
            .where(card_imports.c.card_import_id.is_not(None))
            .order_by(card_imports.c.id)
        ).all()
    for import_pk in missing:
        _record_event(ledger, import_pk)
    return len(missing)


def _record_event(ledger: Ledger, import_pk: int) -> None:
    with ledger.engine.connect() as conn:
        record = conn.execute(select(card_imports).where(card_imports.c.id == import_pk)).one()
    aggregate = _import_event(record)
    try:
        recordings = ledger.app.save(aggregate)
    except IntegrityError:
        recordings = []  # written by an earlier run that died before marking it
    with ledger.engine.begin() as conn:
        conn.execute(
            update(card_imports).where(card_imports.c.id == import_pk).values(event_recorded=True)
        )
    if recordings:
        log.info("cards.import_recorded", card_import_id=record.card_import_id)


def _unprojectable(ledger: Ledger, conn: Connection, import_pk: int) -> str | None:
    """Why the read models could not take the import's event, or None.

    The event is written after the file's transaction commits, and one the
    read models could not take would stop every later catch-up: it is tried
    in that transaction first.
    """
    record = conn.execute(select(card_imports).where(card_imports.c.id == import_pk)).one()
    try:
        check_projectable(conn, ledger.projections, _import_event(record).collect_events())
    except Unprojectable as e:
        return str(e)
    return None


def _import_event(record: Any) -> CardImport:
    """The import, as the aggregate whose event records it, from its `card_imports` row."""
    return CardImport(
        card_import_id=record.card_import_id,
        file_name=record.file_name,
        file_sha256=record.file_sha256,
        profile=record.profile,
        imported=record.imported,
        duplicates=record.duplicates,
        rejected=record.rejected,
        skipped_pending=record.skipped_pending,
        rows_digest=record.rows_digest,
        first_posted=record.first_posted,
        command_id=f"import:{record.file_sha256[:16]}",
        effective=record.last_posted,
    )
