"""Single cells of a card export: money, dates, card numbers, codes.

Each parser takes a cell's text and returns the value or raises `CellError`
whose message finishes the sentence "<column> '<value>' ...". Kept apart from
the CSV streaming so the rules for money and card numbers read (and test) on
their own.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from isf_ledger.adapters.card_files.profile import CARD_ID
from isf_ledger.adapters.identifiers import ID_PATTERN
from isf_ledger.domain.money import LIMIT, PENNY, ZERO, MoneyError, within_limit


class CellError(ValueError):
    """A cell that does not hold what its column should; the message is the predicate."""


_MONEY = re.compile(
    r"""
    (?P<open>\()? \s*
    (?P<sign>[-+])? \s* (?:£|GBP)? \s* (?P<sign2>[-+])? \s*
    (?P<number>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)? | [0-9]+(?:\.[0-9]+)? | \.[0-9]+)
    \s* (?:GBP)? \s*
    (?P<close>\))? \s*
    (?P<crdr>CR|DR)?
    """,
    re.VERBOSE | re.IGNORECASE,
)


_PLAIN_MONEY = re.compile(r"-?[0-9]+(?:\.[0-9]{1,2})?")
# The usual cell: pounds and pence, no more digits than Decimal's precision (28),
# so it reads exactly as it is, with nothing to round or pad.
_PLAIN_PENCE = re.compile(r"-?[0-9]{1,26}\.[0-9]{2}")


def parse_money(text: str, *, cr_dr: bool = False) -> Decimal:
    """Exact signed money as exports write it: `£1,234.50`, `(12.50)`, `12.50 DR`.

    Parsed from the text by `Decimal`, never through float; more than two
    decimal places is refused rather than rounded, because it means the
    column is not what the profile thinks it is.
    """
    try:
        return within_limit(_money(text, cr_dr))
    except InvalidOperation:  # more digits than Decimal holds exactly
        raise CellError("is too large to be money") from None
    except MoneyError:
        raise CellError(f"is above the limit of {LIMIT} for any amount") from None


def _money(text: str, cr_dr: bool) -> Decimal:
    value = text.strip()
    if _PLAIN_PENCE.fullmatch(value):
        return Decimal(value) or ZERO  # ZERO rather than -0.00
    if _PLAIN_MONEY.fullmatch(value):
        return Decimal(value).quantize(PENNY) + ZERO  # + ZERO turns -0.00 into 0.00
    m = _MONEY.fullmatch(value)
    if m is None:
        raise CellError("is not money")
    opening, sign, sign2, number, closing, crdr = m.group(
        "open", "sign", "sign2", "number", "close", "crdr"
    )
    parens = bool(opening) + bool(closing)
    signs = bool(sign) + bool(sign2)
    if parens == 1 or signs == 2 or (crdr and not cr_dr):
        raise CellError("is not money")
    if ((parens or crdr) and signs) or (parens and crdr):
        raise CellError("gives its sign twice")
    number = number.replace(",", "")
    if "." in number and len(number.split(".")[1]) > 2:
        raise CellError("has more than two decimal places")
    amount = Decimal(number).quantize(PENNY)
    negative = parens or "-" in (sign, sign2) or (crdr or "").upper() == "DR"
    return -amount if negative else amount + ZERO


_DATE_WORDS = (
    ("%d", "dd"),
    ("%m", "mm"),
    ("%Y", "yyyy"),
    ("%y", "yy"),
    ("%b", "Mon"),
    ("%B", "Month"),
    ("%H", "hh"),
    ("%I", "hh"),
    ("%M", "mm"),
    ("%S", "ss"),
    ("%p", "AM/PM"),
)


def date_format_words(fmt: str) -> str:
    """A strptime format as people write it: `%d/%m/%Y` -> `dd/mm/yyyy`."""
    for code, words in _DATE_WORDS:
        fmt = fmt.replace(code, words)
    return fmt


def parse_date(text: str, formats: tuple[str, ...]) -> date:
    """The first format that reads the cell wins; a time of day, if any, is dropped."""
    value = text.strip()
    right_shape: list[str] = []
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError as e:
            # "does not match format" / "unconverted data" mean the wrong shape;
            # anything else ("day is out of range") means a right shape, wrong date.
            message = str(e)
            if "does not match format" not in message and "unconverted data" not in message:
                right_shape.append(fmt)
    if right_shape:
        raise CellError(f"is not a real date in format {date_format_words(right_shape[0])}")
    words = ", ".join(date_format_words(f) for f in formats)
    plural = "any of the date formats" if len(formats) > 1 else "date format"
    raise CellError(f"does not match {plural} {words}")


# 13 or more digits, maybe in groups joined by single spaces or dashes, as card
# numbers are printed.
_DIGIT_RUN = re.compile(r"(?<![0-9])(?:[0-9][ -]?){12,}[0-9](?![0-9])")
# Matches wherever _DIGIT_RUN does, and is several times faster to search.
_MAYBE_DIGIT_RUN = re.compile(r"[0-9][0-9 -]{11}[0-9]")
# Digits, spaces and dashes as b"0", any other byte as b"x": 13 b"0" in a row
# are where _MAYBE_DIGIT_RUN can match, found some times faster than it.
_DIGIT_RUN_BYTES = bytes(48 if byte in b"0123456789 -" else 120 for byte in range(256))
_DIGITS = re.compile(r"[0-9]+")
_SEPARATORS = re.compile(r"[ -]")


def luhn_valid(digits: str) -> bool:
    """The check digit every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def might_hold_card_number(text: str) -> bool:
    """A quick test that lets most rows skip `mask_card_numbers` cell by cell."""
    runs = text.encode("utf-8", "replace").translate(_DIGIT_RUN_BYTES)
    return runs.find(b"0" * 13) >= 0 and _MAYBE_DIGIT_RUN.search(text) is not None


def mask_card_numbers(text: str) -> str:
    """Replace every full card number in free text by `****` and its last four digits.

    A card number is 13-19 digits, maybe printed in groups, passing the Luhn
    check. Windows start and end on group boundaries, so `4111 1111 1111 1111
    07/26` is still caught although the run carries extra digits.
    """
    if len(text) < 13:
        return text
    return _DIGIT_RUN.sub(_mask_run, text)


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    spans = [(m.start(), m.end()) for m in _DIGITS.finditer(run)]
    groups = [run[a:b] for a, b in spans]
    out: list[str] = []
    kept_from, i = 0, 0
    while i < len(groups):
        end = _card_number_end(groups, i)
        if end is None:
            i += 1
            continue
        out += [run[kept_from : spans[i][0]], "****" + "".join(groups[i:end])[-4:]]
        kept_from, i = spans[end - 1][1], end
    out.append(run[kept_from:])
    return "".join(out)


def _card_number_end(groups: list[str], start: int) -> int | None:
    """Where a card number starting at group `start` ends, if one does."""
    count = 0
    for end in range(start, len(groups)):
        count += len(groups[end])
        if count > 19:
            return None
        if count >= 13 and luhn_valid("".join(groups[start : end + 1])):
            return end + 1
    return None


# After spaces and dashes are removed: a masked number or a full one.
_CARD_NUMBER = re.compile(r"[0-9]{0,6}[*xX•#]{4,}[0-9]{4}|[0-9]{13,19}")
_EXCEL_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-][0-9]{1,3}|[0-9]+\.0+")


def looks_excel_mangled(text: str) -> bool:
    """`1.90E+21` or `123456.0`: a spreadsheet took the text for a number and rounded it."""
    return _EXCEL_NUMBER.fullmatch(text.strip()) is not None


def card_key(text: str, holds: str) -> str:
    """The ledger's card id if the column holds ids, else the card's last four digits.

    A card number, masked or not, is cut to its last four digits whichever the
    column holds, so a full number never leaves the reader.
    """
    value = text.strip()
    if not value:
        raise CellError("is empty")
    if looks_excel_mangled(value):
        raise CellError("was turned into a number by a spreadsheet; its last digits are lost")
    compact = _SEPARATORS.sub("", value)
    if _CARD_NUMBER.fullmatch(compact):
        return compact[-4:]
    if holds == CARD_ID:
        if not ID_PATTERN.match(value):
            raise CellError("is not a card id (1-64 of A-Z a-z 0-9 . _ : -)")
        return value
    if len(compact) == 4 and compact.isascii() and compact.isdigit():
        return compact
    raise CellError("is not a card number ending in four digits")


def parse_mcc(text: str) -> str:
    """A merchant category code as 4 digits, or "" when the export leaves it out.

    One to three digits are padded back: a spreadsheet drops the leading zero
    of codes such as 0742 (veterinary services).
    """
    value = text.strip()
    if not value:
        return ""
    if not value.isascii() or not value.isdigit() or len(value) > 4:
        raise CellError("is not a 4-digit merchant category code")
    return value.zfill(4)
