"""Payment file formats, described as data, like card export profiles.

Built in: `bacs-standard-18` (bank) and `card-load-csv` (card); a user's own
is loaded from a path ending `.toml`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from isf_ledger.adapters.card_files.profile import ProfileError

CARD_COLUMNS = ("card_id", "last4", "amount", "reference", "person_id", "paid_on")
LAYOUTS = {"bank": ("standard-18",), "card": ("csv",)}


@dataclass(frozen=True)
class FileProfile:
    name: str
    kind: str  # "bank" or "card"
    layout: str
    contra: bool = True
    delimiter: str = ","
    header: bool = True
    columns: tuple[str, ...] = ()


def built_in() -> list[str]:
    return sorted(
        p.name.removesuffix(".toml")
        for p in files(__package__).joinpath("profiles").iterdir()
        if p.name.endswith(".toml")
    )


def load_file_profile(name_or_path: str, kind: str) -> FileProfile:
    """A built-in profile by name, or a TOML file; refused plainly when unusable."""
    if name_or_path.endswith(".toml"):
        where = name_or_path
        try:
            text = Path(name_or_path).read_text(encoding="utf-8")
        except OSError as e:
            raise ProfileError(f"{where}: cannot read the profile: {e.strerror}") from None
    else:
        if name_or_path not in built_in():
            known = ", ".join(built_in())
            raise ProfileError(f"no payment file profile {name_or_path!r} (built in: {known})")
        where = f"{name_or_path} (built in)"
        text = files(__package__).joinpath("profiles", f"{name_or_path}.toml").read_text("utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(f"{where}: not valid TOML: {e}") from None
    return _checked(where, data, kind)


def _checked(where: str, data: dict[str, object], kind: str) -> FileProfile:
    if data.get("kind") != kind:
        raise ProfileError(f"{where}: kind must be {kind!r} for this file")
    layout = data.get("layout")
    if layout not in LAYOUTS[kind]:
        raise ProfileError(f"{where}: layout must be one of {', '.join(LAYOUTS[kind])}")
    columns = tuple(str(c) for c in data.get("columns", ()) or ())  # type: ignore[attr-defined]
    unknown = [c for c in columns if c not in CARD_COLUMNS]
    if unknown or (kind == "card" and not columns):
        raise ProfileError(f"{where}: columns must be some of {', '.join(CARD_COLUMNS)}")
    delimiter = str(data.get("delimiter", ","))
    if len(delimiter) != 1:
        raise ProfileError(f"{where}: delimiter must be one character")
    return FileProfile(
        name=str(data.get("name", where)),
        kind=kind,
        layout=str(layout),
        contra=bool(data.get("contra", True)),
        delimiter=delimiter,
        header=bool(data.get("header", True)),
        columns=columns,
    )
