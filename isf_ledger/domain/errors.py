"""Why the ledger refused a command, in words a finance officer understands.

Every refusal is a `LedgerError`; the subclasses say which kind of rule was
broken so callers (and tests) can tell them apart without parsing text.
"""


class LedgerError(Exception):
    """A command broke a rule; nothing was applied."""


class NotFound(LedgerError):
    """A command named something the ledger does not know."""


class AlreadyExists(LedgerError):
    """A command tried to create something that already exists."""


class RuleBroken(LedgerError):
    """A command is well formed but the business rules refuse it."""
