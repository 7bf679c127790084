"""The layers, enforced: which part of the code may import which.

Read from the source with `ast`, so an import added anywhere (inside a
function, under `TYPE_CHECKING`) is seen. Each rule names the modules it
covers by dotted prefix.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGES = ("isf_ledger", "cli", "bench", "portal")


def imports_of(source: str, package: str) -> set[str]:
    """Every module a module of `package` imports, by its full dotted name."""
    tree = ast.parse(source)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules() -> dict[str, set[str]]:
    """Dotted module name -> what it imports, for every module of the project."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            source = path.read_text(encoding="utf-8")
            found[".".join(parts).removesuffix(".__init__")] = imports_of(
                source, ".".join(parts[:-1])
            )
    return found


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


PROJECT = ("isf_ledger", "cli", "bench", "portal", "migrations")
ENTRY_POINTS = ("cli", "bench", "isf_ledger.bootstrap")
READ_SIDE = ("isf_ledger.reports", "isf_ledger.projections")
# The portal is opened by `cli/serve.py` with the ledger already built; it reads the
# typed records the use cases return through the same pure renderers as the command
# line, and shows the ledger's refusals (`domain.errors`) in their own words.
PORTAL_MAY = ("isf_ledger.application", "isf_ledger.adapters.render", "isf_ledger.domain.errors")
WRITE_SIDE_SERVICES = ("isf_ledger.application", "isf_ledger.handlers", "isf_ledger.bootstrap")

# (who, except, may not import, except, why)
RULES = [
    (("isf_ledger.domain",), (), PROJECT, ("isf_ledger.domain",),
     "the domain is pure: it imports nothing of the project outside domain/"),
    (("isf_ledger", "cli", "bench"), ENTRY_POINTS, ("isf_ledger.bootstrap",), (),
     "only entry points (cli/, bench/, the demo command) build the ledger"),
    (READ_SIDE, (), WRITE_SIDE_SERVICES, (),
     "the read side does not import the write side's services"),
    (("isf_ledger.handlers",), (), ("isf_ledger.adapters",), (),
     "handlers take application commands, never adapters"),
    (("isf_ledger.adapters",), (), WRITE_SIDE_SERVICES, (),
     "adapters serve the application; they do not call it"),
    (("isf_ledger",), (), ("cli", "bench", "portal"), (),
     "nothing in the ledger imports an entry point"),
    (("portal",), (), ("isf_ledger", "migrations", "cli", "bench"), PORTAL_MAY,
     "the portal calls the application layer only (and renders with the CLI's renderers)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("who", "who_not", "banned", "banned_not", "why"), RULES, ids=[r[-1] for r in RULES]
)
def test_layers(
    who: tuple[str, ...],
    who_not: tuple[str, ...],
    banned: tuple[str, ...],
    banned_not: tuple[str, ...],
    why: str,
) -> None:
    broken = sorted(
        f"{name} imports {target}"
        for name, targets in modules().items()
        if within(name, who) and not within(name, who_not)
        for target in targets
        if within(target, banned) and not within(target, banned_not)
    )
    assert not broken, f"{why}:\n" + "\n".join(broken)


def test_the_checker_sees_every_kind_of_import() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import isf_ledger.adapters.seal\n"
        "from ..reports import sources\n"
        "if TYPE_CHECKING:\n"
        "    from isf_ledger.bootstrap import Ledger\n"
        "def f():\n"
        "    from isf_ledger.application.apply import apply_lines\n"
    )
    seen = imports_of(source, "isf_ledger.domain")
    assert {
        "isf_ledger.adapters.seal",
        "isf_ledger.reports.sources",
        "isf_ledger.bootstrap.Ledger",
        "isf_ledger.application.apply",
    } <= seen
