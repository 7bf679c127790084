"""Payments against loads: one to one, within the window, reversals cancel payments."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from isf_ledger.domain.card_matching import Load, Payment, match, net_of_reversals


def pay(day: int, pence: int = 50000, card: str = "C1", ref: str = "") -> Payment:
    return Payment(card, date(2026, 3, day), pence, ref or f"p{day}")


def load(day: int, pence: int = 50000, card: str = "C1", ref: int = 0) -> Load:
    return Load(card, date(2026, 3, day), pence, ref or day)


def test_a_load_within_the_window_matches_its_payment():
    assert match([pay(1)], [load(6)], 5) == ([], [])


def test_a_load_outside_the_window_leaves_a_missing_payment_and_an_unexpected_load():
    assert match([pay(1)], [load(7)], 5) == ([pay(1)], [load(7)])


def test_each_load_matches_one_payment_only():
    missing, unexpected = match([pay(1), pay(2)], [load(2)], 5)
    assert missing == [pay(2)]
    assert unexpected == []


def test_amount_and_card_must_agree():
    missing, unexpected = match(
        [pay(1), pay(1, card="C2")], [load(1, 49999), load(1, card="C3")], 5
    )
    assert len(missing) == 2
    assert len(unexpected) == 2


def test_earliest_first_finds_every_match_there_is():
    # Payment 1 could take either load; taking the later would strand payment 2.
    missing, unexpected = match([pay(1), pay(8)], [load(4, ref=1), load(6, ref=2)], 5)
    assert (missing, unexpected) == ([], [])


def test_a_reversal_cancels_the_latest_earlier_payment_of_its_amount():
    kept = net_of_reversals([pay(1), pay(2, 100), pay(3), pay(4, -50000, ref="r")])
    assert kept == [pay(1), pay(2, 100)]


def test_a_reversal_with_nothing_to_cancel_changes_nothing():
    assert net_of_reversals([pay(1), pay(4, -100, ref="r")]) == [pay(1)]


@given(
    st.lists(st.tuples(st.integers(1, 28), st.sampled_from([100, 200])), max_size=12),
    st.lists(st.tuples(st.integers(1, 28), st.sampled_from([100, 200])), max_size=12),
)
def test_every_payment_and_load_is_either_matched_once_or_left_over(payments, loads):
    ps = [pay(d, p, ref=f"p{i}") for i, (d, p) in enumerate(payments)]
    ls = [load(d, p, ref=i + 1) for i, (d, p) in enumerate(loads)]
    missing, unexpected = match(ps, ls, 5)
    assert len(ps) - len(missing) == len(ls) - len(unexpected)
    assert len(set(missing)) == len(missing)
    assert len(set(unexpected)) == len(unexpected)


def most_matches(ps: list[Payment], ls: list[Load], window: int) -> int:
    """The largest one-to-one matching, by augmenting paths: what greedy must reach."""
    owner: dict[int, int] = {}

    def fits(p: Payment, x: Load) -> bool:
        return (
            p.card_id == x.card_id
            and p.pence == x.pence
            and abs((x.posted_on - p.on).days) <= window
        )

    def augment(i: int, seen: set[int]) -> bool:
        for j, x in enumerate(ls):
            if j not in seen and fits(ps[i], x):
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(ps)))


@given(
    st.lists(st.tuples(st.integers(1, 28), st.sampled_from([100, 200])), max_size=10),
    st.lists(st.tuples(st.integers(1, 28), st.sampled_from([100, 200])), max_size=10),
)
def test_matching_earliest_first_is_as_good_as_the_best_matching(payments, loads):
    ps = [pay(d, p, ref=f"p{i}") for i, (d, p) in enumerate(payments)]
    ls = [load(d, p, ref=i + 1) for i, (d, p) in enumerate(loads)]
    missing, _ = match(ps, ls, 5)
    assert len(ps) - len(missing) == most_matches(ps, ls, 5)
