"""Rendering reports from plain data into the formats people read.

Pure functions, no database: each takes the report dict in the contract's JSON shape
(money as two-place strings, dates as ISO strings) and returns text or HTML, or writes
CSV. `provider_statement`, `person_statement` and `reconciliation` are the renderers;
`csv_safe`, `money_words`, `layout` and `chart` are the pieces they share.
"""
