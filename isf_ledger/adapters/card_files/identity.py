"""What makes a card row the same transaction when an export is imported again.

With a provider transaction id, the identity is that id (scoped by the
profile's source, see `card_csv`). Without one, it is the row's content plus
how many rows with the same content came before it in the file, so two
honest identical coffees on one day are two transactions, and re-reading the
file, or a later export overlapping it, gives the same identities.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache

from isf_ledger.adapters.card_files.profile import normal_text


class ContentIdentities:
    """Identities for the id-less rows of one file, in file order.

    Counting occurrences means remembering every content seen in the file.
    To keep that small, the first 8 bytes of each content's SHA-256 go in an
    open-addressing table kept 1/4 to 1/2 full (16-32 bytes a row, briefly 48
    while it grows, and no Python object a row);
    only contents seen twice or more get a dict entry. Two contents sharing a
    prefix would merely share a counter: the identity still hashes the full
    content, so it stays unique and the same on every read of the file.
    """

    def __init__(self) -> None:
        self.slots = array("Q", [0]) * 1024
        self.used = 0
        self.repeats: dict[int, int] = {}
        # Merchants and descriptions repeat from row to row; normalising is slow.
        self.normal = lru_cache(4096)(normal_text)

    def next(
        self,
        card_key: str,
        posted_on: date,
        type: str,
        amount: Decimal,
        merchant: str,
        description: str,
        mcc: str,
        balance: Decimal | None,
    ) -> str:
        """SHA-256 hex of the normalised content and its occurrence number (1, 2, ...).

        Text is compared case- and spacing-blind, so an export that changes
        only the capitals of a merchant name still matches the earlier one.
        """
        return self.next_text(
            card_key,
            posted_on.isoformat(),
            type,
            str(amount),
            merchant,
            description,
            mcc,
            "" if balance is None else str(balance),
        )

    def next_text(
        self,
        card_key: str,
        posted_on: str,
        type: str,
        amount: str,
        merchant: str,
        description: str,
        mcc: str,
        balance: str,
    ) -> str:
        """`next` for values already written as text (ISO date, `str` of the amounts)."""
        content = "\x1f".join(
            (card_key, posted_on, type, amount, self.normal(merchant), self.normal(description),
             mcc, balance)
        )  # fmt: skip
        return self.of_contents([content.encode()])[0]

    def of_contents(self, contents: Sequence[bytes]) -> list[str]:
        """`next_text` of each row's content, already normalised, joined and encoded as
        `next_text` does: one loop for a batch of rows, in file order, the table grown
        for the whole batch first."""
        while (self.used + len(contents)) * 2 > len(self.slots):
            self._grow()
        slots, mask, repeats = self.slots, len(self.slots) - 1, self.repeats
        out: list[str] = []
        append, sha256 = out.append, hashlib.sha256
        for content in contents:
            sha = sha256(content)
            key = int.from_bytes(sha.digest()[:8], "big") or 1
            i = key & mask
            while slots[i] and slots[i] != key:
                i = (i + 1) & mask
            if slots[i]:
                number = repeats[key] = repeats.get(key, 1) + 1
            else:
                slots[i], number = key, 1
                self.used += 1
            sha.update(b"\x1f%d" % number)  # now the hash of the content, "\x1f" and its number
            append(sha.hexdigest())
        return out

    def _grow(self) -> None:
        old, self.slots = self.slots, array("Q", [0]) * (len(self.slots) * 2)
        mask = len(self.slots) - 1
        for key in old:
            if key:
                i = key & mask
                while self.slots[i]:
                    i = (i + 1) & mask
                self.slots[i] = key
