"""Card exports of any size, written straight to disk, and the cards they belong to.

Rows are in the built-in `generic` format with the provider's transaction ids
(or none, for an id-less export) and a running balance per card: each card
starts with a load and is loaded again whenever its balance runs low, between
purchases, cash, fees and the odd refund, spread evenly over the days given.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HEADER = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"
MERCHANTS = (
    ("TESCO STORES", "5411"),
    ("SAINSBURYS", "5411"),
    ("CAFE ROYAL", "5814"),
    ("CITY CABS", "4121"),
    ("BOOTS", "5912"),
    ("EDINBURGH LEISURE", "7997"),
    ("CAREWELL SUPPORT LTD", "8099"),
    ("AMZN MKTP UK", "5942"),
)


def card_id(n: int) -> str:
    return f"K{n:05d}"


def card_commands(cards: int) -> Iterator[dict[str, Any]]:
    """A person, an agreed budget and a card each (last four digits all different)."""
    for n in range(cards):
        pid, bid = f"KP{n}", f"KB{n}"
        yield {"command_id": f"kp-{n}", "type": "RegisterPerson", "person_id": pid,
               "authority": "CITY"}  # fmt: skip
        yield {"command_id": f"kb-{n}", "type": "ProposeBudget", "budget_id": bid,
               "person_id": pid, "start": "2025-04-06", "amount": "12000.00",
               "method": "RAS"}  # fmt: skip
        yield {"command_id": f"ka-{n}", "type": "AgreeBudget", "budget_id": bid,
               "agreed_on": "2025-04-06"}  # fmt: skip
        yield {"command_id": f"kc-{n}", "type": "IssueCard", "card_id": card_id(n),
               "person_id": pid, "budget_id": bid, "last4": f"{n % 10000:04d}"}  # fmt: skip


def write_export(
    path: Path,
    rows: int,
    cards: int,
    *,
    first: date = date(2026, 1, 1),
    days: int = 90,
    seed: int = 1,
    id_prefix: str = "TX",
) -> Path:
    """Write `rows` transactions of `cards` cards to `path`; returns `path`.

    An empty `id_prefix` leaves the transaction id column empty.
    """
    rnd = random.Random(seed)
    balance = [0] * cards
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        lines: list[str] = []
        for i in range(rows):
            n = rnd.randrange(cards)
            day = (first + timedelta(days=i * days // rows)).isoformat()
            if balance[n] < 5000:
                kind, pence, merchant, mcc, what = "LOAD", 50000, "", "", "Direct payment load"
            else:
                merchant, mcc = MERCHANTS[rnd.randrange(len(MERCHANTS))]
                roll = rnd.random()
                if roll < 0.05:
                    kind, pence, what = "ATM", -2000, "ATM withdrawal"
                    merchant, mcc = "ROYAL BANK ATM", "6011"
                elif roll < 0.07:
                    kind, pence, what = "FEE", -150, "Card fee"
                    merchant, mcc = "", ""
                elif roll < 0.09:
                    kind, pence, what = "REFUND", rnd.randint(100, 2000), f"Refund {merchant}"
                else:
                    kind, pence, what = "PURCHASE", -rnd.randint(100, balance[n] // 4), merchant
            balance[n] += pence
            txn = f"{id_prefix}{i:010d}" if id_prefix else ""
            lines.append(
                f"{txn},{card_id(n)},{day},{kind},{what},{merchant},{mcc},"
                f"{_money(pence)},{_money(balance[n])}\n"
            )
            if len(lines) >= 10_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)
    return path


def _money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"
