"""A provider's return through `Ledger.import_returns`, on SQLite and on PostgreSQL.

Each line becomes a `RecordHours` or `RecordCost` with the provider's account
as actor; the file is applied whole or not at all, only for the provider's
own agreements, and the same lines again add nothing.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from isf_ledger.application.returns import ReturnsResult
from isf_ledger.bootstrap import Ledger
from isf_ledger.domain.errors import NotFound
from isf_ledger.settings import Settings
from tests.integration.in_process import applied
from tests.integration.raw_store import raw_store
from tests.integration.test_agreement_commands import SETUP, agreement_trail

D = Decimal
HEADER = "kind,agreement_id,week_start,delivered_hours,on,amount,description,cost_id\n"
RETURN = (
    HEADER
    + "hours,A1,2026-04-06,10,,,,\n"
    + "hours,A1,13/04/2026,12.5,,,,\n"
    + 'cost,A1,,,8 Apr 2026,"£1,035.40",Respite weekend,PR1-C-7\n'
)
# The same person, budget and draft agreement again under other ids, held by PR2.
RENAMED = {"P1": "P2", "PR1": "PR2", "B1": "B2", "A1": "A2"}
OTHER_PROVIDER = [
    {key: RENAMED.get(value, value) if isinstance(value, str) else value
     for key, value in command.items()}
    for command in SETUP[:5]
]  # fmt: skip


def council(ledger: Ledger) -> None:
    applied(ledger, SETUP + OTHER_PROVIDER, "setup-")


def send(ledger: Ledger, text: str, actor: str = "pr1.office", **kw) -> ReturnsResult:
    return ledger.import_returns(text.encode(), "PR1", actor=actor, name="april.csv", **kw)


def errors(result: ReturnsResult) -> list[tuple[int, str]]:
    return [(e.line, e.error) for e in result.errors]


def test_a_return_records_hours_and_costs_with_the_providers_account_as_actor(ledger):
    council(ledger)
    result = send(ledger, RETURN)
    assert (result.applied, result.duplicates, result.errors) == (3, 0, [])
    april = ledger.provider_statement("PR1", "2026-04").agreements[0]
    assert april.hours_delivered == D("22.50")
    assert april.charges_hours == D("483.75")  # 22.5 h x £21.50
    assert april.charges_other == D("1035.40")
    returned = [
        c
        for c in agreement_trail(ledger)
        if c["type"] in ("Agreement.HoursRecorded", "Agreement.CostRecorded")
    ]
    assert [(c["actor"], c["reason"]) for c in returned] == [("pr1.office", "provider return")] * 3
    assert all(c["command_id"].startswith("return:") for c in returned)


def test_the_same_return_again_adds_nothing_whoever_sends_it(ledger, db_url):
    council(ledger)
    send(ledger, RETURN)
    before = raw_store(db_url)
    again = send(ledger, RETURN)
    by_another = send(ledger, RETURN.replace("12.5,", "12.50,"), actor="pr1.manager")
    assert (again.applied, again.duplicates, again.errors) == (0, 3, [])
    assert (by_another.applied, by_another.duplicates, by_another.errors) == (0, 3, [])
    assert raw_store(db_url) == before


def test_a_later_return_adds_only_its_new_lines(ledger):
    council(ledger)
    send(ledger, RETURN)
    result = send(ledger, RETURN + "hours,A1,2026-04-20,9.75,,,,\n")
    assert (result.applied, result.duplicates, result.errors) == (1, 3, [])
    assert ledger.provider_statement("PR1", "2026-04").agreements[0].hours_delivered == D("32.25")


def test_a_line_returned_again_with_other_figures_is_refused_and_nothing_is_charged(ledger, db_url):
    council(ledger)
    send(ledger, RETURN)
    before = raw_store(db_url)
    changed = RETURN.replace("13/04/2026,12.5", "13/04/2026,14").replace("1,035.40", "1,100.00")
    result = send(ledger, changed + "hours,A1,2026-04-20,9.75,,,,\n")
    assert result.applied == 0
    assert errors(result) == [
        (3, "agreement A1's hours for the week of 2026-04-13 were returned before with other "
            "figures; a return cannot change them: ask the council to correct them (CorrectHours)"),
        (4, "cost PR1-C-7 was returned before with other figures; a return cannot change it: "
            "ask the council to reverse it (ReverseCost) and return it under a new cost_id"),
    ]  # fmt: skip
    assert raw_store(db_url) == before


def test_another_providers_agreement_or_an_unknown_one_is_refused_the_same_way(ledger, db_url):
    council(ledger)
    before = raw_store(db_url)
    result = send(ledger, RETURN + "hours,A2,2026-04-06,10,,,,\nhours,A9,2026-04-06,10,,,,\n")
    rule = "a provider returns hours and costs for its own agreements only"
    assert errors(result) == [
        (5, f"agreement A2 is not one of provider PR1's agreements: {rule}"),
        (6, f"agreement A9 is not one of provider PR1's agreements: {rule}"),
    ]
    assert raw_store(db_url) == before


def test_one_bad_line_leaves_the_ledger_as_it_was_and_every_bad_line_is_named(ledger, db_url):
    council(ledger)
    before = raw_store(db_url)
    bad = RETURN + "hours,A1,2026-04-20,7.3,,,,\nhours,A1,2026-04-21,7,,,,\n"
    result = send(ledger, bad)
    assert result.applied == 0
    assert [line for line, _ in errors(result)] == [5, 6]
    assert "quarter hours" in errors(result)[0][1]
    assert "Monday" in errors(result)[1][1]
    unreadable = send(ledger, RETURN + "hours,A1,2026-04-27,lots,,,,\n")
    assert errors(unreadable) == [
        (5, "delivered_hours 'lots' is not a number of hours like 7.5 or 37.25")
    ]
    assert raw_store(db_url) == before


def test_a_return_comes_as_a_path_bytes_or_a_stream_and_no_larger_than_the_setting(
    ledger, tmp_path
):
    council(ledger)
    path = tmp_path / "april.csv"
    path.write_text(RETURN, encoding="utf-8")
    assert ledger.import_returns(path, "PR1", actor="pr1.office").applied == 3
    stream = io.BytesIO(RETURN.encode())
    assert ledger.import_returns(stream, "PR1", actor="pr1.office").duplicates == 3
    missing = ledger.import_returns(tmp_path / "none.csv", "PR1", actor="pr1.office")
    assert errors(missing) == [(0, "file not found")]
    small = Ledger(
        **{**vars(ledger), "settings": Settings(ledger.settings.db_url, returns_max_bytes=100)}
    )
    too_big = small.import_returns(RETURN.encode(), "PR1", actor="pr1.office")
    assert errors(too_big) == [
        (0, "the file is larger than 100 bytes, the most a return may be "
            "(ISF_LEDGER_RETURNS_MAX_BYTES); send it in parts"),
    ]  # fmt: skip


def test_an_empty_return_or_one_from_an_unknown_provider_is_refused(ledger):
    council(ledger)
    assert errors(send(ledger, HEADER)) == [(0, "the file holds no lines of hours or costs")]
    assert errors(send(ledger, "")) == [(0, "file is empty")]
    with pytest.raises(NotFound, match=r"^unknown provider PR9$"):
        ledger.import_returns(RETURN.encode(), "PR9", actor="x")
