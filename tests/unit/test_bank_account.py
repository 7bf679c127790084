"""Bank accounts: shapes checked, digits never repeated in a refusal, shown masked."""

from __future__ import annotations

import pytest

from isf_ledger.domain.bank_account import BankAccount, check_details, details_key
from isf_ledger.domain.errors import RuleBroken


@pytest.mark.parametrize(
    ("sort_code", "account_number", "rule"),
    [
        ("40478", "41926307", "a sort code is exactly 6 digits"),
        ("40478A", "41926307", "a sort code is exactly 6 digits"),
        ("404784", "4192630", "an account number is exactly 8 digits"),
        ("404784", "419263071", "an account number is exactly 8 digits"),
        ("404784", "4192630٣", "an account number is exactly 8 digits"),
    ],
)
def test_bad_shapes_are_refused_without_repeating_the_digits(sort_code, account_number, rule):
    with pytest.raises(RuleBroken, match=rule) as refused:
        check_details("ACC", sort_code, account_number, "Kingdom Care")
    assert sort_code not in str(refused.value) and account_number not in str(refused.value)


def test_a_name_is_needed():
    with pytest.raises(RuleBroken, match="the account name is needed"):
        check_details("ACC", "404784", "41926307", "  ")


def test_an_account_is_shown_masked_and_sealed_with_its_owners_key():
    person = BankAccount.register("ACC", "person", "P1", "6307", "sealed", command_id="c")
    provider = BankAccount.register("PACC", "provider", "PR1", "6307", "sealed", command_id="c")
    assert person.masked == "****6307"
    assert person.key_owner == "P1"  # forgetting P1 forgets the details
    assert provider.key_owner == details_key("provider", "PR1", "PACC")
    assert provider.key_owner.startswith("#")  # no caller's id can be it
    with pytest.raises(RuleBroken, match="owner must be a provider or a person"):
        BankAccount.register("X", "council", "FIFE", "6307", "sealed", command_id="c")
