"""A month's exceptions stored a slice of cards at a time (`Scope.card_ids`, as the
refresh after an import stores them) leave the table as the month stored at once:
each slice marks gone only what its own cards no longer raise, on both databases.
(`test_import_refresh` checks the slicing refresh against a full one.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Connection, select

from isf_ledger.domain.exceptions import KINDS
from isf_ledger.reports.card_month import UnexpectedLoad
from isf_ledger.reports.exception_rules import Raised, raised_by_card, raised_by_rows
from isf_ledger.reports.exception_store import Scope, exceptions, store

MONTH = "2026-03"
NOW = "2026-04-01T00:00:00+00:00"


def unexpected(card: str, day: int, pounds: str) -> list[Raised]:
    load = UnexpectedLoad(date(2026, 3, day), Decimal(pounds), "Family top up")
    return raised_by_rows(card, [], [], [load], MONTH)


def surplus(card: str, pounds: str) -> list[Raised]:
    return raised_by_card(card, [], [], [], None, Decimal(pounds), MONTH)


def by_id(raised: list[Raised]) -> dict[str, Raised]:
    return {r.exception_id: r for r in raised}


# Stored: K1's surplus and load (both gone now), K2's surplus (its amount changes) and
# K3's load (as it was). Raised now: K2, K3, and K4 and K5 new, after the last slice.
BEFORE = by_id([*surplus("K1", "40.00"), *unexpected("K1", 2, "50.00"),
                *surplus("K2", "10.00"), *unexpected("K3", 3, "20.00")])  # fmt: skip
NOW_RAISED = by_id([*surplus("K2", "12.00"), *unexpected("K3", 3, "20.00"),
                    *unexpected("K4", 4, "30.00"), *surplus("K5", "5.00")])  # fmt: skip
SLICES = [(None, "K2"), ("K2", "K4"), ("K4", None)]


def table_after(conn: Connection, sliced: bool) -> set[tuple]:
    """The table after BEFORE then NOW_RAISED are stored (the latter in slices or not);
    rolled back after."""
    with conn.begin() as transaction:
        store(conn, BEFORE, [MONTH], Scope(set(), None), NOW, kinds=KINDS)
        if sliced:
            for card_ids in SLICES:
                part = {x: r for x, r in NOW_RAISED.items() if _in(r.subject, card_ids)}
                store(conn, part, [MONTH], Scope(set(), None, card_ids), NOW, kinds=KINDS)
        else:
            store(conn, NOW_RAISED, [MONTH], Scope(set(), None), NOW, kinds=KINDS)
        rows = {tuple(row) for row in conn.execute(select(exceptions))}
        transaction.rollback()
    return rows


def _in(card: str, card_ids: tuple[str | None, str | None]) -> bool:
    low, end = card_ids
    return (low is None or card >= low) and (end is None or card < end)


COLUMNS = exceptions.c.keys()
SUBJECT, KIND, GONE_AT = (COLUMNS.index(name) for name in ("subject", "kind", "gone_at"))


def test_a_month_stored_in_slices_of_cards_equals_it_stored_at_once(ledger):
    with ledger.engine.connect() as conn:
        at_once, sliced = table_after(conn, sliced=False), table_after(conn, sliced=True)
    assert sliced == at_once
    gone = {(row[SUBJECT], row[KIND]) for row in at_once if row[GONE_AT]}
    assert gone == {("K1", "surplus"), ("K1", "unexpected-load")}
    assert {row[SUBJECT] for row in at_once} == {"K1", "K2", "K3", "K4", "K5"}
