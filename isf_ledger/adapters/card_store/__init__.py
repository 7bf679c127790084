"""Card transactions as stored: source data beside the event store, not read models.

- `tables`     the stored imports and transactions
- `directory`  which ledger card a row's card column names
- `staging`    streaming rows into the database, fast, on SQLite and PostgreSQL
- `digest`     what an import added, as a digest an auditor can recompute
"""
