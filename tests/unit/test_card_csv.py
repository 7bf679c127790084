"""Reading card exports: rows, problems in plain words, skipped authorisations."""

import tracemalloc
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from isf_ledger.adapters.card_files.identity import ContentIdentities
from isf_ledger.adapters.card_files.profile import Profile, builtin_profiles, load_profile
from isf_ledger.adapters.card_files.reader import CardRow, RowProblem, SkippedRow, read_card_file

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cards"
HEADER = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance"
VISA_TEST = "4111111111111111"

COUNCIL_HEADER = (
    "Card Number,Cardholder Ref,Transaction Date,Posted Date,Transaction Type,"
    "Description,Merchant Name,MCC,Debit,Credit,Balance,Status"
)


def export(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path, profile: str | Profile = "generic") -> list[Any]:
    """Every result, loosely typed: each test knows which kinds it expects."""
    chosen = load_profile(profile) if isinstance(profile, str) else profile
    return list(read_card_file(path, chosen))


def generic(tmp_path: Path, *rows: str, bom: bool = False) -> list[Any]:
    text = ("\ufeff" if bom else "") + "\n".join([HEADER, *rows]) + "\n"
    return read(export(tmp_path, text))


def only(results: list, kind: type):
    assert len(results) == 1, results
    assert isinstance(results[0], kind), results[0]
    return results[0]


def summary(row: CardRow) -> tuple:
    return (row.card_key, row.posted_on, row.type, row.amount, row.balance, row.mcc)


# The three exports of one month ----------------------------------------------------------


def fixture(profile: str) -> list:
    return read(FIXTURES / f"march-2026-{profile}.csv", profile)


def test_three_exports_of_the_same_month_read_as_the_same_transactions():
    months = {p: fixture(p) for p in ("generic", "council-portal", "processor-semicolon")}
    for results in months.values():
        assert not [r for r in results if isinstance(r, RowProblem)]
    sequences = {
        p: [summary(r) for r in results if isinstance(r, CardRow)] for p, results in months.items()
    }
    assert sequences["generic"] == sequences["council-portal"] == sequences["processor-semicolon"]
    assert len(sequences["generic"]) == 15
    assert sequences["generic"][0] == (
        "4821",
        date(2026, 3, 1),
        "LOAD",
        Decimal("1250.00"),
        Decimal("1250.00"),
        "",
    )


def test_the_exports_running_balances_agree_with_their_amounts():
    balances: dict[str, Decimal] = {}
    for row in fixture("council-portal"):
        if isinstance(row, CardRow):
            balances[row.card_key] = balances.get(row.card_key, Decimal("0.00")) + row.amount
            assert row.balance == balances[row.card_key]


def test_pending_declined_and_authorised_rows_are_skipped_and_counted():
    council = [r for r in fixture("council-portal") if isinstance(r, SkippedRow)]
    assert [r.reason for r in council] == [
        "Status 'Pending' is not posted",
        "Status 'Declined' is not posted",
        "Status 'Authorised' is not posted",
    ]
    processor = [r for r in fixture("processor-semicolon") if isinstance(r, SkippedRow)]
    assert [(r.line, r.reason) for r in processor] == [
        (15, "Txn Type 'Authorisation' is not posted")
    ]


def test_an_export_without_ids_is_known_by_content_whatever_its_format():
    generic_ids = [r.identity for r in fixture("generic") if isinstance(r, CardRow)]
    council_ids = [r.identity for r in fixture("council-portal") if isinstance(r, CardRow)]
    assert generic_ids == council_ids
    assert len(set(generic_ids)) == 15


def test_provider_references_become_identities_scoped_by_the_profiles_source():
    rows = [r for r in fixture("processor-semicolon") if isinstance(r, CardRow)]
    assert rows[0].identity == "id:processor-semicolon:TX260301001"
    assert rows[0].provider_txn_id == "TX260301001"
    assert rows[0].transaction_on == date(2026, 3, 1)


def test_a_masked_card_number_and_a_cp1252_export_read_cleanly():
    rows = [r for r in fixture("council-portal") if isinstance(r, CardRow)]
    coffee = rows[2]
    assert (coffee.card_key, coffee.merchant, coffee.description) == (
        "4821",
        "CAFÉ ROYAL",
        "Café Royal coffee",
    )
    assert coffee.transaction_on == date(2026, 3, 3)
    assert coffee.line == 6  # two title lines, the header, then the fourth transaction


# Money, dates and types -------------------------------------------------------------------


def test_a_row_with_a_pound_sign_and_thousands_separator_reads_exactly(tmp_path):
    row = only(generic(tmp_path, 'T1,card-1,2026-03-01,LOAD,,,,"£1,234.50","£1,234.50"'), CardRow)
    assert row.amount == Decimal("1234.50")
    assert str(row.amount) == "1234.50"
    assert row.balance == Decimal("1234.50")


def test_an_amount_that_is_not_money_is_reported_with_its_column_and_value(tmp_path):
    problem = only(generic(tmp_path, 'T1,card-1,2026-03-01,PURCHASE,,,,"12,5O",'), RowProblem)
    assert problem.line == 2
    assert problem.reason == "amount '12,5O' is not money"


def test_an_amount_with_three_decimal_places_is_a_problem(tmp_path):
    problem = only(generic(tmp_path, "T1,card-1,2026-03-01,PURCHASE,,,,-1.234,"), RowProblem)
    assert problem.reason == "amount '-1.234' has more than two decimal places"


def test_every_problem_in_a_row_is_reported_together(tmp_path):
    problem = only(generic(tmp_path, "T1,,2026-02-31,SPEND,,,54A1,ten,"), RowProblem)
    assert problem.reason == (
        "card_id is empty; "
        "posted_on '2026-02-31' is not a real date in format yyyy-mm-dd; "
        "amount 'ten' is not money; "
        "mcc '54A1' is not a 4-digit merchant category code; "
        "type 'SPEND' is not a type this profile knows"
    )
    assert problem.raw == ["T1", "", "2026-02-31", "SPEND", "", "", "54A1", "ten", ""]


def test_type_spellings_are_matched_ignoring_case_and_spacing(tmp_path):
    rows = generic(
        tmp_path, "T1,c,2026-03-01,load,,,,5.00,", "T2,c,2026-03-01, Purchase ,,,,-5.00,"
    )
    assert [r.type for r in rows] == ["LOAD", "PURCHASE"]


USER_PROFILE = """
name = "three-dates"
source = "three-dates"
date_formats = ["%Y-%m-%d", "%d/%m/%Y", "%d-%b-%y"]
[columns]
card = "Card"
posted_on = "Date"
type = "Type"
amount = "Amount"
[types]
"POS Purchase" = "PURCHASE"
"""


def test_dates_in_any_of_three_formats_read_when_the_profile_lists_them(tmp_path):
    profile = load_profile(export(tmp_path, USER_PROFILE, name="three.toml"))
    text = "Card,Date,Type,Amount\n"
    text += "4821,2026-03-04,POS Purchase,-1.00\n4821,04/03/2026,POS Purchase,-1.00\n"
    text += "4821,04-Mar-26,POS Purchase,-1.00\n4821,31/02/2026,POS Purchase,-1.00\n"
    results = read(export(tmp_path, text), profile)
    assert [r.posted_on for r in results[:3]] == [date(2026, 3, 4)] * 3
    assert results[3] == RowProblem(
        5,
        "Date '31/02/2026' is not a real date in format dd/mm/yyyy",
        ["4821", "31/02/2026", "POS Purchase", "-1.00"],
    )


def test_debit_and_credit_columns_give_the_sign_and_exactly_one_must_be_filled(tmp_path):
    rows = [
        "************4821,R,01/03/2026,01/03/2026,Load,,,,,£100.00,,Settled",
        "************4821,R,01/03/2026,02/03/2026,POS Purchase,,,,£12.50,£0.00,,Settled",
        "************4821,R,01/03/2026,02/03/2026,POS Purchase,,,,£12.50,£1.00,,Settled",
        "************4821,R,01/03/2026,02/03/2026,POS Purchase,,,,,,,Settled",
    ]
    text = "Title\nPeriod\n" + COUNCIL_HEADER + "\n" + "\n".join(rows) + "\n"
    results = read(export(tmp_path, text, "cp1252"), "council-portal")
    assert [r.amount for r in results[:2]] == [Decimal("100.00"), Decimal("-12.50")]
    assert results[2].reason == "Debit '£12.50' and Credit '£1.00' are both filled"
    assert results[3].reason == "Debit and Credit are both empty"


def test_a_statement_without_types_takes_them_from_cr_and_dr(tmp_path):
    text = (
        "Date,Card,Description,Amount,Balance\n"
        '01 Mar 2026,XXXX XXXX XXXX 4821,LOAD,"1,250.00 CR","1,250.00 CR"\n'
        "03 Mar 2026,XXXX XXXX XXXX 4821,TESCO,45.60 DR,1204.40 CR\n"
    )
    rows = read(export(tmp_path, text), "cardholder-statement")
    assert [(r.type, r.amount, r.balance) for r in rows] == [
        ("LOAD", Decimal("1250.00"), Decimal("1250.00")),
        ("PURCHASE", Decimal("-45.60"), Decimal("1204.40")),
    ]


# Identities --------------------------------------------------------------------------------


def test_two_identical_coffees_on_one_day_are_two_transactions(tmp_path):
    coffee = ",card-1,2026-03-04,PURCHASE,Coffee,COSTA,5814,-3.20,"
    rows = generic(tmp_path, coffee, coffee)
    assert len({r.identity for r in rows}) == 2


def test_reading_the_same_file_again_gives_the_same_identities(tmp_path):
    coffee = ",card-1,2026-03-04,PURCHASE,Coffee,COSTA,5814,-3.20,"
    path = export(tmp_path, f"{HEADER}\n{coffee}\n{coffee}\n")
    assert [r.identity for r in read(path)] == [r.identity for r in read(path)]


def test_a_later_export_overlapping_an_earlier_one_gives_the_shared_rows_the_same_identities(
    tmp_path,
):
    day1 = ",card-1,2026-03-04,PURCHASE,Coffee,COSTA,5814,-3.20,"
    day2 = ",card-1,2026-03-05,PURCHASE,Lunch,PRET,5812,-6.10,"
    day3 = ",card-1,2026-03-06,PURCHASE,Bus,LOTHIAN,4111,-2.00,"
    first = generic(tmp_path, day1, day1, day2)
    second = generic(tmp_path, day2, day1, day3, day1)
    assert {r.identity for r in first} <= {r.identity for r in second}


def test_a_provider_id_is_the_identity_and_is_read_as_text(tmp_path):
    row = only(generic(tmp_path, "000123,card-1,2026-03-04,FEE,,,,-1.50,"), CardRow)
    assert row.provider_txn_id == "000123"
    assert row.identity == "id:generic:000123"
    assert not row.suspect_id


@pytest.mark.parametrize("mangled", ["1.90E+21", "4.75E+15", "123456.0"])
def test_an_id_a_spreadsheet_mangled_is_flagged_and_not_trusted_as_identity(tmp_path, mangled):
    same = f"{mangled},card-1,2026-03-04,FEE,,,,-1.50,"
    rows = generic(tmp_path, same, same.replace("-1.50", "-2.50"))
    assert all(r.suspect_id and r.provider_txn_id == mangled for r in rows)
    assert all(len(r.identity) == 64 for r in rows)
    assert rows[0].identity != rows[1].identity


def test_identity_counters_cost_at_most_a_few_bytes_a_row():
    identities = ContentIdentities()
    tracemalloc.start()
    try:
        for i in range(30_000):
            identities.next("c", date(2026, 3, 1), "FEE", Decimal(i), "", "", "", None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30_000 * 48


# Card numbers ------------------------------------------------------------------------------


def test_a_full_card_number_never_leaves_the_reader(tmp_path):
    row = only(
        generic(
            tmp_path,
            f"T1,{VISA_TEST},2026-03-04,PURCHASE,Paid by card {VISA_TEST},"
            "SHOP 5555 5555 5555 4444,5411,-3.20,",
        ),
        CardRow,
    )
    assert row.card_key == "1111"
    assert row.description == "Paid by card ****1111"
    assert row.merchant == "SHOP ****4444"
    assert not any(VISA_TEST in cell or "5555 5555" in cell for cell in row.raw)


def test_a_card_number_in_a_bad_row_is_masked_in_the_problem_too(tmp_path):
    problem = only(generic(tmp_path, f"T1,c,2026-03-04,PURCHASE,{VISA_TEST},,,x,"), RowProblem)
    assert VISA_TEST not in problem.reason and VISA_TEST not in problem.raw


def test_a_transaction_id_that_is_the_cards_own_number_is_refused_and_masked(tmp_path):
    problem = only(
        generic(tmp_path, f"{VISA_TEST},{VISA_TEST},2026-03-04,FEE,,,,-1.00,"), RowProblem
    )
    assert problem.reason == "transaction_id holds the card number"
    assert VISA_TEST not in problem.raw


def test_a_card_number_a_spreadsheet_rounded_is_a_problem(tmp_path):
    problem = only(generic(tmp_path, "T1,4.11E+15,2026-03-04,FEE,,,,-1.00,"), RowProblem)
    assert "card_id '4.11E+15' was turned into a number by a spreadsheet" in problem.reason


# The shape of the file ---------------------------------------------------------------------


def test_the_contracts_generic_header_reads_with_and_without_a_byte_order_mark(tmp_path):
    row = "T1,card-1,2026-03-04,PURCHASE,Coffee,COSTA,5814,-3.20,96.80"
    for bom in (False, True):
        read_row = only(generic(tmp_path, row, bom=bom), CardRow)
        assert read_row.provider_txn_id == "T1"
        assert read_row.balance == Decimal("96.80")


def test_a_utf8_file_with_a_byte_order_mark_reads_as_utf8_under_a_cp1252_profile(tmp_path):
    text = "Title\nPeriod\n" + COUNCIL_HEADER + "\n"
    text += "************4821,R,01/03/2026,01/03/2026,Load,Café,,,,£5.00,,Settled\n"
    row = only(read(export(tmp_path, text, "utf-8-sig"), "council-portal"), CardRow)
    assert (row.amount, row.description) == (Decimal("5.00"), "Café")


def test_cp1252_bytes_given_to_a_utf8_profile_are_reported_at_their_line(tmp_path):
    text = (
        HEADER + "\nT1,card-1,2026-03-01,LOAD,,,,5.00,\nT2,card-1,2026-03-02,FEE,Fee £1,,,-1.00,\n"
    )
    text += "T3,card-1,2026-03-03,FEE,,,,-1.00,\n"
    results = read(export(tmp_path, text, "cp1252"))
    assert isinstance(results[0], CardRow)
    assert results[1] == RowProblem(
        3,
        "byte 0xa3 at position 30 is not utf-8 text; "
        "the file may be in another encoding (utf-8 or cp1252)",
        [],
    )
    assert len(results) == 2  # reading stops: the rest of the file cannot be trusted


def test_a_missing_column_is_reported_at_the_header_and_reading_stops(tmp_path):
    text = "transaction_id,card_id,posted_on,type,description,merchant,mcc,balance\nT1,c,x\n"
    problem = only(read(export(tmp_path, text)), RowProblem)
    assert (problem.line, problem.reason) == (1, "missing column 'amount'")
    assert problem.raw[0] == "transaction_id"


def test_an_export_read_with_the_wrong_profile_names_every_missing_column(tmp_path):
    problem = only(read(FIXTURES / "march-2026-generic.csv", "cardholder-statement"), RowProblem)
    assert (problem.line, problem.reason) == (1, "missing columns 'Card', 'Date'")


def test_an_export_in_another_delimiter_is_told_so_not_every_column_missing(tmp_path):
    problem = only(read(FIXTURES / "march-2026-generic.csv", "processor-semicolon"), RowProblem)
    assert problem.line == 1
    assert problem.reason.startswith(
        "the header is one column: it looks comma-separated (','), but profile "
        "'processor-semicolon' reads semicolon-separated files"
    )


def test_header_names_match_ignoring_case_spacing_and_order(tmp_path):
    text = "Amount, CARD_ID ,posted_on,TYPE,transaction_id,mcc,merchant,description,balance\n"
    text += "-1.00,card-1,2026-03-01,FEE,T1,,,,\n"
    assert only(read(export(tmp_path, text)), CardRow).amount == Decimal("-1.00")


def test_an_empty_file_is_one_problem(tmp_path):
    assert read(export(tmp_path, "")) == [RowProblem(0, "file is empty", [])]
    assert read(export(tmp_path, "\n\n \n")) == [RowProblem(0, "file is empty", [])]


def test_a_header_only_file_has_no_rows_and_no_problems(tmp_path):
    assert generic(tmp_path) == []


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path):
    assert read(tmp_path / "nowhere.csv") == [RowProblem(0, "file not found", [])]


def test_title_lines_before_the_header_are_passed_over(tmp_path):
    text = "Prepaid Card Transactions\nPeriod: March\n"
    short = read(export(tmp_path, text, "cp1252"), "council-portal")
    assert short == [RowProblem(2, "file ends before its header row (line 3)", [])]


def test_blank_lines_are_skipped_and_line_numbers_stay_physical(tmp_path):
    text = (
        f"{HEADER}\n\n"
        'T1,card-1,2026-03-01,LOAD,"two\nlines",,,5.00,\n'
        ",,,,,,,,\n"
        "T2,card-1,2026-03-02,FEE,,,,x,\n"
    )
    results = read(export(tmp_path, text))
    assert results[0].line == 3 and results[0].description == "two\nlines"
    assert results[1].line == 6


def test_trailing_empty_columns_are_tolerated_but_extra_values_are_not(tmp_path):
    rows = generic(tmp_path, "T1,c,2026-03-01,LOAD,,,,5.00,,,", "T2,c,2026-03-01,LOAD,,,,5.00,,x")
    assert isinstance(rows[0], CardRow)
    assert rows[1].reason == "row has 10 cells but the header has 9"


def test_a_short_row_is_a_problem(tmp_path):
    problem = only(generic(tmp_path, "T1,c,2026-03-01,LOAD,,,,5.00"), RowProblem)
    assert problem.reason == "row has 8 cells but the header has 9"


def test_a_semicolon_export_with_quoted_semicolons_reads(tmp_path):
    rows = [r for r in fixture("processor-semicolon") if isinstance(r, CardRow)]
    assert rows[6].description == "Support hours, invoice 114; week to 8 March"


def test_an_endless_line_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(HEADER.encode() + b"\n" + b"x" * 3_000_000)
    assert read(path) == [RowProblem(2, "line is longer than 1 MB; this is not a card export", [])]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400))
def test_the_reader_never_raises_whatever_bytes_it_is_given(tmp_path, data):
    path = tmp_path / "noise.csv"
    for profile in builtin_profiles():
        path.write_bytes(HEADER.encode() + b"\n" + data)
        results = list(read_card_file(path, profile))
        assert all(isinstance(r, CardRow | RowProblem | SkippedRow) for r in results)


# Size --------------------------------------------------------------------------------------


def big_export(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for i in range(rows):
            out.write(
                f"TX{i:09d},card-{i % 500},2026-03-{i % 28 + 1:02d},PURCHASE,"
                f"Groceries week {i},TESCO STORES {i % 97},5411,-{i % 1000}.{i % 100:02d},\n"
            )
    return path


def consume(results: Iterator, count: int | None) -> int:
    return sum(1 for _ in islice(results, count))


def test_a_200000_row_export_is_read_in_flat_memory(tmp_path):
    path = big_export(tmp_path / "big.csv", 200_000)
    results = read_card_file(path, load_profile("generic"))
    # Tracing makes every allocation several times slower, so only the start (which
    # would show a file read whole) and the end (which would show anything kept per
    # row) are traced.
    peaks = []
    read_rows = 0
    for count in (10_000, 180_000, None):
        traced = count != 180_000
        if traced:
            tracemalloc.start()
        read_rows += consume(results, count)
        if traced:
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
    assert read_rows == 200_000
    assert path.stat().st_size > 15_000_000
    assert max(peaks) < 1_000_000
