"""`reconcile cards` through the real command, on both databases.

Two cards paid monthly. In March, card A's load arrives two days after its
payment (a match), then an unexpected family top-up, a bet (blocked merchant
category), two identical coffees, and a provider balance one pound above the
transactions; card B's payment never arrives as a load, and its holder draws
£350 in cash against a £300 limit. A third card has never been used.
"""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from isf_ledger.domain.periods import schedule_periods
from tests.e2e.test_cli_apply import run, write_jsonl
from tests.integration.card_setup import TWO_CARDS, cli

SETUP = [
    *TWO_CARDS,
    {"command_id": "cz", "type": "IssueCard", "card_id": "-Z", "person_id": "P1",
     "budget_id": "B1", "last4": "0001"},
    {"command_id": "sa", "type": "SchedulePayments", "schedule_id": "SA", "budget_id": "B1",
     "option": 1, "payee": "CARD-A", "frequency": "monthly", "first_due": "2026-02-01",
     "amount": "12000.00"},
    {"command_id": "sb", "type": "SchedulePayments", "schedule_id": "SB", "budget_id": "B2",
     "option": 1, "payee": "CARD-B", "frequency": "monthly", "first_due": "2026-02-01",
     "amount": "24000.00"},
    {"command_id": "pa1", "type": "RecordPayment", "schedule_id": "SA", "period": 1,
     "paid_on": "2026-02-01"},
    {"command_id": "pb1", "type": "RecordPayment", "schedule_id": "SB", "period": 1,
     "paid_on": "2026-02-01"},
    {"command_id": "pa2", "type": "RecordPayment", "schedule_id": "SA", "period": 2,
     "paid_on": "2026-03-01"},
    {"command_id": "pb2", "type": "RecordPayment", "schedule_id": "SB", "period": 2,
     "paid_on": "2026-03-01"},
]  # fmt: skip

END = date(2027, 1, 5)
A1, A2 = (p.amount for p in schedule_periods(date(2026, 2, 1), "monthly", END, Decimal(12000))[:2])
B1, B2 = (p.amount for p in schedule_periods(date(2026, 2, 1), "monthly", END, Decimal(24000))[:2])
HEADER = "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"


def export(rows: list[tuple[str, str, str, str, str, str, Decimal]], *, off_by: Decimal) -> str:
    """Generic-format rows with each card's running balance (the last one `off_by` out)."""
    balances: dict[str, Decimal] = {}
    lines = []
    for n, (card, day, kind, description, merchant, mcc, amount) in enumerate(rows):
        balances[card] = balances.get(card, Decimal("0.00")) + amount
        shown = balances[card] + (off_by if n == len(rows) - 1 else 0)
        lines.append(f",{card},{day},{kind},{description},{merchant},{mcc},{amount},{shown}\n")
    return HEADER + "".join(lines)


FEBRUARY = [
    ("CARD-A", "2026-02-02", "LOAD", "Direct payment", "", "", A1),
    ("CARD-B", "2026-02-02", "LOAD", "Direct payment", "", "", B1),
    ("CARD-A", "2026-02-10", "PURCHASE", "Groceries", "TESCO", "5411", Decimal("-100.00")),
]
MARCH = [
    ("CARD-A", "2026-03-03", "LOAD", "Direct payment", "", "", A2),
    ("CARD-A", "2026-03-05", "PURCHASE", "Online bet", "=BETWORLD", "7995", Decimal("-20.00")),
    ("CARD-A", "2026-03-06", "PURCHASE", "Coffee", "CAFE ROYAL", "5814", Decimal("-4.50")),
    ("CARD-A", "2026-03-06", "PURCHASE", "Coffee", "CAFE ROYAL", "5814", Decimal("-4.50")),
    ("CARD-B", "2026-03-10", "ATM", "Cash", "RBS ATM", "6011", Decimal("-200.00")),
    ("CARD-B", "2026-03-12", "ATM", "Cash", "RBS ATM", "6011", Decimal("-150.00")),
    ("CARD-A", "2026-03-15", "LOAD", "Family top up", "", "", Decimal("100.00")),
    ("CARD-A", "2026-03-20", "FEE", "Card fee", "", "", Decimal("-1.00")),
]


def ok(*args: str) -> str:
    result = run(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def setup(*args: str) -> None:
    """Setting up runs in-process (quicker); the reports run as the real command."""
    result = cli(*args)
    assert result.exit_code == 0, result.output


@pytest.fixture
def ledger(db_url, tmp_path) -> dict[str, str]:
    return build(db_url, tmp_path)


def build(db_url: str, tmp_path) -> dict[str, str]:
    """The ledger with February imported, then March; returns the url and an instant between."""
    setup("init", "--db", db_url)
    setup("apply", write_jsonl(tmp_path / "setup.jsonl", SETUP), "--db", db_url)
    february = tmp_path / "february.csv"
    february.write_text(export(FEBRUARY, off_by=Decimal(0)))
    setup("cards", "import", str(february), "--profile", "generic", "--db", db_url)
    time.sleep(0.01)
    between = now()
    time.sleep(0.01)
    march = tmp_path / "march.csv"
    # Balances run on from February's.
    march.write_text(export(FEBRUARY + MARCH, off_by=Decimal("1.00")))
    setup("cards", "import", str(march), "--profile", "generic", "--db", db_url)
    return {"url": db_url, "between": between}


def reconcile(ledger: dict[str, str], *args: str) -> dict:
    out = ok("reconcile", "cards", "--month", "2026-03", "--db", ledger["url"], "--format",
             "json", *args)  # fmt: skip
    return json.loads(out)


def test_each_planted_problem_is_found(ledger):
    data = reconcile(ledger)
    assert data["month"] == "2026-03"
    cards = {c["card_id"]: c for c in data["cards"]}
    assert list(cards) == ["-Z", "CARD-A", "CARD-B"]
    a, b, z = cards["CARD-A"], cards["CARD-B"], cards["-Z"]

    assert a["opening_balance"] == f"{A1 - 100:.2f}"
    assert a["loads"] == f"{A2 + 100:.2f}"
    assert (a["purchases"], a["fees"], a["atm"]) == ("-29.00", "-1.00", "0.00")
    computed = A1 - 100 + A2 + 100 - 29 - 1
    assert a["computed_closing"] == f"{computed:.2f}"
    assert a["reported_closing"] == f"{computed + 1:.2f}"
    assert a["difference"] == "1.00"
    assert a["expected_loads"] == f"{A2:.2f}"
    assert a["missing_loads"] == []
    assert a["unexpected_loads"] == [
        {"posted_on": "2026-03-15", "amount": "100.00", "description": "Family top up"}
    ]
    whys = [f["why"] for f in a["flagged"]]
    assert whys[0] == "blocked merchant category 7995 (gambling)"
    assert a["flagged"][0]["transaction"]["merchant"] == "=BETWORLD"
    assert whys[1:] == ["possible duplicate: same date, amount and merchant more than once"] * 2
    assert a["status"] == "discrepancy"

    assert b["missing_loads"] == [
        {"date": "2026-03-01", "amount": f"{B2:.2f}", "command_id": "pb2"}
    ]
    assert b["unexpected_loads"] == []
    assert b["difference"] == "0.00"
    [cash] = b["flagged"]
    assert cash["transaction"]["posted_on"] == "2026-03-12"
    assert cash["why"] == "cash withdrawals this month reach 350.00, over the limit of 300.00"
    assert b["status"] == "discrepancy"

    assert z["opening_balance"] == z["computed_closing"] == "0.00"
    assert (z["reported_closing"], z["difference"]) == (None, None)
    assert z["status"] == "ok"


def test_a_month_where_everything_agrees_is_ok(ledger):
    out = ok("reconcile", "cards", "--month", "2026-02", "--db", ledger["url"], "--format", "json")
    assert [c["status"] for c in json.loads(out)["cards"]] == ["ok", "ok", "ok"]


def test_a_reversed_payment_is_no_longer_expected(ledger, tmp_path):
    reverse = {"command_id": "rb2", "type": "ReversePayment", "schedule_id": "SB", "period": 2,
               "on": "2026-03-04", "reason": "paid in error"}  # fmt: skip
    setup("apply", write_jsonl(tmp_path / "reverse.jsonl", [reverse]), "--db", ledger["url"])
    b = reconcile(ledger, "--card", "CARD-B")["cards"]
    assert [c["card_id"] for c in b] == ["CARD-B"]
    assert (b[0]["expected_loads"], b[0]["missing_loads"]) == ("0.00", [])


def test_as_at_shows_the_month_before_the_march_export_was_imported(ledger):
    cards = {c["card_id"]: c for c in reconcile(ledger, "--as-at", ledger["between"])["cards"]}
    assert cards["CARD-A"]["loads"] == "0.00"
    assert cards["CARD-A"]["reported_closing"] is None
    assert cards["CARD-A"]["missing_loads"][0]["amount"] == f"{A2:.2f}"
    assert cards["CARD-B"]["flagged"] == []


def test_the_text_report_says_which_cards_need_a_look(ledger):
    out = ok("reconcile", "cards", "--month", "2026-03", "--db", ledger["url"])
    assert "Card reconciliation, March 2026" in out
    assert "Summary: 3 cards, 1 ok, 2 with discrepancies" in out
    assert "blocked merchant category 7995 (gambling)" in out
    assert "cash withdrawals this month reach 350.00" in out
    assert out.count("[ DISCREPANCY ]") == 2


def test_the_csv_is_safe_to_open_in_a_spreadsheet(ledger):
    out = ok("reconcile", "cards", "--month", "2026-03", "--db", ledger["url"], "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    by_card = {row["card_id"]: row for row in rows}
    assert set(by_card) == {"'-Z", "CARD-A", "CARD-B"}  # a card id starting "-" is escaped
    a = by_card["CARD-A"]
    assert (a["difference"], a["purchases"], a["unexpected_loads"]) == ("1.00", "-29.00", "1")
    assert a["status"] == "discrepancy"
    for row in rows:
        for key in ("opening_balance", "purchases", "computed_closing"):
            Decimal(row[key])  # money stays a plain number


def test_an_unknown_card_is_one_plain_line(ledger):
    result = run(
        "reconcile", "cards", "--month", "2026-03", "--card", "NOPE", "--db", ledger["url"]
    )
    assert result.returncode == 1
    assert "unknown card NOPE" in result.stderr
    bad = run("reconcile", "cards", "--month", "2026-13", "--db", ledger["url"])
    assert bad.returncode == 2


def test_flagged_rows_read_by_card_and_day_or_by_date_alike(ledger, monkeypatch):
    """The rows of blocked categories are read only for the cards whose month sums hold
    a blocked code: by card and day for a few cards, by date for many; the cash of the
    cards over the limit from the index of cash either way."""
    from isf_ledger.bootstrap import open_ledger
    from isf_ledger.reports import card_findings
    from isf_ledger.settings import Settings

    opened = open_ledger(Settings(db_url=ledger["url"]))
    try:
        by_card_and_day = opened.reconcile_cards("2026-03")
        monkeypatch.setattr(card_findings, "BY_CARD_AND_DAY", 0)
        assert opened.reconcile_cards("2026-03") == by_card_and_day
    finally:
        opened.close()
    flagged = {c.card_id: [f.why for f in c.flagged] for c in by_card_and_day.cards}
    assert "blocked merchant category 7995 (gambling)" in flagged["CARD-A"]
    assert any(why.startswith("cash withdrawals") for why in flagged["CARD-B"])


def test_a_payment_at_the_months_end_meets_its_load_in_the_next_month(db_url, tmp_path):
    """The loads of the matching window either side of the month are read when there
    are payments to meet (and only then): card A paid on 27 February is loaded on
    2 March, so it is neither a missing load in February nor an unexpected one in
    March; card B, never paid, has its loads of both months unexpected, each in its
    own month only."""
    setup("init", "--db", db_url)
    by_id = {c["command_id"]: c for c in SETUP}
    late = [*TWO_CARDS, by_id["sa"], {**by_id["pa1"], "paid_on": "2026-02-27"}]
    setup("apply", write_jsonl(tmp_path / "setup.jsonl", late), "--db", db_url)
    rows = [
        ("CARD-B", "2026-02-26", "LOAD", "Family top up", "", "", Decimal("40.00")),
        ("CARD-A", "2026-03-02", "LOAD", "Direct payment", "", "", A1),
        ("CARD-B", "2026-03-03", "LOAD", "Family top up", "", "", Decimal("50.00")),
    ]
    export_file = tmp_path / "cards.csv"
    export_file.write_text(export(rows, off_by=Decimal(0)))
    setup("cards", "import", str(export_file), "--profile", "generic", "--db", db_url)

    def month(which: str) -> dict:
        out = ok("reconcile", "cards", "--month", which, "--db", db_url, "--format", "json")
        return {c["card_id"]: c for c in json.loads(out)["cards"]}

    february, march = month("2026-02"), month("2026-03")
    assert february["CARD-A"]["expected_loads"] == f"{A1:.2f}"
    assert february["CARD-A"]["missing_loads"] == march["CARD-A"]["unexpected_loads"] == []
    assert february["CARD-A"]["status"] == "ok"
    assert [u["amount"] for u in february["CARD-B"]["unexpected_loads"]] == ["40.00"]
    assert [u["amount"] for u in march["CARD-B"]["unexpected_loads"]] == ["50.00"]
