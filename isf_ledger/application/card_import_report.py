"""What importing card files did: per file, what was added, skipped or refused, and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KEEP_PROBLEMS = 1000  # per file; more are counted, not kept
KEEP_WARNINGS = 100

# Told the bytes read so far in the current file and the phase it is in:
# "reading", then "storing new rows", "checking what was stored", "recording the import".
Progress = Callable[[int, str], None]


@dataclass
class FileResult:
    """What importing one file did, and what was wrong with it."""

    file: str
    status: str = "imported"  # or "rejected"
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped_pending: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    more_warnings: int = 0
    card_import_id: str | None = None

    def problem(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.problems) < KEEP_PROBLEMS:
            self.problems.append((line, reason))

    def warn(self, line: int, warning: str) -> None:
        if len(self.warnings) < KEEP_WARNINGS:
            self.warnings.append((line, warning))
        else:
            self.more_warnings += 1

    @property
    def more_problems(self) -> int:
        return self.rejected - len(self.problems)


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def any_rejected(self) -> bool:
        return any(f.status == "rejected" for f in self.files)

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.total("imported"),
            "duplicates": self.total("duplicates"),
            "rejected": self.total("rejected"),
            "skipped_pending": self.total("skipped_pending"),
            "errors": [
                {"file": f.file, "line": line, "reason": reason}
                for f in self.files
                for line, reason in f.problems
            ],
            "warnings": [
                {"file": f.file, "line": line, "warning": warning}
                for f in self.files
                for line, warning in f.warnings
            ],
            "files": [
                {
                    "file": f.file,
                    "status": f.status,
                    "imported": f.imported,
                    "duplicates": f.duplicates,
                    "rejected": f.rejected,
                    "skipped_pending": f.skipped_pending,
                    "card_import_id": f.card_import_id,
                }
                for f in self.files
            ],
        }
