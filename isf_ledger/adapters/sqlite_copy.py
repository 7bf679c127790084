"""SQLite's own way to change a table's constraints, for migrations: it cannot alter
them, so the table is made again.

The table's definition as it stands, changed, is made under another name,
filled from the table in id order, and renamed to it; then the table's
indexes are made again as they were (SQLite drops them with the table).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from alembic import op


def copy_table(table: str, change: Callable[[str], tuple[str, int]]) -> None:
    """Make `table` again as `change` makes its `CREATE TABLE` statement. `change`
    returns the statement and how many edits it made: not exactly one, the table is not
    as the migrations made it, and nothing is done."""
    copy = f"{table}_copy"
    sql, indexes = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT sql, (SELECT json_group_array(sql) FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = :t AND sql IS NOT NULL) FROM sqlite_master "
            "WHERE type = 'table' AND name = :t",
            {"t": table},
        )
        .one()
    )
    made, named = re.subn(rf'^CREATE TABLE "?{table}"?', f"CREATE TABLE {copy}", sql)
    made, changed = change(made)
    if (named, changed) != (1, 1):
        raise RuntimeError(f"{table} is not as the migrations made it: {sql}")
    op.execute(made)
    op.execute(f"INSERT INTO {copy} SELECT * FROM {table} ORDER BY id")
    op.drop_table(table)
    op.rename_table(copy, table)
    for index in json.loads(indexes):
        op.execute(index)
