"""Statements, as-at and rebuild through the real command, on both databases."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from tests.e2e.test_cli_apply import run, write_jsonl

SETUP = [
    {"command_id": "1", "type": "RegisterPerson", "person_id": "P1", "authority": "CITY",
     "name": "Morag Campbell"},
    {"command_id": "2", "type": "RegisterProvider", "provider_id": "PRV", "name": "Clyde Care",
     "framework": "on"},
    {"command_id": "3", "type": "ProposeBudget", "budget_id": "B1", "person_id": "P1",
     "start": "2026-04-06", "amount": "13000.00", "method": "RAS"},
    {"command_id": "4", "type": "AgreeBudget", "budget_id": "B1", "agreed_on": "2026-04-01"},
    {"command_id": "5", "type": "DraftAgreement", "agreement_id": "A1", "budget_id": "B1",
     "provider_id": "PRV", "start": "2026-04-06", "hourly_rate": "21.50",
     "planned_weekly_hours": "10", "payment_frequency": "4-weekly"},
    {"command_id": "6", "type": "SignAgreement", "agreement_id": "A1", "party": "authority",
     "signed_on": "2026-04-01"},
    {"command_id": "7", "type": "SignAgreement", "agreement_id": "A1", "party": "person",
     "signed_on": "2026-04-01"},
    {"command_id": "8", "type": "SignAgreement", "agreement_id": "A1", "party": "provider",
     "signed_on": "2026-04-02"},
    {"command_id": "9", "type": "ChooseOptions", "budget_id": "B1", "effective": "2026-04-06",
     "allocations": [{"option": 2, "amount": "13000.00", "agreement_id": "A1"}]},
    {"command_id": "10", "type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-06",
     "delivered_hours": "10"},
    {"command_id": "11", "type": "RecordHours", "agreement_id": "A1", "week_start": "2026-04-27",
     "delivered_hours": "12.5"},
    {"command_id": "12", "type": "RecordCost", "agreement_id": "A1", "on": "2026-05-04",
     "amount": "35.00", "description": "bus pass for day centre"},
]  # fmt: skip

LATER = [
    {"command_id": "13", "type": "RecordHours", "agreement_id": "A1", "week_start": "2026-05-04",
     "delivered_hours": "9.75"},
    # Backdated: April's cost, recorded after the April statement was issued.
    {"command_id": "14", "type": "RecordCost", "agreement_id": "A1", "on": "2026-04-20",
     "amount": "12.40", "description": "taxi to review meeting"},
]  # fmt: skip


@pytest.fixture(autouse=True)
def _initialised(db_url: str) -> None:
    assert run("init", "--db", db_url).returncode == 0


def report(db_url: str, *args: str) -> str:
    result = run(*args, "--db", db_url)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_provider_statement_adds_up_for_each_person(db_url, tmp_path):
    report(db_url, "apply", write_jsonl(tmp_path / "a.jsonl", SETUP))
    data = json.loads(
        report(db_url, "statement", "provider", "--provider", "PRV", "--month", "2026-04",
               "--format", "json")
    )  # fmt: skip
    [isf] = data["agreements"]
    assert isf["agreement_id"] == "A1"
    assert isf["person_id"] == "P1"
    # 10 hours at £21.50 plus 12.5 hours at £21.50, weeks starting in April.
    assert isf["charges_hours"] == "483.75"
    assert isf["hours_delivered"] == "22.50"
    assert isf["charges_other"] == "0.00"
    assert isf["closing_balance"] == "-483.75"
    text = report(db_url, "statement", "provider", "--provider", "PRV", "--month", "2026-04")
    assert "483.75" in text


def test_a_statement_as_it_was_issued_is_reproduced_byte_for_byte(db_url, tmp_path):
    report(db_url, "apply", write_jsonl(tmp_path / "a.jsonl", SETUP))
    args = ("statement", "provider", "--provider", "PRV", "--month", "2026-04", "--format",
            "json")  # fmt: skip
    time.sleep(0.01)
    issued_at = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    issued = report(db_url, *args, "--as-at", issued_at)
    report(db_url, "apply", write_jsonl(tmp_path / "b.jsonl", LATER))
    assert report(db_url, *args, "--as-at", issued_at) == issued
    now = json.loads(report(db_url, *args))["agreements"][0]
    assert now["charges_other"] == "12.40"
    may = json.loads(
        report(db_url, "statement", "provider", "--provider", "PRV", "--month", "2026-05",
               "--format", "json", "--previous-as-at", issued_at)
    )["agreements"][0]  # fmt: skip
    april_closing = json.loads(issued)["agreements"][0]["closing_balance"]
    assert april_closing == "-483.75"
    assert may["prior_period_adjustments"] == "-12.40"
    assert may["opening_balance"] == "-496.15"


def test_rebuilding_the_read_models_gives_identical_reports(db_url, tmp_path):
    report(db_url, "apply", write_jsonl(tmp_path / "a.jsonl", SETUP + LATER))
    reports = [
        ("statement", "provider", "--provider", "PRV", "--month", "2026-05", "--format", "json"),
        ("statement", "person", "--person", "P1", "--format", "json"),
        ("statement", "person", "--person", "P1", "--format", "html"),
        ("audit", "trail", "--format", "json"),
        ("export", "beancount"),
    ]
    before = [report(db_url, *r) for r in reports]
    assert "rebuilt" in report(db_url, "projections", "rebuild")
    assert [report(db_url, *r) for r in reports] == before


def test_the_person_statement_is_in_plain_words(db_url, tmp_path):
    report(db_url, "apply", write_jsonl(tmp_path / "a.jsonl", SETUP))
    data = json.loads(report(db_url, "statement", "person", "--person", "P1", "--format", "json"))
    assert data["budget"] == "13000.00"
    assert data["allocations"] == [{"option": 2, "amount": "13000.00"}]
    assert data["spent_to_date"] == "518.75"
    assert data["remaining"] == "12481.25"
    text = report(db_url, "statement", "person", "--person", "P1")
    assert "£13,000.00" in text
    html = report(db_url, "statement", "person", "--person", "P1", "--format", "html")
    assert "<svg" in html
    assert "P1" not in html.split("<body", 1)[1] or "budget" in html
