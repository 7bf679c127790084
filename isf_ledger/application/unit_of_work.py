"""One batch of commands as a single unit: all of it is stored, or none.

Aggregates are loaded once per batch and kept here; each command's new events
are collected in the order the commands came, and `commit` saves them all in
one event-store transaction. A batch that is never committed leaves the store
exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import Engine

from isf_ledger.adapters.event_store import LedgerApp, load_aggregates
from isf_ledger.domain import ledger
from isf_ledger.domain.base import LedgerAggregate
from isf_ledger.domain.budget import Budget
from isf_ledger.domain.errors import AlreadyExists, NotFound
from isf_ledger.domain.exceptions import ExceptionCase
from isf_ledger.domain.option_choice import OptionChoice

A = TypeVar("A", bound=LedgerAggregate)


_UNSEEN: Any = object()  # not asked for yet, as against None: asked for, and none


class StaleRead(Exception):
    """Another writer changed the ledger after this batch read it; try again."""


class UnitOfWork:
    """Aggregates and new events of one batch."""

    def __init__(
        self,
        app: LedgerApp,
        seal: Callable[[str, str], str],
        stored_balance: Callable[[str, date], Decimal],
        stored_refs: Callable[[str, str], list[str]],
        card_transactions: Callable[[str, date], Decimal],
        stored_exception: Callable[[str], tuple[str, str, str] | None],
        stored_debt: Callable[[str, str], Decimal],
        card_surplus_weeks: int,
        store: Callable[[Sequence[Any]], None],
    ) -> None:
        self.app = app
        self.seal = seal  # seals a person's personal data with their own key
        self._stored_balance = stored_balance
        self._stored_refs = stored_refs  # (kind, budget_id) -> caller ids, as stored
        self._card_transactions = card_transactions
        self.stored_exception = stored_exception  # id -> (kind, subject kind, subject)
        self._stored_debt = stored_debt  # (subject kind, subject) -> recover debt still owed
        self.card_surplus_weeks = card_surplus_weeks  # the setting `surplus_weeks`
        self._store = store  # events -> stored, sealed and projected, in one transaction
        self.events: list[Any] = []
        self._aggregates: dict[UUID, LedgerAggregate | None] = {}
        self._touched: dict[UUID, LedgerAggregate] = {}
        # What `of_budget` answers from: held aggregates by the budget they hang
        # from, and the read model's refs, each asked once a batch.
        self._of_budget: dict[str, dict[UUID, LedgerAggregate]] = {}
        self._refs: dict[tuple[str, str], list[str]] = {}
        self._made: set[UUID] = set()  # aggregates this batch begins
        self._recorded: list[Any] = []  # the current command's events of no aggregate

    def preload(self, engine: Engine, ids: set[UUID]) -> None:
        """Load every aggregate a batch names with a few queries instead of one each.

        Ids with no events are remembered as absent, so `find` and
        `check_new` answer from memory.
        """
        wanted = ids - self._aggregates.keys()
        self._aggregates.update(dict.fromkeys(wanted))
        with engine.connect() as conn:
            self._hold(load_aggregates(conn, self.app, wanted))
            budgets = {
                Budget.id_for(ref)
                for aggregate in self._aggregates.values()
                if aggregate is not None and (ref := budget_ref(aggregate)) is not None
            } - self._aggregates.keys()
            # The budgets of what the commands name, whose limits their dates keep to.
            self._aggregates.update(dict.fromkeys(budgets))
            self._hold(load_aggregates(conn, self.app, budgets))

    def _hold(self, found: dict[UUID, LedgerAggregate]) -> None:
        """Keep aggregates for the batch, indexed by the budget they hang from."""
        self._aggregates.update(found)
        for key, aggregate in found.items():
            parent = getattr(aggregate, "budget_id", None)
            if parent is not None:
                self._of_budget.setdefault(str(parent), {})[key] = aggregate

    def find(self, cls: type[A], ref: str) -> A | None:
        """The aggregate `ref` of this kind, or None if there is none yet."""
        key = cls.id_for(ref)
        # One lookup when held (a UUID's hash is a Python call, and this is asked
        # several times a command).
        found = self._aggregates.get(key, _UNSEEN)
        if found is _UNSEEN:
            try:
                self._hold({key: self.app.repository.get(key)})
            except AggregateNotFoundError:
                self._aggregates[key] = None
            found = self._aggregates[key]
        if found is None:
            return None
        if not isinstance(found, cls):
            raise NotFound(f"{ref} is a {found.KIND}, not a {cls.KIND}")
        self._touched[key] = found
        return found

    def get(self, cls: type[A], ref: str) -> A:
        """The aggregate `ref` of this kind; refuses an unknown id."""
        found = self.find(cls, ref)
        if found is None:
            raise NotFound(f"unknown {cls.KIND} {ref}")
        return found

    def of_budget(self, cls: type[A], budget_id: str) -> list[A]:
        """Every aggregate of this kind hanging from budget `budget_id`: stored, or
        made earlier in this batch."""
        found: dict[str, A] = {}
        for ref in self._refs_stored(cls.KIND, budget_id):
            stored = self.find(cls, ref)
            if stored is None:
                # The read model is newer than what this batch read: another
                # writer stored it since. Read the ledger again.
                raise StaleRead(f"{cls.KIND} {ref} was stored by another writer")
            found[ref] = stored
        for aggregate in list(self._of_budget.get(budget_id, {}).values()):
            if isinstance(aggregate, cls):
                found.setdefault(cast(Any, aggregate).ref, aggregate)
        return [found[ref] for ref in sorted(found)]

    def _refs_stored(self, kind: str, budget_id: str) -> list[str]:
        """What the read model holds of `kind` hanging from the budget, asked once a batch."""
        if Budget.id_for(budget_id) in self._made:
            return []  # a budget this batch begins has nothing stored hanging from it
        asked = (kind, budget_id)
        if asked not in self._refs:
            self._refs[asked] = self._stored_refs(kind, budget_id)
        return self._refs[asked]

    def check_new(self, cls: type[LedgerAggregate], ref: str) -> None:
        if self.find(cls, ref) is not None:
            raise AlreadyExists(f"{cls.KIND} {ref} already exists")

    def add(self, aggregate: LedgerAggregate) -> None:
        """A new aggregate made by this command."""
        self._hold({aggregate.id: aggregate})
        self._made.add(aggregate.id)
        self._touched[aggregate.id] = aggregate

    def check_dates(self) -> None:
        """Hold every date the current command records to its budget's limits.

        The rule is the budget's (`Budget.check_dates_in_limits`); this finds
        the budget of each aggregate the command changed.
        """
        for aggregate in list(self._touched.values()):
            dated = (getattr(e, "effective", None) for e in aggregate.pending_events)
            days = [day for day in dated if day is not None]
            if days and (ref := budget_ref(aggregate)) is not None:
                budget = aggregate if isinstance(aggregate, Budget) else self.get(Budget, ref)
                budget.check_dates_in_limits(days)

    def record(self, event: Any) -> None:
        """An event of the current command made without an aggregate (its record,
        `command_record.accepted`): kept before the events of what it touched."""
        self._recorded.append(event)

    def keep(self) -> None:
        """The current command succeeded: keep its events, in order."""
        self.events.extend(self._recorded)
        self._recorded.clear()
        for aggregate in self._touched.values():
            self.events.extend(aggregate.collect_events())
        self._touched.clear()

    def drop(self) -> None:
        """The current command was refused: forget what it touched."""
        self._recorded.clear()
        for key, aggregate in self._touched.items():
            if aggregate.collect_events():
                # A handler changed state before refusing; reload it fresh.
                del self._aggregates[key]
                self._made.discard(key)
                self._of_budget.get(str(getattr(aggregate, "budget_id", None)), {}).pop(key, None)
        self._touched.clear()

    def balance(self, account: str, on: date) -> Decimal:
        """A fund's balance on `on`: what is stored plus this batch's kept legs."""
        pending = sum(
            (
                e.legs.get(account, Decimal(0))
                for e in self.events
                if hasattr(e, "legs") and e.effective <= on
            ),
            Decimal("0.00"),
        )
        return self._stored_balance(account, on) + pending

    def card_balance(self, card_id: str, on: date) -> Decimal:
        """A card's balance on `on`: its transactions posted by then, as its provider
        exported them, less what this batch has already taken off it (recoveries,
        which no export can show yet; payments onto it count once exported)."""
        account = ledger.card(card_id)
        taken = sum(
            (
                min(e.legs.get(account, Decimal(0)), Decimal(0))
                for e in self.events
                if hasattr(e, "legs") and e.effective <= on
            ),
            Decimal("0.00"),
        )
        return self._card_transactions(card_id, on) + taken

    def open_debt(self, subject_kind: str, subject: str) -> Decimal:
        """The `recover` debt still owed from an agreement's or a card's fund: as
        stored, plus the debts this batch's decisions opened."""
        opened = sum(
            (
                e.amount
                for e in self.events
                if isinstance(e, cast(Any, ExceptionCase).Resolved)
                and e.outcome == "recover"
                and getattr(e, f"{subject_kind}_id", None) == subject
            ),
            Decimal("0.00"),
        )
        return self._stored_debt(subject_kind, subject) + opened

    def commit(self) -> None:
        """Store every kept event in one transaction, sealed and in every read model."""
        if self.events:
            self._store(self.events)


_OWN_BUDGET = (Budget, OptionChoice)  # made once: asked for every command's aggregates


def budget_ref(aggregate: LedgerAggregate) -> str | None:
    """The budget an aggregate belongs to: its own `budget_id`, or itself
    (a budget, and a budget's option choice, share the budget's id)."""
    if isinstance(aggregate, _OWN_BUDGET):
        return aggregate.ref
    ref = getattr(aggregate, "budget_id", None)
    return str(ref) if ref is not None else None
