"""Payment cards' transactions: imported from providers' exports, reconciled each month.

- `tables`     the stored imports and transactions (source data, not read models)
- `directory`  which ledger card a row's card column names
- `bulk`       streaming rows into the database, fast, on SQLite and PostgreSQL
- `importer`   one file, all or nothing, exactly once; the import's event
- `rejects`    bad rows written back out, unchanged, with their reasons
- `digest`     what an import added, as a digest an auditor can recompute
- `matching`   payments to loads, one to one
- `reconcile`  the monthly reconciliation of every card, in a few set-based queries
- `queries`    card rows and totals for statements, and the journal export
"""
