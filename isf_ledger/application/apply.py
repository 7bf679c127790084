"""Applying a file of commands: all of it, or none of it.

Every line is checked and tried in order against the ledger as the earlier
lines leave it, so one run reports every bad line. Only when no line is bad
are the events stored, in one transaction with their seals and read-model
rows, with a `CommandRecord` per command so a `command_id` can never be
applied twice.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

import structlog
from eventsourcing.persistence import IntegrityError

from isf_ledger.adapters.card_files.cells import mask_card_numbers, might_hold_card_number
from isf_ledger.adapters.personal_data import KeyTaken
from isf_ledger.application.commands import Command, CommandError, parse_command
from isf_ledger.application.unit_of_work import StaleRead, UnitOfWork
from isf_ledger.domain.base import aggregate_id
from isf_ledger.domain.command_record import CommandRecord, accepted
from isf_ledger.domain.errors import LedgerError
from isf_ledger.handlers import handle
from isf_ledger.projections.runner import Unprojectable, paused_collector, to_json

if TYPE_CHECKING:
    from isf_ledger.application.service import Ledger

log = structlog.get_logger()

ATTEMPTS = 6  # tries of a batch that other writers keep overtaking
MAX_LINE = 1 << 20  # no command is a megabyte long; a longer line is not a command


@dataclass
class LineError:
    line: int
    command_id: str | None
    error: str


@dataclass
class ApplyResult:
    applied: int = 0
    duplicates: int = 0
    errors: list[LineError] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "duplicates": self.duplicates,
            "errors": [vars(e) for e in self.errors],
        }


def digest(obj: Any) -> str:
    """A command's content fingerprint: same JSON content, same digest.

    Card numbers are masked first, as in what is stored: a plain hash of a
    full card number would give it away to a search of a few million guesses.
    """
    canonical = to_json(obj)  # keys sorted, compact, not escaped to ASCII
    if might_hold_card_number(canonical):
        canonical = mask_card_numbers(canonical)
    return hashlib.sha256(canonical.encode()).hexdigest()


def apply_lines(ledger: Ledger, lines: Iterable[tuple[int, str | bytes]]) -> ApplyResult:
    """Apply numbered JSONL lines as one all-or-nothing batch.

    Lines may come as bytes, so a line that is not UTF-8 is reported with its
    number like any other bad line, not as a fault of the whole file.
    """
    with paused_collector():
        parsed = list(_parse(lines))
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with paused_collector():
                return _apply(ledger, parsed)
        except (IntegrityError, KeyTaken, StaleRead):
            # Another process stored some of these command ids, aggregates or
            # person keys between our reads and our write, and nothing of ours
            # was stored: read the ledger again and start over. Each retry means
            # another batch went in, so this ends; a short random pause keeps
            # two retrying processes from meeting again at once.
            log.info("apply.retry", attempt=attempt)
            time.sleep(random.uniform(0.0, 0.05 * attempt))
    result = ApplyResult()
    result.errors.append(
        LineError(
            0,
            None,
            f"other writers changed the ledger {ATTEMPTS} times while this file was "
            "being applied; nothing from it was applied: run it again",
        )
    )
    return result


class Parsed(NamedTuple):
    """One non-blank line: its command, or why it is not one."""

    line: int
    command_id: str | None
    command: Command | None
    digest: str
    problem: str | None


def _parse(lines: Iterable[tuple[int, str | bytes]]) -> Iterable[Parsed]:
    """Every non-blank line, parsed."""
    for number, line in lines:
        try:
            text = line.decode("utf-8") if isinstance(line, bytes) else line
        except UnicodeDecodeError as e:
            problem = f"not UTF-8 text: byte 0x{line[e.start]:02x} at position {e.start + 1}"
            yield Parsed(number, None, None, "", problem)
            continue
        if not text.strip():
            continue
        if len(text) > MAX_LINE:
            too_long = "line is longer than 1 MB; no command is that long"
            yield Parsed(number, None, None, "", too_long)
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            yield Parsed(number, None, None, "", f"not valid JSON: {e.msg} at column {e.colno}")
            continue
        except RecursionError:
            yield Parsed(number, None, None, "", "not a command: JSON nested too deeply")
            continue
        command_id = obj.get("command_id") if isinstance(obj, dict) else None
        command_id = command_id if isinstance(command_id, str) else None
        try:
            yield Parsed(number, command_id, parse_command(obj), digest(obj), None)
        except CommandError as e:
            yield Parsed(number, command_id, None, "", "; ".join(e.problems))


def _apply(ledger: Ledger, parsed: list[Parsed]) -> ApplyResult:
    result = ApplyResult()
    if not parsed:
        result.errors.append(LineError(0, None, "the file holds no commands"))
        return result
    ledger.keys.discard()
    ledger.catch_up()
    uow = ledger.unit_of_work()
    uow.preload(ledger.engine, named_aggregates(p.command for p in parsed if p.command is not None))
    seen: dict[str, str] = {}
    for number, command_id, cmd, fingerprint, problem in parsed:
        if problem or cmd is None:
            result.errors.append(LineError(number, command_id, problem or "unreadable"))
            continue
        earlier = seen.get(cmd.command_id) or _recorded_digest(uow, cmd.command_id)
        if earlier is not None:
            if earlier == fingerprint:
                result.duplicates += 1
            else:
                result.errors.append(
                    LineError(
                        number,
                        cmd.command_id,
                        f"conflict: command_id {cmd.command_id} was already used "
                        "for a different command",
                    )
                )
            continue
        seen[cmd.command_id] = fingerprint
        try:
            uow.record(accepted(cmd.type, fingerprint, cmd.actor, cmd.reason, cmd.command_id))
            handle(uow, cmd)
            uow.check_dates()
        except LedgerError as e:
            uow.drop()
            result.errors.append(LineError(number, cmd.command_id, str(e)))
            continue
        uow.keep()
        result.applied += 1
    if result.errors:
        ledger.keys.discard()
        result.applied = 0
        return result
    try:
        if ledger.keys.pending:
            # Keys are written before the events and never taken back (another
            # process may seal with one at once): a batch with new ones is tried
            # on the read models before anything is written. Any other batch is
            # projected in the transaction that stores it, failing whole.
            ledger.check_projectable(uow.events)
        ledger.keys.flush()
        uow.commit()
    except Unprojectable as e:
        ledger.keys.discard()
        result.errors.append(LineError(0, None, f"{e}; nothing was applied"))
        result.applied = 0
        return result
    log.info("apply.done", applied=result.applied, duplicates=result.duplicates)
    return result


def named_aggregates(commands: Iterable[Command]) -> set[UUID]:
    """Event-store ids of every aggregate the commands could touch."""
    ids: set[UUID] = set()
    for cmd in commands:
        ids.add(aggregate_id("command", cmd.command_id))
        for name, kinds in _naming_fields(type(cmd)):
            value = getattr(cmd, name)
            if isinstance(value, str):
                ids.update(aggregate_id(kind, value) for kind in kinds)
    return ids


@cache
def _naming_fields(command_type: type[Command]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A command type's fields that name aggregates, and the kinds each may name.

    An `<kind>_id` field names an aggregate of that kind; a `payee` is an
    agreement, a card or an account; an `owner` a provider or a person; a
    budget also has its option choice. Worked out once a type, not per command.
    """
    found: list[tuple[str, tuple[str, ...]]] = []
    for name in command_type.model_fields:
        if name == "payee":
            found.append((name, ("agreement", "card", "account")))
        elif name == "owner":
            found.append((name, ("provider", "person")))
        elif name.endswith("_id") and name != "command_id":
            kind = name.removesuffix("_id")
            found.append((name, (kind, "options") if kind == "budget" else (kind,)))
    return tuple(found)


def _recorded_digest(uow: UnitOfWork, command_id: str) -> str | None:
    record = uow.find(CommandRecord, command_id)
    return record.digest if record else None
