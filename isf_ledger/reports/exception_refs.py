"""An exception's id and status, as a statement shows it next to the flag that raised it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExceptionRef:
    exception_id: str
    kind: str
    status: str  # open or resolved (as at the statement's instant)
