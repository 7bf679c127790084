"""Reading a file's rows in a thread of their own, a little ahead of the import.

The import reads and checks a batch (mostly in polars, which lets go of the
GIL) while the database stores the one before (PostgreSQL's `COPY` waits on
the server, SQLite's inserts on its own code, both without the GIL), so the
two overlap instead of taking turns. The thread is never more than `depth`
handfuls ahead, so memory stays flat; whatever it raises is raised where
the items are taken, and it stops (closing the file) when they are no
longer wanted.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from isf_ledger.adapters.card_files.results import ReadResult, RowBatch

Item = ReadResult | RowBatch
_END = object()
HANDFUL = 512  # items the thread hands over at once: a queue's locks cost µs an item


class _Failed:
    """What the reader raised, to be raised where the items are taken."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def read_ahead(items: Iterator[Item], depth: int = 2) -> Iterator[Item]:
    """`items`, in order, taken from a thread that runs at most `depth` handfuls ahead."""
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
        handful: list[Item] = []
        try:
            for item in items:
                if stop.is_set():
                    return
                handful.append(item)
                # A column batch goes at once: it is a handful by itself.
                if len(handful) >= HANDFUL or isinstance(item, RowBatch):
                    put(handful)
                    handful = []
            put(handful)
            put(_END)
        except BaseException as e:  # handed to the consumer, raised there
            put(handful)  # what came before it, first
            put(_Failed(e))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=run, name="card-reader", daemon=True)
    thread.start()
    try:
        while True:
            got = handed.get()
            if got is _END:
                return
            if isinstance(got, _Failed):
                raise got.error
            assert isinstance(got, list)
            yield from got
    finally:
        stop.set()
        thread.join()
