"""One import's card sums by card and month, added up from the rows as it stores them.

Summing the import's rows again after the import (a GROUP BY over them, see
`month_totals`) took 2-3 s per 250,000 rows on SQLite, and finding each
group's last row by its id on the table ran for minutes on PostgreSQL. The
writer knows each row it stores and its id (see `direct`), so it hands them
here batch by batch: only rows actually stored are counted. Each batch is
grouped by polars, and the groups are merged with those before, so memory
holds cards x months, not rows. Each group keeps the set of its rows'
merchant category codes too, written sorted and comma-separated (`mccs`).
The sums are the same as `add_month_totals` and `add_month_mccs` make from
the stored rows (`rebuild_month_totals` still does, and the tests compare
the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from isf_ledger.adapters.bulk_rows import insert_rows
from isf_ledger.adapters.card_store.month_totals import TOTALS

if TYPE_CHECKING:
    import polars as pl

# What a batch's rows give the sums, as `staging.COLUMNS` names them.
SUMMED = ("card_id", "posted_on", "type", "pence", "balance_pence", "mcc")
_MERGE_AFTER = 16  # batches' groups held before they are merged into one frame
_SUMS = ("row_count", "pence", *(name for name, _ in TOTALS))


class MonthSums:
    """The sums of the rows one import stored, by card and posted month (`YYYY-MM`)."""

    def __init__(self) -> None:
        self.parts: list[pl.DataFrame] = []

    def groups(self, frame: pl.DataFrame) -> pl.DataFrame:
        """A batch's sums before it is stored, its ids counted from 0 (see `add_groups`):
        the writer makes them while the database stores the rows."""
        import polars as pl  # loaded already, by whoever made the frame

        return self._grouped(frame.select(*SUMMED, id=pl.int_range(frame.height, dtype=pl.Int64)))

    def add_groups(self, groups: pl.DataFrame, first_id: int) -> None:
        """Count a batch's `groups`, now stored whole with ids from `first_id` on."""
        import polars as pl

        self._add(groups.with_columns(pl.col("last_id") + first_id))

    def add_rows(self, rows: Sequence[Sequence[Any]], ids: Sequence[int]) -> None:
        """Count rows stored with these ids; each row holds `SUMMED` in that order
        (`posted_on` a date or its ISO text)."""
        if not rows:
            return
        import polars as pl

        columns = list(zip(*rows, strict=True))
        frame = pl.DataFrame(
            {
                "card_id": pl.Series(columns[0], dtype=pl.String),
                "posted_on": pl.Series([str(day) for day in columns[1]], dtype=pl.String),
                "type": pl.Series(columns[2], dtype=pl.String),
                "pence": pl.Series(columns[3], dtype=pl.Int64),
                "balance_pence": pl.Series(columns[4], dtype=pl.Int64),
                "mcc": pl.Series(columns[5], dtype=pl.String),
                "id": pl.Series(ids, dtype=pl.Int64),
            }
        )
        self._add(self._grouped(frame))

    def _add(self, groups: pl.DataFrame) -> None:
        self.parts.append(groups)
        if len(self.parts) >= _MERGE_AFTER:
            self.parts = [self._merged()]

    def _grouped(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Rows with `SUMMED` and `id`, summed by card and month."""
        import polars as pl

        pence, kind, order = pl.col("pence"), pl.col("type"), ["posted_on", "id"]
        return frame.group_by("card_id", month=pl.col("posted_on").str.slice(0, 7)).agg(
            row_count=pl.len().cast(pl.Int64),
            pence=pence.sum(),
            **{name: pence.filter(kind == k).sum() for name, k in TOTALS},
            last_posted=pl.col("posted_on").max(),
            last_id=pl.col("id").sort_by(order).last(),
            last_balance=pl.col("balance_pence").sort_by(order).last(),
            mccs=pl.col("mcc").unique(),
        )

    def _merged(self) -> pl.DataFrame:
        """The parts as one frame: sums added, and the last row by (posted date, id) kept."""
        import polars as pl

        order = ["last_posted", "last_id"]
        return (
            pl.concat(self.parts)
            .group_by("card_id", "month")
            .agg(
                *(pl.col(name).sum() for name in _SUMS),
                pl.col("last_posted").max(),
                pl.col("last_id").sort_by(order).last(),
                pl.col("last_balance").sort_by(order).last(),
                pl.col("mccs").explode().unique(),
            )
        )

    def store(self, conn: Connection, import_id: int) -> int:
        """Write the sums into `card_month_totals`; how many rows they count."""
        if not self.parts:
            return 0
        merged = self._merged()
        import polars as pl

        names = ("import_id", "card_id", "month", *_SUMS, "last_posted", "last_id", "last_balance")
        rows = merged.select(
            pl.lit(import_id, dtype=pl.Int64).alias("import_id"),
            *names[1:],
            pl.col("mccs").list.sort().list.join(","),
        )
        names = (*names, "mccs")
        if conn.dialect.name == "postgresql":  # as CSV made by polars: no Python a row
            driver: Any = conn.connection.driver_connection
            sql = f"COPY card_month_totals ({', '.join(names)}) FROM STDIN (FORMAT csv)"
            with driver.cursor() as cur, cur.copy(sql) as copy:
                copy.write(rows.write_csv(include_header=False))
        else:
            insert_rows(conn, "card_month_totals", names, rows.rows())
        return int(merged["row_count"].sum())
