"""The card data the ledger keeps beside its events: imports and their transactions.

These are source data, not read models: a projection rebuild never touches
them. Money is integer pence, dates are dates. A transaction is stored once
however many exports carry it, guarded by two unique keys:

- `identity`, the reader's identity of the row within its provider's exports:
  a provider id (`id:<source>:<id>`; the row has a `source`), unique; or a
  digest of the row's content (its posted day among it) and occurrence,
  unique with its posted day (migration 0018). A digest is of its day, so
  that key is as strict as the digest's alone, and it appends: digests are
  random, and each took its entry anywhere in a key of them alone;
- the cross-source key (posted date, card, signed amount, running balance,
  occurrence), unique, so the same transaction from two different providers'
  formats is recognised although their identities differ. Two rows with ids
  from the same `source` are told apart by their ids even when their content
  is the same: the import gives the newer one the next occurrence (see
  `importer` and `direct`), so the key stays unique.

The keys are built for appending (migrations 0014, 0018): the content key and
the digests' key lead with the posted date, and exports arrive in date order,
so an import's rows land at their end. Nothing else indexes the rows: an
import's rows are the ids after the largest stored when it began (imports are
serialised), and reads by card go through `card_month_totals` or name the
posted days they want. On PostgreSQL
the keys' text compares byte by byte, as on SQLite (migration 0016).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    func,
    literal_column,
)

from isf_ledger.adapters.schema import metadata

# Stands in for "no running balance" in the cross-source key, so that its
# index serves the lookup; no card holds minus ninety quadrillion pence.
NO_BALANCE = -9_000_000_000_000_000_000
IDENTITY_LENGTH = 255


def _in_code_order(length: int) -> String:
    """Text compared byte by byte: on PostgreSQL the "C" collation (migration 0016), a
    `memcmp` where the default takes `strcoll` in every index comparison."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


card_imports = Table(
    "card_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("card_import_id", String(32), unique=True),
    Column("file_name", Text, nullable=False),
    Column("file_sha256", String(64), nullable=False, index=True),
    Column("profile", String(64), nullable=False),
    Column("imported", BigInteger, nullable=False),
    Column("duplicates", BigInteger, nullable=False),
    Column("rejected", BigInteger, nullable=False),
    Column("skipped_pending", BigInteger, nullable=False),
    Column("rows_digest", String(64), nullable=False),
    Column("first_posted", Date),
    Column("last_posted", Date),
    Column("recorded_at", String(32), nullable=False),
    Column("event_recorded", Boolean, nullable=False),
)

card_transactions = Table(
    "card_transactions",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    # Which import added the row, for `--as-at`: no foreign key, no index (see above).
    Column("import_id", Integer, nullable=False),
    Column("identity", _in_code_order(IDENTITY_LENGTH), nullable=False),
    Column("source", String(32)),  # the profile's source when the row has a provider id
    Column("card_id", _in_code_order(64), nullable=False),
    Column("posted_on", Date, nullable=False),
    Column("transaction_on", Date),
    Column("type", String(10), nullable=False),
    Column("pence", BigInteger, nullable=False),
    Column("balance_pence", BigInteger),
    Column("occurrence", Integer, nullable=False),
    Column("description", Text, nullable=False),
    Column("merchant", Text, nullable=False),
    Column("mcc", String(4), nullable=False),
    Column("line", BigInteger, nullable=False),
)

t = card_transactions
LOADS, CASH = t.c.type == "LOAD", t.c.type == "ATM"
PROVIDER, CONTENT = t.c.source.is_not(None), t.c.source.is_(None)
# The identity key in two parts (see above): provider ids, and digests by day.
Index(
    "ix_card_transactions_identity",
    t.c.identity,
    unique=True,
    postgresql_where=PROVIDER,
    sqlite_where=PROVIDER,
)
Index(
    "ix_card_transactions_digest",
    t.c.posted_on,
    t.c.identity,
    unique=True,
    postgresql_where=CONTENT,
    sqlite_where=CONTENT,
)
# Also the index for one month's rows, and one card's on given days.
Index(
    "ix_card_transactions_content",
    t.c.posted_on,
    t.c.card_id,
    t.c.pence,
    func.coalesce(t.c.balance_pence, literal_column(str(NO_BALANCE))),
    t.c.occurrence,
    unique=True,
)
# A month's loads (and the matching window's) for the reconciliation, without a pass
# over the month's other rows: a few in a hundred rows take an entry (migration 0015),
# with what it reads of them on PostgreSQL, so the index alone answers (migration 0017).
Index(
    "ix_card_transactions_loads",
    t.c.posted_on,
    postgresql_where=LOADS,
    sqlite_where=LOADS,
    postgresql_include=["card_id", "pence", "id", "description", "import_id"],
)
# The cash of the cards over the month's limit, by card: no pass over the month either.
Index(
    "ix_card_transactions_cash",
    t.c.card_id,
    t.c.posted_on,
    postgresql_where=CASH,
    sqlite_where=CASH,
)
del t

# Each import's rows summed by card and posted month (`YYYY-MM`), kept beside
# them so a reconciliation reads thousands of rows instead of millions; see
# `month_totals`. Derived, exact, and rebuilt from `card_transactions`.
card_month_totals = Table(
    "card_month_totals",
    metadata,
    Column("import_id", Integer, ForeignKey("card_imports.id"), primary_key=True),
    Column("card_id", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("row_count", BigInteger, nullable=False),
    Column("pence", BigInteger, nullable=False),  # every type
    Column("loads", BigInteger, nullable=False),
    Column("purchases", BigInteger, nullable=False),
    Column("refunds", BigInteger, nullable=False),
    Column("atm", BigInteger, nullable=False),
    Column("fees", BigInteger, nullable=False),
    Column("reversals", BigInteger, nullable=False),
    # The group's last row by (posted date, id), for the month's reported closing.
    Column("last_posted", Date, nullable=False),
    Column("last_id", BigInteger, nullable=False),
    Column("last_balance", BigInteger),
    # The group's merchant category codes, sorted, comma-separated: the reconciliation
    # reads only the rows of cards with a blocked one (migration 0015).
    Column("mccs", Text, nullable=False, server_default=""),
)
Index("ix_card_month_totals_card", card_month_totals.c.card_id, card_month_totals.c.month)
