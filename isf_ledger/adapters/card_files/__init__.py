"""Card exports as files: the whole CSV story in one folder.

- `profile`   what a provider's export looks like (columns, encoding, dates, signs), from TOML
- `reader`    the bytes of one file to `CardRow`s, or a `RowProblem` with line and reason
- `results`   what the reader gives: `CardRow`, `RowProblem`, `SkippedRow`, `RowBatch`
- `row_reader` one row at a time: every check, every message
- `columnar`  plainly good rows in column batches (polars), the rest to the row reader
- `cells`     one cell at a time: money, dates, card numbers cut to four digits
- `identity`  which transaction a row is, across files and formats
- `rejects`   bad rows written back out, unchanged, with their reasons
"""
