"""Card providers' CSV export formats, described as data.

Every provider exports card transactions its own way: column names, date
formats, encodings, one signed amount or separate debit and credit columns,
its own spelling of "purchase". A profile says how to read one export, so
supporting another provider is a TOML file rather than code. Built-in
profiles live in `profiles/*.toml`; a user's own is loaded from a path ending
`.toml`. Every key is described, with an example to copy, in
`profile-template.toml` (`isf-ledger cards profiles --template`).
"""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

TYPES = ("LOAD", "PURCHASE", "REFUND", "ATM", "FEE", "REVERSAL")
PENDING = "PENDING"
CARD_ID = "card_id"
CARD_NUMBER = "card_number"

_SOURCE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
_REQUIRED = object()


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and the fault."""


def normal_text(text: str) -> str:
    """Header names, type spellings and statuses compare case- and spacing-blind."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class Columns:
    """Header names of the columns a profile reads; None where the export has none."""

    card: str
    posted_on: str
    transaction_id: str | None = None
    transaction_on: str | None = None
    type: str | None = None
    description: str | None = None
    merchant: str | None = None
    mcc: str | None = None
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    balance: str | None = None
    status: str | None = None

    def used(self) -> dict[str, str]:
        """Field name -> header name, for the columns this export has."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


@dataclass(frozen=True, slots=True)
class Profile:
    """How to read one provider's card export (see `profile-template.toml`).

    `types` maps a normalised spelling (see `normal_text`) to one of `TYPES`
    or to `PENDING` for rows that are authorisations, not postings.
    """

    name: str
    source: str
    description: str
    encoding: str
    delimiter: str
    header_row: int
    date_formats: tuple[str, ...]
    columns: Columns
    card_column_holds: str
    types: dict[str, str] = field(hash=False)
    type_from_sign: bool
    amounts_end_in_cr_dr: bool
    pending_statuses: frozenset[str]
    pending_when_posted_on_empty: bool
    origin: str


def load_profile(name_or_path: str | Path) -> Profile:
    """A built-in profile by name, or a user's profile from a `.toml` path."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".toml"):
        path = Path(text)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ProfileError(f"{path}: cannot read profile ({e.strerror})") from None
        return parse_profile(data, str(path))
    for resource in _builtin_files():
        if resource.name.removesuffix(".toml") == text:
            return parse_profile(resource.read_bytes(), f"built-in profile {resource.name}")
    known = ", ".join(p.name.removesuffix(".toml") for p in _builtin_files())
    raise ProfileError(
        f"no built-in card profile named '{text}' (built-in: {known}); "
        "give a path ending .toml to use your own"
    )


def builtin_profiles() -> list[Profile]:
    """Every profile that ships with the package, by name."""
    return [parse_profile(r.read_bytes(), f"built-in profile {r.name}") for r in _builtin_files()]


def profile_template() -> str:
    """An annotated profile that describes every key and loads as it stands."""
    return (
        files("isf_ledger.adapters.card_files").joinpath("profile-template.toml").read_text("utf-8")
    )


def _builtin_files() -> list[Traversable]:
    folder = files("isf_ledger.adapters.card_files").joinpath("profiles")
    return sorted((r for r in folder.iterdir() if r.name.endswith(".toml")), key=lambda r: r.name)


def parse_profile(data: bytes, origin: str) -> Profile:
    """Check a profile's TOML text thoroughly, so a mistake shows up now, not mid-import."""
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(f"{origin}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(f"{origin}: not valid TOML: {e}") from None
    return _Checker(origin).profile(table)


class _Checker:
    """Reads keys out of the parsed TOML, failing with the file and key in the message."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, what: str) -> ProfileError:
        return ProfileError(f"{self.origin}: {what}")

    def take(
        self, table: dict[str, Any], key: str, kind: type, where: str, default: Any = _REQUIRED
    ) -> Any:
        if key not in table:
            if default is _REQUIRED:
                raise self.fail(f"missing key '{where}{key}'")
            return default
        value = table.pop(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"'{where}{key}' must be {_KIND_WORDS[kind]}, not {value!r}")
        return value

    def no_leftovers(self, table: dict[str, Any], where: str) -> None:
        if table:
            unknown = ", ".join(f"'{where}{k}'" for k in table)
            raise self.fail(f"unknown key {unknown}")

    def profile(self, table: dict[str, Any]) -> Profile:
        name = self.take(table, "name", str, "")
        source = self.take(table, "source", str, "")
        if not _SOURCE.match(source):
            raise self.fail(f"'source' {source!r} must be 1-32 of A-Z a-z 0-9 . _ -")
        description = self.take(table, "description", str, "", "")
        encoding = self.encoding(self.take(table, "encoding", str, "", "utf-8"))
        delimiter = self.take(table, "delimiter", str, "", ",")
        if len(delimiter) != 1 or delimiter in '"\r\n':
            raise self.fail(f"'delimiter' {delimiter!r} must be one character, not a quote")
        header_row = self.take(table, "header_row", int, "", 1)
        if header_row < 1:
            raise self.fail(f"'header_row' must be 1 or more, not {header_row}")
        date_formats = self.date_formats(self.take(table, "date_formats", list, ""))
        holds = self.take(table, "card_column_holds", str, "", CARD_NUMBER)
        if holds not in (CARD_ID, CARD_NUMBER):
            raise self.fail(f"'card_column_holds' must be '{CARD_ID}' or '{CARD_NUMBER}'")
        type_from_sign = self.take(table, "type_from_sign", bool, "", False)
        cr_dr = self.take(table, "amounts_end_in_cr_dr", bool, "", False)
        columns = self.columns(self.take(table, "columns", dict, ""), type_from_sign)
        types = self.types(self.take(table, "types", dict, "", {}), columns, type_from_sign)
        statuses, when_empty = self.pending(self.take(table, "pending", dict, "", {}), columns)
        self.no_leftovers(table, "")
        return Profile(
            name=name,
            source=source,
            description=description,
            encoding=encoding,
            delimiter=delimiter,
            header_row=header_row,
            date_formats=date_formats,
            columns=columns,
            card_column_holds=holds,
            types=types,
            type_from_sign=type_from_sign,
            amounts_end_in_cr_dr=cr_dr,
            pending_statuses=statuses,
            pending_when_posted_on_empty=when_empty,
            origin=self.origin,
        )

    def encoding(self, name: str) -> str:
        try:
            codec = codecs.lookup(name)
        except LookupError:
            raise self.fail(f"'encoding' {name!r} is not an encoding Python knows") from None
        if codec.name == "utf-8-sig":
            return "utf-8"  # the reader drops a byte-order mark anyway
        # The reader splits lines on the byte b"\n", which only works when ASCII
        # stays ASCII (UTF-8, cp1252, latin-1 ...), not UTF-16.
        sample = ',;\t|"\r\nAz09'
        if codec.encode(sample)[0] != sample.encode("ascii"):
            raise self.fail(f"'encoding' {name!r} is not supported: use utf-8 or cp1252")
        return codec.name

    def date_formats(self, formats: list[Any]) -> tuple[str, ...]:
        if not formats:
            raise self.fail("'date_formats' must list at least one format, e.g. \"%d/%m/%Y\"")
        probe = date(2026, 12, 31)
        for fmt in formats:
            try:
                ok = isinstance(fmt, str) and (
                    datetime.strptime(probe.strftime(fmt), fmt).date() == probe
                )
            except ValueError:
                ok = False
            if not ok:
                raise self.fail(f"date format {fmt!r} does not give a full date (day, month, year)")
        return tuple(formats)

    def columns(self, table: dict[str, Any], type_from_sign: bool) -> Columns:
        found: dict[str, str] = {}
        for f in fields(Columns):
            value = self.take(table, f.name, str, "columns.", None)
            if value is not None:
                if not value.strip():
                    raise self.fail(f"'columns.{f.name}' is empty")
                found[f.name] = value
        self.no_leftovers(table, "columns.")
        for required in ("card", "posted_on"):
            if required not in found:
                raise self.fail(f"missing key 'columns.{required}'")
        has_amount = "amount" in found
        has_split = "debit" in found or "credit" in found
        has_both = "debit" in found and "credit" in found
        if has_amount == has_split or has_split != has_both:
            raise self.fail(
                "give either 'columns.amount' or both 'columns.debit' and 'columns.credit'"
            )
        if ("type" in found) == type_from_sign:
            raise self.fail("give either 'columns.type' or 'type_from_sign = true', not both")
        headers = [normal_text(h) for h in found.values()]
        if len(set(headers)) != len(headers):
            raise self.fail("two [columns] keys name the same header")
        return Columns(**found)

    def types(self, table: dict[str, Any], columns: Columns, from_sign: bool) -> dict[str, str]:
        if from_sign:
            if table:
                raise self.fail("[types] is not used when 'type_from_sign = true'")
            return {}
        spellings: dict[str, str] = {}
        for spelling, meaning in table.items():
            if not isinstance(meaning, str) or meaning not in (*TYPES, PENDING):
                allowed = ", ".join((*TYPES, PENDING))
                raise self.fail(f"types.'{spelling}' = {meaning!r} must be one of {allowed}")
            key = normal_text(spelling)
            if spellings.get(key, meaning) != meaning:
                raise self.fail(f"types: '{spelling}' is given two meanings")
            spellings[key] = meaning
        if not spellings:
            raise self.fail(f"[types] must map the spellings of column '{columns.type}'")
        return spellings

    def pending(self, table: dict[str, Any], columns: Columns) -> tuple[frozenset[str], bool]:
        statuses = self.take(table, "statuses", list, "pending.", [])
        when_empty = self.take(table, "when_posted_on_empty", bool, "pending.", False)
        self.no_leftovers(table, "pending.")
        if not all(isinstance(s, str) for s in statuses):
            raise self.fail("'pending.statuses' must be a list of strings")
        if bool(statuses) != (columns.status is not None):
            raise self.fail("'columns.status' and 'pending.statuses' go together")
        return frozenset(normal_text(s) for s in statuses), when_empty


_KIND_WORDS = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}
