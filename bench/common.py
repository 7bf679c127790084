"""Timing, databases and the floor every figure is compared with."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

import psycopg

PG_ROOT = os.environ.get("ISF_LEDGER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
OUT = Path(__file__).parent / "out"


@dataclass
class Figure:
    """One measured rate beside its floor (higher is better for both)."""

    bench: str
    database: str
    what: str
    value: float
    unit: str
    floor: float | None = None
    floor_what: str = ""
    pair_ratio: float | None = None  # the median of the pairs' own ratios, when paired
    pairs: int = 1

    @property
    def ratio(self) -> float | None:
        if self.pair_ratio is not None:
            return self.pair_ratio
        return self.value / self.floor if self.floor else None

    def line(self) -> str:
        ratio = f"{self.ratio:.2f}x floor" if self.ratio is not None else ""
        if self.pairs > 1:
            ratio += f" (median of {self.pairs} pairs)"
        floor = f"floor {self.floor:,.0f} {self.unit} ({self.floor_what})" if self.floor else ""
        return (
            f"{self.database:9} {self.what:44} {self.value:>12,.1f} {self.unit:10} {floor} {ratio}"
        )


def timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def apply_in_batches(ledger: Any, lines: list[str], batch: int = 20_000) -> float:
    """Seconds to apply command `lines` through `ledger.apply`, `batch` at a time."""
    spent = 0.0
    for start in range(0, len(lines), batch):
        part = list(enumerate(lines[start : start + batch], start=1))
        seconds, result = timed(partial(ledger.apply, part))
        assert not result.errors, result.errors[:3]
        spent += seconds
    return spent


def paired(
    bench: str,
    database: str,
    what: str,
    unit: str,
    floor_what: str,
    pairs: list[tuple[float, float]],
) -> Figure:
    """A figure from interleaved (rate, floor rate) pairs: medians, and the median ratio."""
    return Figure(
        bench,
        database,
        what,
        statistics.median(rate for rate, _ in pairs),
        unit,
        statistics.median(floor for _, floor in pairs),
        floor_what,
        statistics.median(rate / floor for rate, floor in pairs),
        len(pairs),
    )


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh ledger URL: a temporary SQLite file or a new PostgreSQL schema."""
    if kind == "sqlite":
        folder = Path(mkdtemp(prefix="isf-bench-"))
        try:
            yield str(folder / "bench.db")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{PG_ROOT}?schema={schema}"
    finally:
        with psycopg.connect(PG_ROOT, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def save(figures: list[Figure], name: str) -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.json").write_text(
        json.dumps([asdict(f) | {"ratio": f.ratio} for f in figures], indent=2)
    )
