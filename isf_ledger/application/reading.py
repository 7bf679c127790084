"""The ledger's reading use cases: statements, reconciliation, exceptions, audit.

Mixed into `service.Ledger`, the one application service, so every entry
point still calls one method of the ledger. Reports bring the read models up
to date where the contract says they are current (`Ledger.catch_up`), then
read them in one connection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, Unpack

from sqlalchemy import Engine

from isf_ledger.adapters.card_store.digest import import_problems
from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.adapters.journal import JournalEntry
from isf_ledger.adapters.seal import Verification, verify
from isf_ledger.domain.card_matching import Payment
from isf_ledger.domain.errors import NotFound
from isf_ledger.projections.audit_trail import Change, TrailFilter, trail
from isf_ledger.projections.ledger_legs import balance, journal
from isf_ledger.projections.runner import (
    Recorded,
    instant,
    paused_collector,
)
from isf_ledger.reports.card_loads import card_payments
from isf_ledger.reports.card_month import CardReconciliation
from isf_ledger.reports.card_queries import card_journal
from isf_ledger.reports.card_reconciliation import known_card, reconcile_cards
from isf_ledger.reports.card_surplus import weekly_shares
from isf_ledger.reports.exceptions import (
    ExceptionList,
    exception_list,
    refs_of_raised,
    with_refs_isf,
)
from isf_ledger.reports.person_statement import PersonStatement, person_statement
from isf_ledger.reports.provider_statement import ProviderStatement, provider_statement
from isf_ledger.reports.sources import refs_of
from isf_ledger.settings import Settings

JournalWriter = Callable[[Iterable[JournalEntry], TextIO], None]
T = TypeVar("T")


class Reading:
    """The reading half of `Ledger` (the writing half is in `service`)."""

    settings: Settings
    app: LedgerApp
    engine: Engine

    if TYPE_CHECKING:  # the writing half's, which reports call to be current

        def catch_up(self, fresh: Sequence[Recorded] = ()) -> int: ...

        def refresh_exceptions(self, *, full: bool = False) -> None: ...

    def provider_statement(
        self,
        provider_id: str,
        month: str,
        *,
        as_at: str | None = None,
        previous_as_at: str | None = None,
    ) -> ProviderStatement:
        """Each person's ISF the provider holds, for one month."""
        with self.engine.connect() as conn:
            statement = provider_statement(
                conn,
                self.app,
                self.settings,
                provider_id,
                month,
                as_at=as_at,
                previous_as_at=previous_as_at,
            )
            return with_refs_isf(conn, self.app, statement)

    def person_statement(
        self, person_id: str, *, budget_id: str | None = None, as_at: str | None = None
    ) -> PersonStatement:
        """A plain statement of one budget for the supported person."""
        with self.engine.connect() as conn:
            return person_statement(conn, self.app, person_id, budget_id=budget_id, as_at=as_at)

    def reconcile_cards(
        self, month: str, *, card: str | None = None, as_at: str | None = None
    ) -> CardReconciliation:
        """Every card's month (or one card's, refusing a card the ledger never saw)."""
        self.catch_up()
        # Tens of thousands of flags and loads, kept: the collector's passes over them
        # cost about a sixth of the report.
        with self.engine.connect() as conn, paused_collector(kept=True):
            if card is not None and not known_card(conn, card, as_at):
                raise NotFound(f"unknown card {card}")
            weekly = weekly_shares(conn, self.app, card, as_at)
            return reconcile_cards(
                conn,
                month,
                self.settings,
                refs=lambda raised: refs_of_raised(conn, self.app, raised, as_at),
                card=card,
                as_at=as_at,
                weekly=weekly,
            )

    def exceptions(
        self,
        *,
        month: str | None = None,
        status: str = "open",
        today: date | None = None,
        as_at: str | None = None,
    ) -> ExceptionList:
        """Every exception the reports raise (and raised), oldest first, with decisions;
        with `as_at`, as the ledger stood then."""
        if as_at is None:
            self.catch_up()
            self.refresh_exceptions()  # nothing to do unless a month has turned
        with self.engine.connect() as conn:
            return exception_list(
                conn,
                self.app,
                today=today or date.fromisoformat((as_at or instant(datetime.now(UTC)))[:10]),
                month=month,
                status=status,
                as_at=as_at,
                settings=self.settings,
            )

    def provider_exceptions(
        self,
        provider_id: str,
        *,
        month: str | None = None,
        status: str = "open",
        as_at: str | None = None,
    ) -> ExceptionList:
        """The exceptions raised on the provider's own agreements, and no others."""
        found = self.exceptions(month=month, status=status, as_at=as_at)
        with self.engine.connect() as conn:
            held = {f"agreement {a}" for a in refs_of(conn, "agreement", provider_id=provider_id)}
        mine = tuple(x for x in found.exceptions if x.subject in held)
        counts = Counter(x.kind for x in mine)
        return replace(found, counts=dict(sorted(counts.items())), exceptions=mine)

    def card_payments(self, since: date, until: date) -> list[Payment]:
        """Payments the ledger made to cards between two dates."""
        with self.engine.connect() as conn:
            return card_payments(conn, since, until)

    def audit_trail(self, **where: Unpack[TrailFilter]) -> list[Change]:
        """Every recorded change concerning the subjects, oldest first."""
        with self.engine.connect() as conn:
            return trail(conn, **where)

    def verify(
        self,
        *,
        recorded_head: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Verification:
        """Walk the hash chain over every event; check every import's rows and every leg."""
        total = self.app.recorder.max_notification_id() or 0
        return verify(
            self.engine,
            self.app,
            progress=(lambda position: progress(position, total)) if progress else None,
            extra_checks=(import_problems,),
            recorded_head=recorded_head,
        )

    def export(self, write: JournalWriter, out: TextIO, *, as_at: str | None = None) -> None:
        """The whole ledger as a journal, through `write` (beancount or hledger)."""
        with self.engine.connect() as conn:
            # Card transactions after the ledger's own entries; both tools sort by date.
            write(chain(journal(conn, as_at=as_at), card_journal(conn, as_at=as_at)), out)

    def fund_balance(self, account: str, on: date) -> Decimal:
        """The balance of a fund (ISF or card) on a business date, as stored."""
        with self.engine.connect() as conn:
            return balance(conn, account, on=on)

    def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """One read-model query on a connection of its own (the unit of work's lookups)."""
        with self.engine.connect() as conn:
            return query(conn, *args, **kwargs)
