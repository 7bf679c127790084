"""A provider's return becomes `RecordHours` and `RecordCost` commands, all or none.

The file is read by `adapters/returns_file.py`; here each line is checked to
be for one of the provider's own agreements, given a `command_id` derived
from the provider and the line's identity (agreement and week for hours, the
cost's id for a cost), and applied through the same batch as `isf-ledger
apply`, with the line numbers of the file. So a return uploaded twice adds
nothing the second time, and a line that comes back with other figures is
refused by name instead of being charged again.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from isf_ledger.adapters.event_store import load_aggregates
from isf_ledger.adapters.returns_file import ReturnLine, read_return
from isf_ledger.application.apply import ApplyResult, LineError, apply_lines, digest
from isf_ledger.domain.command_record import CommandRecord
from isf_ledger.domain.errors import NotFound
from isf_ledger.reports.sources import refs_of

if TYPE_CHECKING:
    from isf_ledger.application.service import Ledger

Source = str | Path | bytes | BinaryIO
COMMAND_TYPES = {"hours": "RecordHours", "cost": "RecordCost"}
REASON = "provider return"


@dataclass
class ReturnsResult(ApplyResult):
    """What became of one return: lines applied, lines already there, or why nothing was."""

    file: str = ""
    provider_id: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "provider_id": self.provider_id, **super().as_json()}


def import_returns(
    ledger: Ledger,
    source: Source,
    provider_id: str,
    *,
    actor: str,
    name: str | None = None,
    encoding: str = "utf-8",
) -> ReturnsResult:
    """One return (a path, its bytes or an open binary stream), all or nothing."""
    result = ReturnsResult(file=name or _name_of(source), provider_id=provider_id)
    data = _read(source, ledger.settings.returns_max_bytes, result)
    if data is None:
        return result
    lines, problems = read_return(io.BytesIO(data), encoding)
    result.errors += [LineError(p.line, None, p.reason) for p in problems]
    if not lines and not problems:
        result.errors.append(LineError(0, None, "the file holds no lines of hours or costs"))
    ledger.catch_up()
    with ledger.engine.connect() as conn:
        if not refs_of(conn, "provider", provider_id=provider_id):
            raise NotFound(f"unknown provider {provider_id}")
        held = set(refs_of(conn, "agreement", provider_id=provider_id))
        commands = {line.line: _command(line, provider_id, actor) for line in lines}
        records = load_aggregates(
            conn,
            ledger.app,
            {CommandRecord.id_for(c["command_id"]) for c in commands.values()},
        )
    for line in lines:
        if line.agreement_id not in held:
            result.errors.append(
                LineError(
                    line.line,
                    None,
                    f"agreement {line.agreement_id} is not one of provider {provider_id}'s "
                    "agreements: a provider returns hours and costs for its own agreements only",
                )
            )
    if result.errors:
        result.errors.sort(key=lambda e: e.line)
        return result
    new: list[tuple[int, str]] = []
    for line in lines:
        command = commands[line.line]
        record = records.get(CommandRecord.id_for(command["command_id"]))
        if record is None:
            new.append((line.line, json.dumps(command)))
        elif digest({**command, "actor": record.actor}) == record.digest:
            result.duplicates += 1  # the same line, returned before (by anyone)
        else:
            result.errors.append(LineError(line.line, command["command_id"], _changed(line)))
    if result.errors or not new:
        return result
    applied = apply_lines(ledger, new)
    result.applied = applied.applied
    result.duplicates += applied.duplicates
    result.errors = applied.errors
    return result


def command_id(provider_id: str, key: str) -> str:
    """The same line of any return from the provider always gets the same id."""
    return "return:" + hashlib.sha256(f"{provider_id}|{key}".encode()).hexdigest()[:40]


def _command(line: ReturnLine, provider_id: str, actor: str) -> dict[str, str]:
    return {
        "command_id": command_id(provider_id, line.key),
        "type": COMMAND_TYPES[line.kind],
        "agreement_id": line.agreement_id,
        **line.fields,
        "actor": actor,
        "reason": REASON,
    }


def _changed(line: ReturnLine) -> str:
    if line.kind == "hours":
        return (
            f"agreement {line.agreement_id}'s hours for the week of {line.fields['week_start']} "
            "were returned before with other figures; a return cannot change them: "
            "ask the council to correct them (CorrectHours)"
        )
    return (
        f"cost {line.fields['cost_id']} was returned before with other figures; a return "
        "cannot change it: ask the council to reverse it (ReverseCost) and return it "
        "under a new cost_id"
    )


def _name_of(source: Source) -> str:
    if isinstance(source, str | Path):
        return str(source)
    return str(getattr(source, "name", "<upload>"))


def _read(source: Source, limit: int, result: ReturnsResult) -> bytes | None:
    """The file's bytes, or None with the reason among `result.errors`."""
    try:
        if isinstance(source, bytes):
            data = source[: limit + 1]
        elif isinstance(source, str | Path):
            with open(source, "rb") as handle:
                data = handle.read(limit + 1)
        else:
            data = source.read(limit + 1)
    except FileNotFoundError:
        result.errors.append(LineError(0, None, "file not found"))
        return None
    except OSError as e:
        result.errors.append(
            LineError(0, None, f"cannot read file: {(e.strerror or str(e)).lower()}")
        )
        return None
    if len(data) > limit:
        result.errors.append(
            LineError(
                0,
                None,
                f"the file is larger than {limit:,} bytes, the most a return may be "
                "(ISF_LEDGER_RETURNS_MAX_BYTES); send it in parts",
            )
        )
        return None
    return data
