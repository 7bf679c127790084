"""Journal account names are valid, readable and never shared; totals are exact."""

import re
from datetime import date
from decimal import Decimal

import pytest
from beancount.core import account as bc_account
from hypothesis import given
from hypothesis import strategies as st

from isf_ledger.adapters.export_beancount import quoted
from isf_ledger.adapters.journal import KIND_ROOTS, JournalEntry, account_name, balances
from isf_ledger.domain.money import MoneyError

# beancount/parser/lexer.l: ACCOUNTTYPE (':' ACCOUNTNAME)+, ASCII part.
LEXER_ACCOUNT = re.compile(r"[A-Z][A-Za-z0-9\-]*(:[A-Z0-9][A-Za-z0-9\-]*)+")
ROOTS = ("Assets", "Liabilities", "Equity", "Income", "Expenses")

ids = st.text(alphabet="ABCXYZabcxyz0189._:-", min_size=1, max_size=64)
kinds = st.sampled_from([*KIND_ROOTS, "mystery", "Other", "X", "x-y"])
internal_accounts = st.builds(lambda kind, ident: f"{kind}:{ident}", kinds, ids)


@pytest.mark.parametrize(
    ("internal", "journal"),
    [
        ("council:CITY", "Income:Council:CITY"),
        ("topup:T1", "Income:TopUp:T1"),
        ("recovered:AGR-1", "Income:Recovered:AGR-1"),
        ("isf:AGR-1", "Assets:ISF:AGR-1"),
        ("card:C-9", "Assets:Card:C-9"),
        ("support:PRV.2", "Expenses:Support:XPRV-2E2"),
        ("costs:AGR-1", "Expenses:Costs:AGR-1"),
        ("cardspend:C-9", "Expenses:Card:C-9"),
        ("isf:a.b", "Assets:ISF:Xa-2Eb"),
        ("isf:a-b", "Assets:ISF:Xa--b"),
        ("isf:A.B", "Assets:ISF:XA-2EB"),
        ("isf:A-B", "Assets:ISF:A-B"),
        ("isf:X1", "Assets:ISF:XX1"),
        ("isf:2026_04", "Assets:ISF:X2026-5F04"),
        ("isf:a:b", "Assets:ISF:Xa-3Ab"),
        ("mystery:Q1", "Equity:Other:Xmystery:Q1"),
    ],
)
def test_accounts_map_to_readable_journal_names(internal, journal):
    assert account_name(internal) == journal


@given(st.sets(internal_accounts, max_size=40))
def test_different_internal_accounts_never_share_a_journal_name(accounts):
    assert len({account_name(a) for a in accounts}) == len(accounts)


@given(internal_accounts)
def test_every_journal_name_is_valid_for_beancount(internal):
    name = account_name(internal)
    assert LEXER_ACCOUNT.fullmatch(name)
    assert bc_account.is_valid(name)
    assert name.split(":")[0] in ROOTS


@pytest.mark.parametrize("bad", ["council", "council:", ":CITY", ""])
def test_an_account_without_kind_and_id_is_refused(bad):
    with pytest.raises(ValueError, match="kind:id"):
        account_name(bad)


def _entry(day: int, *legs: tuple[str, str]) -> JournalEntry:
    return JournalEntry(
        date(2026, 4, day), "test", tuple((a, Decimal(x)) for a, x in legs), ref=f"r{day}"
    )


def test_balances_sum_each_internal_account_exactly():
    entries = [
        _entry(6, ("council:CITY", "-997.26"), ("isf:AGR-1", "997.26")),
        _entry(13, ("isf:AGR-1", "-231.00"), ("support:PRV.2", "231.00")),
        _entry(14, ("isf:AGR-1", "-0.10"), ("support:PRV.2", "0.05"), ("support:PRV.2", "0.05")),
        _entry(20, ("council:CITY", "997.26"), ("isf:AGR-1", "-997.26")),
    ]
    assert balances(entries) == {
        "council:CITY": Decimal("0.00"),
        "isf:AGR-1": Decimal("-231.10"),
        "support:PRV.2": Decimal("231.10"),
    }
    assert str(balances(entries)["council:CITY"]) == "0.00"


def test_balances_of_nothing_is_empty():
    assert balances([]) == {}


def test_an_entry_that_does_not_balance_is_refused():
    with pytest.raises(ValueError, match="does not balance"):
        _entry(6, ("council:CITY", "-10.00"), ("isf:AGR-1", "9.99"))


def test_an_entry_without_legs_is_refused():
    with pytest.raises(ValueError, match="no legs"):
        _entry(6)


@pytest.mark.parametrize("bad", [Decimal("1.005"), Decimal("NaN"), 1.5])
def test_an_amount_that_is_not_exact_money_is_refused(bad):
    with pytest.raises(MoneyError):
        JournalEntry(date(2026, 4, 6), "x", (("isf:A", bad), ("council:C", -bad)))


def test_beancount_strings_escape_quotes_backslashes_and_newlines():
    assert quoted('say "hi"\\\nbye') == '"say \\"hi\\"\\\\\\nbye"'
