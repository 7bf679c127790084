"""Card rows keyed for appending (migration 0014): the content key led by the posted
date, no foreign key or index on `import_id`. Reads by card come from the month sums
and the days named; a ledger made before the migration keeps its rows and reports."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, insert, inspect, select

from isf_ledger.adapters.card_store.digest import import_problems
from isf_ledger.adapters.card_store.stored import StoredIdentities
from isf_ledger.adapters.card_store.tables import card_imports
from isf_ledger.adapters.card_store.tables import card_transactions as t
from isf_ledger.bootstrap import alembic_config, init_ledger, open_ledger
from isf_ledger.projections.ledger_legs import from_pence
from isf_ledger.reports.card_queries import card_balance, card_spending_by_month
from isf_ledger.reports.card_reconciliation import known_card
from isf_ledger.settings import Settings
from tests.integration.card_setup import TWO_CARDS, apply, fixture, import_json

CARDS = ("CARD-A", "CARD-B", "CARD-Z")
DAYS = [date(2026, 2, 27) + timedelta(days=n) for n in range(36)]  # March, and either side
SPENT = {"PURCHASE": -1, "ATM": -1, "FEE": -1, "REFUND": 1, "REVERSAL": 1}


def _schema(conn: Connection) -> tuple[str, list[str], bool]:
    """(the content key's definition, the other indexed columns, whether import_id is a
    foreign key) of `card_transactions`."""
    found = inspect(conn)
    indexed = [c for i in found.get_indexes("card_transactions") for c in i["column_names"] if c]
    if conn.dialect.name == "postgresql":
        sql = "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname"
    else:
        sql = "SELECT sql FROM sqlite_master WHERE name"
    content = conn.exec_driver_sql(f"{sql} = 'ix_card_transactions_content'").scalar_one()
    return content, indexed, bool(found.get_foreign_keys("card_transactions"))


def _by_card(conn: Connection, as_at: str | None = None) -> dict[str, Any]:
    """Each card's balance on each day and spending by month, and whether it is known."""
    return {
        card: (
            [card_balance(conn, card, day, as_at) for day in DAYS],
            card_spending_by_month(conn, [card], as_at=as_at),
            known_card(conn, card, as_at),
        )
        for card in CARDS
    }


def _by_card_from_rows(conn: Connection) -> dict[str, Any]:
    """`_by_card` worked out in Python from every stored row."""
    rows = conn.execute(select(t.c.card_id, t.c.posted_on, t.c.type, t.c.pence)).all()
    found = {}
    for card in CARDS:
        mine = [r for r in rows if r.card_id == card]
        balances = [from_pence(sum(r.pence for r in mine if r.posted_on <= day)) for day in DAYS]
        months: dict[str, Decimal] = {}
        for r in sorted(mine, key=lambda r: r.posted_on):
            month = r.posted_on.strftime("%Y-%m")
            spent = from_pence(-r.pence if r.type in SPENT else 0)
            months[month] = months.get(month, Decimal("0.00")) + spent
        found[card] = (balances, months, bool(mine))
    return found


def test_reads_by_card_are_the_rows_own(db_url, tmp_path):
    apply(db_url, tmp_path, TWO_CARDS)
    code, _ = import_json(db_url, fixture("generic"), profile="generic")
    assert code == 0
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            expected = _by_card_from_rows(conn)
            assert expected["CARD-A"][1] and expected["CARD-A"][0][-1] != 0
            assert _by_card(conn) == expected
            assert _by_card(conn, as_at="2000-01-01T00:00:00Z") == {
                card: ([Decimal("0.00")] * len(DAYS), {}, False) for card in CARDS
            }
    finally:
        ledger.close()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_a_ledger_from_before_the_new_keys_migrates_with_its_rows_and_reports(db_url, tmp_path):
    apply(db_url, tmp_path, TWO_CARDS)
    for name in ("generic", "council-portal"):
        import_json(db_url, fixture(name), profile=name)
    ledger = open_ledger(Settings(db_url=db_url))
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.id)).all()
        by_card = _by_card(conn)
    report = ledger.reconcile_cards("2026-03")
    one = ledger.reconcile_cards("2026-03", card="CARD-A")
    assert rows and report.cards
    with ledger.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0013")
        content, indexed, foreign_key = _schema(conn)
        assert "(card_id, posted_on, pence" in content
        assert "import_id" in indexed and foreign_key
    ledger.close()

    upgraded = init_ledger(Settings(db_url=db_url))
    try:
        with upgraded.engine.connect() as conn:
            content, indexed, foreign_key = _schema(conn)
            assert "UNIQUE" in content and "(posted_on, card_id, pence" in content
            assert "import_id" not in indexed and not foreign_key
            assert conn.execute(select(t).order_by(t.c.id)).all() == rows
            assert _by_card(conn) == by_card
            assert import_problems(conn) == []
        assert upgraded.reconcile_cards("2026-03") == report
        assert upgraded.reconcile_cards("2026-03", card="CARD-A") == one
    finally:
        upgraded.close()
    code, again = import_json(db_url, fixture("generic"), profile="generic")
    assert (code, again["imported"]) == (0, 0)


def test_a_row_of_no_import_is_found(db_url, tmp_path):
    apply(db_url, tmp_path, TWO_CARDS)
    import_json(db_url, fixture("generic"), profile="generic")
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.begin() as conn:
            assert import_problems(conn) == []
            last = conn.scalar(select(card_imports.c.id).order_by(card_imports.c.id.desc()))
            row = conn.execute(select(t).order_by(t.c.id.desc())).first()
            assert row is not None
            values = row._asdict() | {"identity": "slipped-in", "occurrence": 9}
            del values["id"]
            conn.execute(insert(t).values(values | {"import_id": last + 1}))
            assert import_problems(conn) == ["1 card transaction(s) belong to no card import"]
    finally:
        ledger.close()


def _identity_keys(conn: Connection) -> list[tuple[str, bool]]:
    """The unique keys holding `identity`: (their columns, whether partial), sorted."""
    if conn.dialect.name == "postgresql":
        sql = ("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
               "AND tablename = 'card_transactions'")  # fmt: skip
        defs = [d for d in conn.exec_driver_sql(sql).scalars() if "UNIQUE" in d and "identity" in d]
    else:
        defs = [
            f"{sql or ''} ({', '.join(c for _, _, c in info)}) {bool(sql and 'WHERE' in sql)}"
            for name, sql in conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'card_transactions'"
            ).all()
            if (info := conn.exec_driver_sql(f"PRAGMA index_info('{name}')").all())
            and "identity" in [c for _, _, c in info]
        ]
    return sorted(
        ("(posted_on, identity)" if "posted_on, identity" in d else "(identity)", "WHERE" in d)
        for d in defs
    )


HEADER = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"


def _export(path: Path, day: str, with_ids: bool = True) -> Path:
    """Two purchases on card 4821 on `day`: one with a provider id (if `with_ids`), one
    without."""
    path.write_text(HEADER + f"{'T-1' if with_ids else ''},4821,{day},PURCHASE,Shop,SHOP,5411,"
                    f"-5.00,\n,4821,{day},PURCHASE,Shop,SHOP,5411,-6.00,\n")  # fmt: skip
    return path


def test_identities_are_keyed_apart_and_a_ledger_from_before_migrates(db_url, tmp_path):
    """Migration 0018: provider ids keyed alone, content digests by day; rows, reports and
    what counts as stored are the same either side of it."""
    apply(db_url, tmp_path, TWO_CARDS)
    files = [
        (fixture("generic"), "generic"),
        (_export(tmp_path / "m.csv", "2026-03-20"), "generic"),
    ]
    for path, profile in files:
        import_json(db_url, path, profile=profile)
    ledger = open_ledger(Settings(db_url=db_url))
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.id)).all()
        assert _identity_keys(conn) == [("(identity)", True), ("(posted_on, identity)", True)]
    assert {r.source is None for r in rows} == {True, False}
    report = ledger.reconcile_cards("2026-03")
    with ledger.engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0017")
        assert _identity_keys(conn) == [("(identity)", False)]
        assert conn.execute(select(t).order_by(t.c.id)).all() == rows
    ledger.close()

    upgraded = init_ledger(Settings(db_url=db_url))
    try:
        with upgraded.engine.connect() as conn:
            assert _identity_keys(conn) == [("(identity)", True), ("(posted_on, identity)", True)]
            assert conn.execute(select(t).order_by(t.c.id)).all() == rows
        assert upgraded.reconcile_cards("2026-03") == report
    finally:
        upgraded.close()
    for path, profile in files:
        code, again = import_json(db_url, path, profile=profile)
        assert (code, again["imported"]) == (0, 0) and again["duplicates"] > 0


def test_a_provider_id_is_one_transaction_on_any_day(db_url, tmp_path):
    """The same provider id posted on another day is the transaction stored: its key is
    the id alone. Id-less rows on two days are two transactions (the day is content)."""
    apply(db_url, tmp_path, TWO_CARDS)
    first = _export(tmp_path / "first.csv", "2026-03-02")
    assert import_json(db_url, first, profile="generic")[1]["imported"] == 2
    code, out = import_json(
        db_url, _export(tmp_path / "later.csv", "2026-03-03"), profile="generic"
    )
    assert (code, out["imported"], out["duplicates"]) == (0, 1, 1)
    code, out = import_json(db_url, first, profile="generic")
    assert (code, out["imported"], out["duplicates"]) == (0, 0, 2)


@pytest.mark.postgres
def test_digests_are_probed_by_their_key_whatever_the_statistics(pg_url, tmp_path):
    """With statistics that say no row lacks a provider id (every import so far had ids),
    asking which digests are stored still probes the digests' key, one by one: a plan
    that hashed the whole key took each chunk of an id-less import longer than the last."""
    apply(pg_url, tmp_path, TWO_CARDS)
    path = tmp_path / "ids.csv"
    path.write_text(HEADER + "".join(f"T-{n},4821,2026-03-02,PURCHASE,Shop,SHOP,5411,-{n}.00,\n"
                                     for n in range(1, 50)))  # fmt: skip
    assert import_json(pg_url, path, profile="generic")[1]["imported"] == 49
    ledger = open_ledger(Settings(db_url=pg_url))
    keys = [{"d": "2026-03-02", "i": f"{n:064x}"} for n in range(5000)]
    try:
        with ledger.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE card_transactions")
            # As if the table held millions of rows: this one's fifty are read faster whole.
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            driver = conn.connection.driver_connection
            sql = StoredIdentities(driver, postgres=True).by_day
            with driver.cursor() as cur:
                cur.execute(f"EXPLAIN SELECT identity {sql}", [json.dumps(keys)])
                plan = "\n".join(row[0] for row in cur.fetchall())
    finally:
        ledger.close()
    assert "Index Cond: ((posted_on = k.d) AND" in plan, plan
    assert "Hash" not in plan, plan
