"""The columnar reader gives what the row reader gives: the same rows, lines and messages.

`read_card_batches` hands runs of plainly good rows over as column batches
and everything else to the row reader, and gives a file back to the row
reader from the first block it cannot number exactly (a quote, which may
open a field spanning lines). Whatever the file, flattening its batches must
give exactly `read_card_file`'s results, in order.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from isf_ledger.adapters.card_files import columnar
from isf_ledger.adapters.card_files.profile import Profile, builtin_profiles, load_profile
from isf_ledger.adapters.card_files.reader import (
    CardRow,
    RowBatch,
    read_card_batches,
    read_card_file,
)

PROFILES = [p for p in builtin_profiles() if p.columns.amount]
GOOD_MONEY = ["12.50", "-12.50", "0.00", "-0.05", "1234.56"]
BAD_MONEY = ["-0.00", "007.50", "12.5", "£12.50", "1,234.50", "(1.00)", "12.50 DR", "", "abc",
             "999999999.99", "1000000000.00"]  # fmt: skip
GOOD_TEXT = ["", "TESCO", "a  b", "UPPER lower", "x-y"]
BAD_TEXT = ["Café Royal", "card 4111111111111111", " pad", "x;y", "4111 1111 1111 1111"]


def pools(profile: Profile) -> dict[str, tuple[list[str], list[str]]]:
    """Cells each column may hold: (plainly good, bad or borderline)."""
    day = date(2026, 3, 7)
    days = [day.strftime(f) for f in profile.date_formats]
    bad_days = ["", "2026-02-30", "31/02/2026", "x"]
    return {
        "transaction_id": (["", "T1", "T2", "T3", "T4", "T5"],
                           ["T1", "1.90E+21", "123456.0", "4111111111111111", "TX" * 140, " T3"]),
        "card": (["K1", "CARD-A", "4821", "****4821", "**** 4821"],
                 ["", " K1", "4111 1111 1111 1111", "x y", "K2"]),
        "posted_on": (days, bad_days),
        "transaction_on": (["", *days], bad_days),
        "type": (list(profile.types), ["", "nonsense", " Purchase", "PURCHASE"]),
        "status": (["Settled", ""], list(profile.pending_statuses)),
        "amount": (GOOD_MONEY, BAD_MONEY),
        "balance": (["", *GOOD_MONEY], BAD_MONEY),
        "description": (GOOD_TEXT, BAD_TEXT),
        "merchant": (GOOD_TEXT, BAD_TEXT),
        "mcc": (["", "5411", "0742"], ["742", "abc", "12345"]),
    }  # fmt: skip


@st.composite
def exports(draw: st.DrawFn, profile: Profile) -> bytes:
    names = profile.columns.used()
    header = list(names.values())
    choices = pools(profile)
    delimiter = profile.delimiter
    lines = [delimiter.join(header)]
    for _ in range(draw(st.integers(0, 40))):
        cells = [draw(st.sampled_from(choices[f][draw(st.integers(0, 15)) == 0])) for f in names]
        shape = draw(st.sampled_from(["row"] * 40 + ["extra", "blank-extra", "short", "empty",
                                                     "delimiters", "quoted"]))  # fmt: skip
        if shape == "extra":
            cells.append("x")
        elif shape == "blank-extra":
            cells.append("")
        elif shape == "short":
            cells.pop()
        elif shape == "empty":
            cells = []
        elif shape == "delimiters":
            cells = [""] * len(cells)
        elif shape == "quoted":
            cells[-1] = draw(st.sampled_from(['"a,b"', '"two\nlines"', 'say "hi"']))
        lines.append(delimiter.join(cells))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    text = ending.join(lines) + draw(st.sampled_from([ending, ""]))
    data = text.encode(profile.encoding)
    if draw(st.integers(0, 4)) == 0 and len(data) > 40:
        at = draw(st.integers(20, len(data) - 1))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\x00", b"\r"])) + data[at:]
    return data


def flat(items: Any) -> list[Any]:
    """Results as comparable values, each batch's rows as the row reader's `CardRow`s give them."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, RowBatch):
            for row in item.frame.iter_rows(named=True):
                raw = row.pop("raw").split(item.delimiter)
                out.append((*row.values(), raw))
        elif type(item) is CardRow:
            out.append((
                item.line, item.card_key, item.posted_on.isoformat(),
                item.transaction_on.isoformat() if item.transaction_on else None, item.type,
                int(item.amount * 100), None if item.balance is None else int(item.balance * 100),
                item.description, item.merchant, item.mcc, item.identity, item.raw,
            ))  # fmt: skip
            assert not item.suspect_id or item.identity != f"id:{item.provider_txn_id}"
        else:
            out.append(item)
    return out


def same_results(path: Path, profile: Profile) -> list[Any]:
    rows = flat(read_card_file(path, profile))
    assert flat(read_card_batches(path, profile)) == rows
    return rows


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), block=st.sampled_from([columnar.BLOCK_BYTES, 300, 1000]))
def test_batches_give_exactly_the_row_readers_results(tmp_path, profile, data, block):
    path = tmp_path / "export.csv"
    path.write_bytes(data.draw(exports(profile)))
    with pytest.MonkeyPatch.context() as patch:
        # Small blocks and batches: many of each, and fall-backs part-way through a file.
        patch.setattr(columnar, "BLOCK_BYTES", block)
        patch.setattr(columnar, "BATCH_BYTES", block * 2)
        same_results(path, profile)
        batched = sum(isinstance(i, RowBatch) for i in read_card_batches(path, profile))
        event("read in column batches" if batched else "read by the row reader alone")


def test_a_quoted_field_spanning_lines_hands_the_rest_to_the_row_reader(tmp_path, monkeypatch):
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 4096)
    good = [f"T{n},K1,2026-03-01,PURCHASE,Shop,SHOP,5411,-1.00,{n}.00" for n in range(200)]
    spanning = 'T900,K1,2026-03-01,PURCHASE,"two\nlines",SHOP,5411,-1.00,1.00'
    bad = "T901,K1,2026-03-01,PURCHASE,Shop,SHOP,5411,lots,1.00"
    header = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance"
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, *good, spanning, bad, *good[:3]]) + "\n")
    profile = load_profile("generic")
    results = same_results(path, profile)
    items = list(read_card_batches(path, profile))
    assert isinstance(items[0], RowBatch)  # read as columns up to the quoted block
    assert isinstance(items[-1], CardRow)  # and by the row reader after it
    *_, problem, _, _, _ = results
    assert (problem.line, problem.reason) == (204, "amount 'lots' is not money")
    assert results[-1][0] == 207  # the field's two lines counted


def test_a_field_too_long_for_csv_is_the_row_readers_to_word(tmp_path):
    header = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance"
    long = f"T1,K1,2026-03-01,PURCHASE,{'x' * 140_000},SHOP,5411,-1.00,1.00"
    path = tmp_path / "export.csv"
    path.write_text("\n".join([header, "T0,K1,2026-03-01,LOAD,,,,5.00,5.00", long]) + "\n")
    *_, problem = same_results(path, load_profile("generic"))
    assert problem.line == 3 and "field larger than field limit" in problem.reason
