"""SQL tables beside the event store, on one SQLAlchemy `MetaData`.

The event store's own table belongs to eventsourcing. Everything here is
created by the Alembic migrations in `migrations/`; projections define their
read-model tables on the same `metadata` in their own modules.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, LargeBinary, MetaData, String, Table

metadata = MetaData()

# Not a read model: destroying a row is how a person is forgotten, so a
# rebuild must never touch it.
person_keys = Table(
    "person_keys",
    metadata,
    Column("person_id", String(64), primary_key=True),
    Column("key", LargeBinary, nullable=False),
)

# How far each projection has read the notification log; committed in the
# same transaction as the rows it covers.
projection_positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)
