"""The application layer: the ledger's use cases, one method each.

`service.Ledger` is what every entry point (the command line, the benchmarks,
the demo) talks to: each method takes typed arguments, opens what it needs
(the unit of work, a connection), brings the read models up to date, and
returns a typed result for the caller to render. `bootstrap` builds it; the
modules beside it hold the use cases that need more than a few lines.
"""
