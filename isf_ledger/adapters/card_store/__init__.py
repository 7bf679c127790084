"""Card transactions as stored: source data beside the event store, not read models.

- `tables`     the stored imports and transactions
- `directory`  which ledger card a row's card column names
- `direct`     one file's rows written straight into `card_transactions`, each once
- `staging`    rows set aside when they repeat stored content under a new id
- `digest`     what an import added, as a digest an auditor can recompute
- `month_totals` each import's rows summed by card and month, for the reconciliation
- `month_sums` those sums added up by the import from the rows as it stores them
"""
