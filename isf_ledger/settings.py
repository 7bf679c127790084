"""Settings: where the ledger lives and the council's adjustable defaults.

Every number a council may change (flex review threshold, blocked merchant
categories, cash limits, matching windows) is a setting here, never a literal
inside a rule.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal

DEFAULT_DB = "./isf-ledger.db"

# Merchant category codes that need a look on a direct-payment card.
DEFAULT_BLOCKED_MCCS = {
    "7995": "gambling",
    "6051": "quasi-cash",
    "4829": "wire transfer",
    "5933": "pawn shop",
}


@dataclass(frozen=True)
class Settings:
    """What one run of the ledger needs to know, built once in `bootstrap`."""

    db_url: str = DEFAULT_DB
    blocked_mccs: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_BLOCKED_MCCS))
    monthly_cash_limit: Decimal = Decimal("300.00")
    load_match_days: int = 5
    flex_variance_threshold: Decimal = Decimal("0.10")
    surplus_weeks: int = 8  # a card's balance above this many weeks of payments is surplus
    batch_size: int = 5000
    rebuild_cache_mb: int = 512  # SQLite pages a rebuild may keep in memory
    # PostgreSQL ends a session left idle inside a transaction after this many
    # seconds (0: never). eventsourcing's default of 5 s killed a large batch on
    # a busy machine while the client was still building its INSERT.
    pg_idle_in_transaction_s: int = 600
    at_rest_key: str | None = None
    # The council's own account, the originator of its bank payment files.
    bank_sort_code: str | None = None
    bank_account: str | None = None
    bank_name: str | None = None
    # The largest provider return accepted (an upload or a file): 2 MB holds
    # some 40,000 lines, years of weekly hours for a large provider.
    returns_max_bytes: int = 2_000_000


def settings_from_env(db_url: str | None = None) -> Settings:
    """Settings from the command line and the environment (`ISF_LEDGER_*`)."""
    env = os.environ
    blocked = DEFAULT_BLOCKED_MCCS
    if env.get("ISF_LEDGER_BLOCKED_MCCS"):
        blocked = {
            code.strip(): "blocked category" for code in env["ISF_LEDGER_BLOCKED_MCCS"].split(",")
        }
    return Settings(
        db_url=db_url or env.get("ISF_LEDGER_DB") or DEFAULT_DB,
        blocked_mccs=dict(blocked),
        monthly_cash_limit=Decimal(env.get("ISF_LEDGER_CASH_LIMIT", "300.00")),
        load_match_days=int(env.get("ISF_LEDGER_LOAD_MATCH_DAYS", "5")),
        surplus_weeks=int(env.get("ISF_LEDGER_SURPLUS_WEEKS", "8")),
        rebuild_cache_mb=int(env.get("ISF_LEDGER_REBUILD_CACHE_MB", "512")),
        pg_idle_in_transaction_s=int(env.get("ISF_LEDGER_PG_IDLE_IN_TRANSACTION_S", "600")),
        at_rest_key=env.get("ISF_LEDGER_AT_REST_KEY") or None,
        bank_sort_code=env.get("ISF_LEDGER_BANK_SORT_CODE") or None,
        bank_account=env.get("ISF_LEDGER_BANK_ACCOUNT") or None,
        bank_name=env.get("ISF_LEDGER_BANK_NAME") or None,
        returns_max_bytes=int(env.get("ISF_LEDGER_RETURNS_MAX_BYTES", "2000000")),
    )
