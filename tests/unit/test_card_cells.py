"""Single cells of card exports: money, dates, card numbers, merchant codes."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isf_ledger.adapters.card_files.cells import (
    CellError,
    card_key,
    date_format_words,
    looks_excel_mangled,
    luhn_valid,
    mask_card_numbers,
    might_hold_card_number,
    parse_date,
    parse_mcc,
    parse_money,
)
from isf_ledger.domain.money import LIMIT

VISA_TEST = "4111111111111111"
MASTERCARD_TEST = "5555555555554444"
AMEX_TEST = "378282246310005"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", "12.50"),
        ("-3.2", "-3.20"),
        ("7", "7.00"),
        (" £1,234.50 ", "1234.50"),
        ("-£45.60", "-45.60"),
        ("£-45.60", "-45.60"),
        ("GBP 1,000,000.00", "1000000.00"),
        ("12.50 GBP", "12.50"),
        ("(12.50)", "-12.50"),
        ("(£1,250.00)", "-1250.00"),
        ("+0.99", "0.99"),
        (".50", "0.50"),
        ("-0.00", "0.00"),
    ],
)
def test_money_as_exports_write_it_reads_exactly(text, expected):
    amount = parse_money(text)
    assert amount == Decimal(expected)
    assert str(amount) == expected


@pytest.mark.parametrize(
    "text", ["12,5O", "", "£", "1,23.00", "12.50.1", "(12.50", "--1.00", "1 000.00", "€12.50"]
)
def test_text_that_is_not_money_is_refused(text):
    with pytest.raises(CellError, match="is not money"):
        parse_money(text)


def test_more_than_two_decimal_places_is_refused_not_rounded():
    with pytest.raises(CellError, match="more than two decimal places"):
        parse_money("1.234")


@pytest.mark.parametrize("text", ["1" * 29, "1" * 27 + ".00", "£" + "9" * 30 + ".5"])
def test_an_amount_with_more_digits_than_money_can_hold_is_refused_not_a_crash(text):
    with pytest.raises(CellError, match="too large to be money"):
        parse_money(text)


@pytest.mark.parametrize(
    "text", ["1,000,000,000.00", "(1000000000.00)", "-99999999999999999999.00"]
)
def test_an_amount_above_the_limit_is_refused(text):
    with pytest.raises(CellError, match=r"above the limit of 999999999\.99"):
        parse_money(text)


def test_an_amount_at_the_limit_is_money():
    assert parse_money("(999,999,999.99)") == Decimal("-999999999.99")


def test_cr_and_dr_give_the_sign_only_when_the_profile_allows_them():
    assert parse_money("100.00 CR", cr_dr=True) == Decimal("100.00")
    assert parse_money("£1,204.40 dr", cr_dr=True) == Decimal("-1204.40")
    with pytest.raises(CellError, match="is not money"):
        parse_money("100.00 CR")
    with pytest.raises(CellError, match="sign twice"):
        parse_money("-12.50 DR", cr_dr=True)


@given(st.decimals(min_value=-LIMIT, max_value=LIMIT, places=2))
def test_any_two_place_amount_written_with_pound_sign_and_separators_reads_back(amount):
    sign = "-" if amount < 0 else ""
    written = f"{sign}£{abs(amount):,.2f}"
    assert parse_money(written) == amount


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("2026-03-04", ("%Y-%m-%d",), date(2026, 3, 4)),
        ("04/03/2026", ("%d/%m/%Y",), date(2026, 3, 4)),
        ("04-Mar-26", ("%d-%b-%y",), date(2026, 3, 4)),
        ("04/03/2026 14:32", ("%d/%m/%Y", "%d/%m/%Y %H:%M"), date(2026, 3, 4)),
    ],
)
def test_dates_read_in_each_of_the_profiles_formats(text, formats, expected):
    assert parse_date(text, formats) == expected


def test_an_impossible_date_is_named_as_not_a_real_date_in_its_format():
    with pytest.raises(CellError, match=r"is not a real date in format dd/mm/yyyy$"):
        parse_date("31/02/2026", ("%Y-%m-%d", "%d/%m/%Y"))


def test_a_date_in_no_known_format_lists_the_formats():
    with pytest.raises(CellError, match="any of the date formats yyyy-mm-dd, dd-Mon-yy"):
        parse_date("March 4th", ("%Y-%m-%d", "%d-%b-%y"))


def test_date_formats_are_shown_as_people_write_them():
    assert date_format_words("%d/%m/%Y %H:%M") == "dd/mm/yyyy hh:mm"


def test_the_luhn_check_accepts_real_test_numbers_and_refuses_a_typo():
    assert luhn_valid(VISA_TEST) and luhn_valid(MASTERCARD_TEST) and luhn_valid(AMEX_TEST)
    assert not luhn_valid("4111111111111112")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Paid with {VISA_TEST} at Tesco", "Paid with ****1111 at Tesco"),
        ("card 5555 5555 5555 4444 exp 07/26", "card ****4444 exp 07/26"),
        ("card 5555-5555-5555-4444", "card ****4444"),
        ("AMEX 3782 822463 10005.", "AMEX ****0005."),
        ("ref 1234 4111 1111 1111 1111 07", "ref 1234 ****1111 07"),
        (f"REF{VISA_TEST}X", "REF****1111X"),
    ],
)
def test_a_full_card_number_in_free_text_is_cut_to_its_last_four_digits(text, expected):
    assert mask_card_numbers(text) == expected


@given(st.text(alphabet="0123456789 -x*", max_size=40))
def test_the_quick_check_never_lets_a_card_number_through(text):
    assert might_hold_card_number(text) or mask_card_numbers(text) == text


@given(
    st.lists(st.sampled_from([VISA_TEST, MASTERCARD_TEST, AMEX_TEST, "12", "07/26", "ref"])),
    st.sampled_from([" ", "-", ", ", ":", "a"]),
)
def test_no_full_card_number_survives_masking_whatever_surrounds_it(pieces, separator):
    # Digits glued straight onto a card number leave no way to tell where it starts,
    # so the pieces are always separated, as text written by people is.
    masked = mask_card_numbers(separator.join(pieces))
    for number in (VISA_TEST, MASTERCARD_TEST, AMEX_TEST):
        assert number not in masked


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # fails the Luhn check
        "Invoice 0131 496 0000",  # a phone number
        "order 204-118 on 2026-03-04",
        "12345678901234567890123",  # too long to be a card number
    ],
)
def test_numbers_that_are_not_card_numbers_are_left_alone(text):
    assert mask_card_numbers(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "************4821",
        "4751 **** **** 4821",
        "XXXX-XXXX-XXXX-4821",
        "475123******4821",
        "4821",
        "5555555555554821",
    ],
)
def test_a_card_number_column_gives_the_last_four_digits(text):
    assert card_key(text, "card_number") == "4821"


def test_a_card_id_column_keeps_ids_but_still_cuts_card_numbers():
    assert card_key("card-0417", "card_id") == "card-0417"
    assert card_key(VISA_TEST, "card_id") == "1111"
    assert card_key("************4821", "card_id") == "4821"


@pytest.mark.parametrize(
    ("text", "holds", "reason"),
    [
        ("4.11E+15", "card_number", "turned into a number by a spreadsheet"),
        ("Jane's card", "card_number", "not a card number ending in four digits"),
        ("card 17", "card_id", "not a card id"),
        ("  ", "card_id", "is empty"),
    ],
)
def test_a_card_cell_that_gives_no_card_is_refused(text, holds, reason):
    with pytest.raises(CellError, match=reason):
        card_key(text, holds)


@pytest.mark.parametrize("text", ["1.90E+21", "4.75E+15", "2E+19", "123456.0", " 9.0 "])
def test_ids_a_spreadsheet_turned_into_numbers_are_recognised(text):
    assert looks_excel_mangled(text)


@pytest.mark.parametrize("text", ["TX260301001", "1900000000000000000001", "E+15", "12.5"])
def test_ordinary_ids_are_not_taken_for_spreadsheet_damage(text):
    assert not looks_excel_mangled(text)


def test_merchant_codes_are_four_digits_with_a_lost_leading_zero_put_back():
    assert parse_mcc("5411") == "5411"
    assert parse_mcc("742") == "0742"
    assert parse_mcc(" ") == ""
    with pytest.raises(CellError, match="not a 4-digit merchant category code"):
        parse_mcc("54A1")
    with pytest.raises(CellError):
        parse_mcc("54111")
