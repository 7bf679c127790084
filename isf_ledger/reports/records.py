"""Reports as typed records, and the one way a record becomes the contract's JSON.

A report is a frozen dataclass of plain values (`Decimal` money, `date`
dates, tuples of records); every renderer reads the same record. Its JSON
follows the fields in order: money as a two-place decimal string, dates in
ISO form, tuples as lists, `None` as null (or no key at all, for a field
marked `OPTIONAL`).
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from isf_ledger.domain.money import fmt

# A field whose key the JSON leaves out when it holds None (`field(metadata=OPTIONAL)`).
OPTIONAL = {"optional": True}


def json_of(value: Any) -> Any:
    """The contract's JSON of a record, or of any value inside one."""
    if is_dataclass(value) and not isinstance(value, type):
        body = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if item is not None or not f.metadata.get("optional"):
                body[f.name] = json_of(item)
        return body
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [json_of(item) for item in value]
    return value


def report_json(report: Any) -> dict[str, Any]:
    """A whole report's JSON: its `as_at`, the instant it reproduces, only when set."""
    body: dict[str, Any] = json_of(report)
    if not body.get("as_at"):
        body.pop("as_at", None)
    return body
