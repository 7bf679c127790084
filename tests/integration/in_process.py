"""Applying commands in this process, for tests of one command family's rules.

No interpreter start-up per file: `apply_lines` is what `isf-ledger apply`
runs once it has read the file. The `ledger` fixture is in `conftest.py`.
"""

from __future__ import annotations

import json
from typing import Any

from isf_ledger.application.apply import ApplyResult, apply_lines
from isf_ledger.bootstrap import Ledger


def numbered(commands: list[dict[str, Any]], prefix: str) -> list[tuple[int, str]]:
    """(line number, JSON line) with a `command_id` of `prefix` and the line number."""
    return [
        (n, json.dumps({"command_id": f"{prefix}{n}", **c}))
        for n, c in enumerate(commands, start=1)
    ]


def applied(ledger: Ledger, commands: list[dict[str, Any]], prefix: str) -> ApplyResult:
    result = apply_lines(ledger, numbered(commands, prefix))
    assert result.errors == [], result.errors
    return result
