"""The ledger's use cases, as methods of one application service.

Every entry point calls one method here and renders what it returns; none
opens a connection or brings a read model up to date itself. Writes go
through a unit of work and are sealed and projected before the method
returns. The reports are the reading half, mixed in from `reading`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from isf_ledger.adapters.card_files.profile import Profile
from isf_ledger.adapters.card_files.rejects import RejectsWriter
from isf_ledger.adapters.card_store.month_totals import rebuild_month_totals
from isf_ledger.adapters.database import Database
from isf_ledger.adapters.event_store import LedgerApp, store_events
from isf_ledger.adapters.personal_data import PersonKeys
from isf_ledger.adapters.seal import seal_new, seal_stored
from isf_ledger.adapters.statistics import fresh_statistics
from isf_ledger.application import card_import as importer
from isf_ledger.application.accounts import Accounts
from isf_ledger.application.reading import Reading
from isf_ledger.domain.errors import LedgerError
from isf_ledger.projections import catalogue
from isf_ledger.projections.runner import (
    Projection,
    Recorded,
    catch_up,
    check_projectable,
    instant,
    page_cache,
    paused_collector,
    project_stored,
    rebuild,
)
from isf_ledger.reports.card_queries import card_balance
from isf_ledger.reports.exception_refresh import refresh
from isf_ledger.reports.exceptions import (
    open_debt,
    stored_exception,
)
from isf_ledger.reports.payments import PaymentsDue, RunResult
from isf_ledger.reports.sources import refs_of
from isf_ledger.settings import Settings

if TYPE_CHECKING:  # loaded where used: `cards import` and the reports start without them
    from isf_ledger.application import returns
    from isf_ledger.application.apply import ApplyResult
    from isf_ledger.application.payments_run import run_payments
    from isf_ledger.application.unit_of_work import UnitOfWork

STORE_CACHE_MB = 64  # SQLite pages a batch's write may keep in memory (its indexes' pages)
FileProgress = Callable[[str | Path, int], importer.Progress]


@dataclass
class Ledger(Reading):
    """One ledger, opened once per run by `bootstrap`; its methods are the use cases."""

    settings: Settings
    db: Database
    app: LedgerApp
    engine: Engine
    keys: PersonKeys
    projections: tuple[Projection, ...] = field(default_factory=catalogue.all_projections)

    @cached_property
    def accounts(self) -> Accounts:
        """The portal's accounts, sessions and access log (`application/accounts.py`)."""
        return Accounts(self.engine, self.knows)

    def knows(self, kind: str, ref: str) -> bool:
        """Has the ledger recorded anything about this provider, person, budget, ...?"""
        with self.engine.connect() as conn:
            return bool(refs_of(conn, kind, ref=ref))

    # ---- writing ---------------------------------------------------------------------

    def apply(self, lines: Iterable[tuple[int, str | bytes]]) -> ApplyResult:
        """Numbered JSONL command lines, as one all-or-nothing batch (bytes are decoded
        line by line, so a line that is not UTF-8 is reported with its number)."""
        from isf_ledger.application.apply import apply_lines

        return apply_lines(self, lines)

    def forget_person(self, person_id: str, *, actor: str | None, reason: str | None) -> None:
        """Record that the person is forgotten, then destroy their key for good."""
        from isf_ledger.application.apply import apply_lines

        result = apply_lines(self, [(1, _forget_line(person_id, actor, reason))])
        if result.errors:
            raise LedgerError(result.errors[0].error)
        self.keys.forget(person_id)

    def import_cards(
        self,
        paths: Sequence[str | Path],
        profile: Profile,
        *,
        skip_invalid: bool = False,
        rejects: RejectsWriter | None = None,
        progress: FileProgress | None = None,
    ) -> importer.ImportReport:
        """Providers' card exports, each file all or nothing, each transaction once."""
        return importer.import_files(
            self, paths, profile, skip_invalid=skip_invalid, rejects=rejects, progress=progress
        )

    def import_returns(
        self,
        source: returns.Source,
        provider_id: str,
        *,
        actor: str,
        name: str | None = None,
        encoding: str = "utf-8",
    ) -> returns.ReturnsResult:
        """A provider's return of hours and costs (a path, bytes or a binary stream),
        for its own agreements only, all or nothing; the same lines again add nothing."""
        from isf_ledger.application import returns

        return returns.import_returns(
            self, source, provider_id, actor=actor, name=name, encoding=encoding
        )

    if TYPE_CHECKING:  # callers are checked against `run_payments`'s own arguments
        payments_run = run_payments
    else:

        def payments_run(self, *args: Any, **kwargs: Any) -> RunResult:
            """A payment run: every payable period of a window in one batch, then its
            files (`payments_run.run_payments`, loaded when a run is asked for)."""
            from isf_ledger.application.payments_run import run_payments

            return run_payments(self, *args, **kwargs)

    def recover(self) -> None:
        """Finish what a run killed part-way left: import events, seals, read models."""
        importer.record_missing_events(self)
        self.catch_up()

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Every read model again, from all the events, in one transaction; then the
        card sums by month, from the stored card rows."""
        read = rebuild(
            self.engine,
            self.app,
            self.projections,
            cache_mb=self.settings.rebuild_cache_mb,
            progress=progress,
        )
        # The card sums are made from stored card rows, not events: their own transaction.
        with self.engine.begin() as conn:
            rebuild_month_totals(conn)
        with fresh_statistics(self.engine):
            self.refresh_exceptions(full=True)
        return read

    def unit_of_work(self) -> UnitOfWork:
        """A batch's unit of work on this ledger (readers use it and never commit it)."""
        from isf_ledger.application.unit_of_work import UnitOfWork

        return UnitOfWork(
            self.app,
            self.keys.seal,
            self.fund_balance,
            lambda kind, budget_id: self.read(refs_of, kind, budget_id=budget_id),
            partial(self.read, card_balance),
            self.known_exception,
            partial(self.read, open_debt, self.app),
            self.settings.surplus_weeks,
            self.store,
        )

    def store(self, events: Sequence[Any]) -> None:
        """A batch's events, sealed and in every read model, in one transaction.

        The events are sealed from what was written and projected as they
        are, without reading the log back; a read model that cannot take
        them fails the transaction (`Unprojectable`), so nothing is stored.
        """
        with self.engine.connect() as conn, page_cache(conn, STORE_CACHE_MB), conn.begin():
            stored = store_events(conn, self.app, events)
            seal_stored(conn, self.app, stored)
            fresh = [Recorded(s.id, e) for s, e in zip(stored, events, strict=True)]
            project_stored(conn, self.app, self.projections, fresh)
        with fresh_statistics(self.engine):  # read off the read models: after their commit
            self.refresh_exceptions()

    def check_projectable(self, events: Sequence[Any]) -> None:
        """Refuse events the read models could not take (see `runner.check_projectable`),
        before anything of them is written."""
        with self.engine.connect() as conn, conn.begin():
            check_projectable(conn, self.projections, events)

    def refresh_exceptions(self, *, full: bool = False) -> None:
        """Bring the exceptions read model up to the read models it is read from, and
        to today's month (`reports/exception_refresh`); `full` examines every month."""
        moment = datetime.now(UTC)
        # Tens of thousands of exceptions raised, none of them cycles: see `reconcile_cards`.
        with self.engine.begin() as conn, paused_collector():
            refresh(
                conn, self.app, self.settings, today=moment.date(), now=instant(moment), full=full
            )

    def known_exception(self, exception_id: str) -> tuple[str, str, str] | None:
        """(kind, subject kind, subject) of an exception the reports raised, or None."""
        with self.engine.connect() as conn:
            found = stored_exception(conn, exception_id)
        if found is None:  # raised in a month begun since the last write or listing?
            self.refresh_exceptions()
            with self.engine.connect() as conn:
                found = stored_exception(conn, exception_id)
        return found

    def catch_up(self, fresh: Sequence[Recorded] = ()) -> int:
        """Seal new events, then bring every read model up to date with them, the
        exceptions last (they are read off the others)."""
        seal_new(self.engine, self.app)
        read = catch_up(self.engine, self.app, self.projections, fresh=fresh)
        if read:
            with fresh_statistics(self.engine):
                self.refresh_exceptions()
        return read

    def payments_due(self, since: date, until: date, *, as_at: str | None = None) -> PaymentsDue:
        """Every schedule period starting in the window still to pay: payable, or not and
        why; with `as_at`, as the ledger stood then."""
        from isf_ledger.application import payments

        return payments.due(self, since, until, as_at=as_at)[0]

    def close(self) -> None:
        self.app.close()
        self.engine.dispose()


def _forget_line(person_id: str, actor: str | None, reason: str | None) -> str:
    """The `ForgetPerson` command line; asking again with the same actor and reason
    is a harmless duplicate."""
    asked = hashlib.sha256(f"{actor}|{reason}".encode()).hexdigest()[:12]
    command = {
        "command_id": f"forget:{person_id}:{asked}",
        "type": "ForgetPerson",
        "person_id": person_id,
        "actor": actor,
        "reason": reason,
    }
    return json.dumps({k: v for k, v in command.items() if v is not None})
