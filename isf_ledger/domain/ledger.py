"""Double-entry legs: the one home of the zero-sum rule.

A money event records where money moved as legs: (account, amount) pairs,
positive into an account, negative out of it. Legs of one event always sum to
exactly zero; `balanced` is the only place that checks it, and every money
event is built through it.

Accounts are named `kind:id`:

- `council:<authority>`   the council's funding (pays out, receives recoveries)
- `isf:<agreement_id>`    an individual service fund held by a provider
- `card:<card_id>`        a direct-payment card
- `direct:<budget_id>`    a budget's direct payments into the person's own bank account
- `support:<provider_id>` hours of support charged to an ISF
- `costs:<agreement_id>`  other costs charged to an ISF
- `topup:<topup_id>`      whoever paid a top-up
- `contribution:<id>`     the person paying an assessed contribution
- `cardspend:<card_id>`   what a card's holder spent (purchases, cash, fees)
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from isf_ledger.domain.errors import RuleBroken
from isf_ledger.domain.money import LIMIT

Legs = dict[str, Decimal]


def council(authority: str) -> str:
    return f"council:{authority}"


def isf(agreement_id: str) -> str:
    return f"isf:{agreement_id}"


def card(card_id: str) -> str:
    return f"card:{card_id}"


def direct_payment(budget_id: str) -> str:
    return f"direct:{budget_id}"


def support(provider_id: str) -> str:
    return f"support:{provider_id}"


def costs(agreement_id: str) -> str:
    return f"costs:{agreement_id}"


def topup(topup_id: str) -> str:
    return f"topup:{topup_id}"


def contribution(contribution_id: str) -> str:
    return f"contribution:{contribution_id}"


def cardspend(card_id: str) -> str:
    return f"cardspend:{card_id}"


def residual(legs: Iterable[Decimal]) -> Decimal:
    """What is left when the legs are added up; zero for a balanced movement."""
    return sum(legs, Decimal("0.00"))


def balanced(legs: Legs) -> Legs:
    """Return `legs` if they sum to zero and none is above the limit; refuse them otherwise.

    Inputs are already within the limit; a computed amount (hours times a
    rate) is held to it here.
    """
    left = residual(legs.values())
    if left != 0:
        raise RuleBroken(f"money legs {legs} do not balance: {left} left over")
    for account, amount in legs.items():
        if abs(amount) > LIMIT:
            raise RuleBroken(
                f"{abs(amount)} moving for {account} is above the limit of {LIMIT} for any amount"
            )
    return dict(legs)


def transfer(source: str, destination: str, amount: Decimal) -> Legs:
    """Money moving from one account to another."""
    return balanced({source: -amount, destination: amount})
