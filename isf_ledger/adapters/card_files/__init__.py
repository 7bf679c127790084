"""Card exports as files: the whole CSV story in one folder.

- `profile`   what a provider's export looks like (columns, encoding, dates, signs), from TOML
- `reader`    the bytes of one file to `CardRow`s, or a `RowProblem` with line and reason
- `cells`     one cell at a time: money, dates, card numbers cut to four digits
- `identity`  which transaction a row is, across files and formats
- `rejects`   bad rows written back out, unchanged, with their reasons
"""
