"""A file's rows read, checked and numbered in a thread of their own, a little
ahead of the import.

The import's thread stores a chunk (SQLite's inserts, PostgreSQL's `COPY`,
both waiting without the GIL on the database's own code) while this thread
reads, checks and numbers the next (mostly in polars, which lets go of the
GIL too), so the two overlap instead of taking turns. The thread is never
more than `depth` chunks ahead, so memory stays flat; whatever it raises is
raised where the chunks are taken, and it stops (closing the file) when they
are no longer wanted.

While it runs, Python's switch interval is cut to half a millisecond: sqlite3
lets go of the GIL for every statement it steps, and then waited up to the
default 5 ms to take it back from this thread whenever this one was running
Python (with a row a statement, that made the inserts half again slower; at
50 µs the switching itself cost CPU: 1M rows took 9.0-9.1 s at 0.5 ms, 9.2-10.7
s at 50 µs, 9.4-10.1 s at 5 ms).
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
_END = object()
SWITCH_SECONDS = 0.0005  # while the thread runs; see above
# The switch interval is the process's: imports side by side (the portal's threads)
# share one short interval, and the last to finish puts the old one back.
_switching = {"running": 0, "before": 0.0}
_switching_lock = threading.Lock()


class _Failed:
    """What the reader raised, to be raised where the items are taken."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(items: Iterator[T], depth: int = 2) -> Generator[T, None, None]:
    """`items`, in order, taken from a thread that runs at most `depth` items ahead
    (an item is a chunk of rows: a queue's locks cost µs an item, nothing beside it)."""
    handed: queue.Queue[object] = queue.Queue(depth)
    stop = threading.Event()

    def put(value: object) -> None:
        while not stop.is_set():
            try:
                handed.put(value, timeout=0.05)
                return
            except queue.Full:
                continue

    def run() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                put(item)
            put(_END)
        except BaseException as e:  # handed to the consumer, raised there
            put(_Failed(e))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=run, name="card-reader", daemon=True)
    with _short_switches():
        thread.start()
        try:
            while True:
                got = handed.get()
                if got is _END:
                    return
                if isinstance(got, _Failed):
                    raise got.error
                yield got  # type: ignore[misc]
        finally:
            stop.set()
            thread.join()


@contextmanager
def _short_switches() -> Iterator[None]:
    """`SWITCH_SECONDS` while any reading thread runs; the interval before them after."""
    with _switching_lock:
        if not _switching["running"]:
            _switching["before"] = sys.getswitchinterval()
            sys.setswitchinterval(min(_switching["before"], SWITCH_SECONDS))
        _switching["running"] += 1
    try:
        yield
    finally:
        with _switching_lock:
            _switching["running"] -= 1
            if not _switching["running"]:
                sys.setswitchinterval(_switching["before"])
