"""One import's sums by card and month, taken from its rows as they are added.

`month_totals.add_month_totals` makes the same sums with a GROUP BY over the
stored rows, which costs the import about 40% more; the writer sees every row
it adds, in the order they are stored, so it sums them on the way (polars, a
chunk at a time, no Python a row) and writes them in one insert at the end.

The last row of a group is the latest by (posted date, id). Within one import
ids rise in the order rows are stored, so it is the latest by (posted date,
stored order): a stable sort by posted date and the last of each group. Its id
is not known on the way (`COPY` returns none), but its content (card, date,
amount, balance, occurrence) is a unique key, so the insert looks each group's
last id up by it, one index probe a group. `rebuild_month_totals` stays the
reference, and the tests hold the two equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.card_store.month_totals import TOTALS
from isf_ledger.adapters.card_store.tables import NO_BALANCE
from isf_ledger.adapters.statistics import planner_settings

if TYPE_CHECKING:
    import polars as pl

HELD = 200_000  # partial groups held before they are summed into one
# PostgreSQL: the table's statistics predate the import (a fresh ledger's say it is
# empty), so the planner would scan it for each group's last id: probe the key instead.
_PROBE = {"enable_seqscan": "off"}

# What a chunk's rows give, by their stored position (see `staging.COLUMNS`).
_ROW_COLUMNS = {"card_id": 3, "posted_on": 4, "type": 6, "pence": 7, "balance_pence": 8,
                "occurrence": 9}  # fmt: skip
_LAST = ("posted_on", "pence", "balance_pence", "occurrence")
_SUMS = ("row_count", "pence", *(n for n, _ in TOTALS))
_GROUP = ("card_id", "month", *_SUMS, *(f"last_{c}" for c in _LAST))
_TEMP = {
    "sqlite": "CREATE TEMP TABLE card_month_sums (card_id text, month text, {sums}, "
    "last_posted_on text, last_pence integer, last_balance_pence integer, "
    "last_occurrence integer)",
    "postgresql": "CREATE TEMP TABLE card_month_sums (card_id text, month text, {sums}, "
    "last_posted_on date, last_pence bigint, last_balance_pence bigint, "
    "last_occurrence bigint) ON COMMIT DROP",
}
_INSERT = """INSERT INTO card_month_totals (import_id, card_id, month, {sums},
    last_posted, last_id, last_balance)
SELECT {import_id}, s.card_id, s.month, {s_sums}, s.last_posted_on,
    (SELECT c.id FROM card_transactions c WHERE c.card_id = s.card_id
        AND c.posted_on = s.last_posted_on AND c.pence = s.last_pence
        AND coalesce(c.balance_pence, {no}) = coalesce(s.last_balance_pence, {no})
        AND c.occurrence = s.last_occurrence AND c.import_id = {import_id}),
    s.last_balance_pence
FROM card_month_sums s"""


class MonthSums:
    """Sums one import's rows by card and month as they are added, in stored order."""

    def __init__(self) -> None:
        self.parts: list[pl.DataFrame] = []
        self.held = 0
        self.rows = 0

    def add_rows(self, rows: Sequence[Sequence[Any]]) -> None:
        """Rows as stored (dates as ISO text or dates), in the order they were stored."""
        if not rows:
            return
        import polars as pl

        columns = {name: [r[i] for r in rows] for name, i in _ROW_COLUMNS.items()}
        columns["posted_on"] = [str(day) for day in columns["posted_on"]]
        schema = {"card_id": pl.String, "posted_on": pl.String, "type": pl.String,
                  "pence": pl.Int64, "balance_pence": pl.Int64, "occurrence": pl.Int64}  # fmt: skip
        self.add_frame(pl.DataFrame(columns, schema=schema))

    def add_frame(self, frame: pl.DataFrame) -> None:
        """A frame with at least the stored rows' columns, in the order they were stored."""
        import polars as pl

        month = pl.col("posted_on").str.slice(0, 7).alias("month")
        by_type = [pl.col("pence").filter(pl.col("type") == kind).sum().alias(n)
                   for n, kind in TOTALS]  # fmt: skip
        part = (
            frame.select(*_ROW_COLUMNS)
            .with_columns(pl.col("posted_on").cast(pl.String))
            .sort("posted_on", maintain_order=True)  # stable: stored order within a day
            .group_by("card_id", month)
            .agg(
                pl.len().cast(pl.Int64).alias("row_count"),
                pl.col("pence").sum(),
                *by_type,
                *(pl.col(c).last().alias(f"last_{c}") for c in _LAST),
            )
            .select(_GROUP)
        )
        self.rows += frame.height
        self._hold(part)

    def _hold(self, part: pl.DataFrame) -> None:
        self.parts.append(part)
        self.held += part.height
        if self.held > HELD:
            self._collapse()

    def _collapse(self) -> pl.DataFrame:
        """The parts summed into one, keeping the latest last row (parts are in stored order)."""
        import polars as pl

        if not self.parts:
            return pl.DataFrame()
        whole = (
            pl.concat(self.parts)
            .sort("last_posted_on", maintain_order=True)
            .group_by("card_id", "month")
            .agg(
                *(pl.col(n).sum() for n in _SUMS),
                *(pl.col(f"last_{c}").last() for c in _LAST),
            )
            .select(_GROUP)
        )
        self.parts, self.held = [whole], whole.height
        return whole

    def write(self, conn: Connection, import_id: int) -> int:
        """Insert the sums into `card_month_totals` in the caller's transaction; returns
        how many rows they sum."""
        whole = self._collapse()
        if whole.is_empty():
            return 0
        driver: Any = conn.connection.driver_connection
        postgres = conn.dialect.name == "postgresql"
        sums = ", ".join(f"{n} bigint" for n in _SUMS)
        if not postgres:
            driver.execute("DROP TABLE IF EXISTS temp.card_month_sums")
        driver.execute(_TEMP[conn.dialect.name].format(sums=sums))
        insert_rows(conn, "card_month_sums", _GROUP, whole.rows())
        names = ", ".join(_SUMS)
        with planner_settings(conn, _PROBE):
            driver.execute(
                _INSERT.format(
                    sums=names,
                    s_sums=", ".join(f"s.{n}" for n in _SUMS),
                    import_id=int(import_id),
                    no=NO_BALANCE,
                )
            )
        if not postgres:
            driver.execute("DROP TABLE temp.card_month_sums")
        return int(whole["row_count"].sum())
