"""Card export profiles: the built-ins, users' own TOML files, and clear refusals."""

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from isf_ledger.adapters.card_files.profile import (
    TYPES,
    Columns,
    Profile,
    ProfileError,
    builtin_profiles,
    load_profile,
    profile_template,
)

CONTRACT_HEADER = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance"

MINIMAL = """
name = "mine"
source = "mine"
date_formats = ["%d/%m/%Y"]
[columns]
card = "Card"
posted_on = "Date"
type = "Type"
amount = "Amount"
[types]
"Spend" = "PURCHASE"
"Top up" = "LOAD"
"""


def write_profile(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_builtin_profiles_are_generic_and_three_provider_exports():
    names = [p.name for p in builtin_profiles()]
    assert "generic" in names
    assert len(names) >= 4
    assert names == sorted(names)


def test_each_builtin_profile_loads_by_the_name_of_its_file():
    for profile in builtin_profiles():
        assert load_profile(profile.name) == profile
        assert profile.description


def test_the_generic_profile_names_exactly_the_contracts_columns():
    generic = load_profile("generic")
    assert set(generic.columns.used().values()) == set(CONTRACT_HEADER.split(","))
    assert generic.encoding == "utf-8"
    assert generic.date_formats == ("%Y-%m-%d",)
    assert sorted(set(generic.types.values())) == sorted(TYPES)


def test_the_template_profile_explains_every_key_it_sets():
    lines = profile_template().splitlines()
    keys = [n for n, line in enumerate(lines) if line and line[0] not in "#[ " and "=" in line]
    assert len(keys) > 30
    for n in keys:
        explained = "#" in lines[n] or lines[n - 1].startswith("#") or lines[n - 1][:1] == "["
        in_table = any(lines[m].startswith("[types]") for m in range(n))
        assert explained or in_table, lines[n]


def test_a_users_profile_loads_from_a_toml_path_with_sensible_defaults(tmp_path):
    profile = load_profile(write_profile(tmp_path, MINIMAL))
    assert isinstance(profile, Profile)
    assert (profile.encoding, profile.delimiter, profile.header_row) == ("utf-8", ",", 1)
    assert profile.card_column_holds == "card_number"
    assert profile.types == {"spend": "PURCHASE", "top up": "LOAD"}
    assert load_profile(str(tmp_path / "mine.toml")) == profile


def test_a_profile_cannot_be_changed_once_loaded():
    with pytest.raises(FrozenInstanceError):
        load_profile("generic").name = "other"  # type: ignore[misc]


def test_encodings_are_recorded_by_their_standard_names(tmp_path):
    text = MINIMAL.replace('source = "mine"', 'source = "mine"\nencoding = "windows-1252"')
    assert load_profile(write_profile(tmp_path, text)).encoding == "cp1252"
    text = MINIMAL.replace('source = "mine"', 'source = "mine"\nencoding = "utf-8-sig"')
    assert load_profile(write_profile(tmp_path, text)).encoding == "utf-8"


def test_an_unknown_builtin_name_lists_the_ones_there_are():
    with pytest.raises(ProfileError, match=r"no built-in card profile named 'allpay'.*generic"):
        load_profile("allpay")


def test_a_missing_profile_file_names_the_file(tmp_path):
    with pytest.raises(ProfileError, match=r"nowhere\.toml: cannot read profile"):
        load_profile(tmp_path / "nowhere.toml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t + "\n[[broken", "not valid TOML"),
        (lambda t: t.replace('name = "mine"\n', ""), "missing key 'name'"),
        (lambda t: t.replace('source = "mine"', 'source = "my source"'), "'source'"),
        (lambda t: "delimeter = ';'\n" + t, "unknown key 'delimeter'"),
        (
            lambda t: t.replace('posted_on = "Date"', 'posted = "Date"'),
            "unknown key 'columns.posted'",
        ),
        (lambda t: t.replace('card = "Card"\n', ""), "missing key 'columns.card'"),
        (lambda t: t.replace('"Spend" = "PURCHASE"', '"Spend" = "SPEND"'), "types.'Spend'"),
        (lambda t: t + '"SPEND" = "LOAD"\n', "'SPEND' is given two meanings"),
        (lambda t: "encoding = 'utf-16'\n" + t, "'utf-16' is not supported"),
        (lambda t: "encoding = 'klingon'\n" + t, "not an encoding Python knows"),
        (lambda t: "delimiter = ';;'\n" + t, "'delimiter'"),
        (lambda t: "header_row = 0\n" + t, "'header_row' must be 1 or more"),
        (lambda t: "header_row = '2'\n" + t, "'header_row' must be a whole number"),
        (lambda t: t.replace('["%d/%m/%Y"]', '["%d/%m"]'), "'%d/%m' does not give a full date"),
        (lambda t: t.replace('["%d/%m/%Y"]', "[]"), "at least one format"),
        (lambda t: t.replace('amount = "Amount"', 'amount = "Amount"\ndebit = "Out"'), "either"),
        (lambda t: t.replace('amount = "Amount"', 'debit = "Out"'), "both 'columns.debit'"),
        (lambda t: "type_from_sign = true\n" + t, "not both"),
        (lambda t: t.replace('amount = "Amount"', 'amount = "Card"'), "same header"),
        (lambda t: "card_column_holds = 'pan'\n" + t, "'card_column_holds'"),
        (lambda t: t + "[pending]\nstatuses = ['Pending']\n", "go together"),
    ],
)
def test_a_bad_profile_is_refused_with_the_file_and_the_fault(tmp_path, change, message):
    path = write_profile(tmp_path, change(MINIMAL))
    with pytest.raises(ProfileError) as refused:
        load_profile(path)
    assert str(refused.value).startswith(str(path) + ": ")
    assert message in str(refused.value)


def test_a_profile_without_a_type_column_takes_the_type_from_the_sign(tmp_path):
    text = MINIMAL.replace('type = "Type"\n', "").split("[types]")[0]
    profile = load_profile(write_profile(tmp_path, "type_from_sign = true\n" + text))
    assert profile.type_from_sign
    assert profile.types == {}


def test_the_template_printed_by_the_cli_loads_as_a_complete_profile(tmp_path):
    from click.testing import CliRunner

    from cli.__main__ import main

    printed = CliRunner().invoke(main, ["cards", "profiles", "--template"])
    assert printed.exit_code == 0
    path = tmp_path / "my-provider.toml"
    path.write_text(printed.stdout, encoding="utf-8")
    profile = load_profile(str(path))
    assert (profile.name, profile.delimiter, profile.header_row) == ("my-card-provider", ";", 2)
    every_column_but_one_amount = {f for f in Columns.__dataclass_fields__} - {"amount"}
    assert set(profile.columns.used()) == every_column_but_one_amount
    assert set(profile.types.values()) == {*TYPES, "PENDING"}
    assert profile.pending_statuses and profile.pending_when_posted_on_empty


def test_the_profiles_help_says_where_the_format_is_described():
    from click.testing import CliRunner

    from cli.__main__ import main

    shown = CliRunner().invoke(main, ["cards", "profiles", "--help"]).stdout
    assert "described key by key" in shown and "--template" in shown
