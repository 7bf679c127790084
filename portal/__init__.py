"""The web portal (`isf-ledger serve`): each party sees only its own figures.

An entry point like `cli/`: it parses a request, calls one use case of the
application (`isf_ledger.application`), and renders the typed record it gets
back with the same renderers as the command line. It never opens the
database itself; accounts, sessions and the access log are use cases too
(`application/accounts.py`). Every route is declared once in `routes.py`
with the roles that may use it, which `tests/portal/test_access_matrix.py`
turns into a route-by-role test.
"""
