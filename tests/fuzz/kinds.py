"""The kinds of bad input the ledger is tested with, one per row of the README's table.

Each kind is a name and what to run: the command's arguments (after the
database) given a folder to write files in. Every kind must be refused with a
plain message and exit 1 or 2, and leave the database as it was.
`test_bad_input_kinds.py` runs each on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isf_ledger.adapters.card_files.profile import profile_template

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cards"

Args = Callable[[Path], list[str]]


@dataclass(frozen=True)
class Kind:
    parser: str  # which parser meets it: the README groups kinds by this
    name: str
    args: Args


COST = {"command_id": "k1", "type": "RecordCost", "agreement_id": "A1", "on": "2026-01-20",
        "amount": "12.50", "description": "bus fare"}  # fmt: skip


def _file(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


def _apply_bytes(data: bytes) -> Args:
    return lambda folder: ["apply", _file(folder, "commands.jsonl", data)]


def _apply(*lines: Any) -> Args:
    """`apply` of a file of these lines: dicts as JSON, text as it is."""
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    return _apply_bytes(text.encode("utf-8") + b"\n")


def _cost(**changes: Any) -> Args:
    """A cost command with fields changed (None removes one)."""
    command = {k: v for k, v in (COST | changes).items() if v is not None}
    return _apply(command)


COMMAND_KINDS = [
    ("a line that is not JSON", _apply("{not json")),
    ("a JSON array", _apply("[1, 2]")),
    ("a JSON string", _apply('"RecordCost"')),
    ("a JSON number", _apply("42")),
    ("JSON null", _apply("null")),
    ("an empty object", _apply({})),
    ("an unknown command type", _cost(type="RecordCosts")),
    ("a type that is not text", _cost(type=7)),
    ("no command_id", _cost(command_id=None)),
    ("a command_id with spaces", _cost(command_id="k 1")),
    ("a command_id of 65 characters", _cost(command_id="k" * 65)),
    ("a required field missing", _cost(agreement_id=None)),
    ("an unexpected field", _cost(colour="blue")),
    ("money as a JSON number", _cost(amount=12.5)),
    ("money with three decimals", _cost(amount="12.505")),
    ("negative money where it must be more than zero", _cost(amount="-12.50")),
    ("zero money where it must be more than zero", _cost(amount="0.00")),
    ("money with a thousands separator", _cost(amount="1,012.50")),
    ("money written NaN", _cost(amount="NaN")),
    ("money with an exponent", _cost(amount="1e3")),
    ("money with a pound sign", _cost(amount="£12.50")),
    ("a date written dd/mm/yyyy", _cost(on="20/01/2026")),
    ("a date that does not exist", _cost(on="2026-02-30")),
    ("a date as a JSON number", _cost(on=20260120)),
    ("blank text", _cost(description="   ")),
    ("text as a list", _cost(description=["bus"])),
    ("a text field holding NUL", _cost(description="bus\u0000fare")),
    ("a lone UTF-16 surrogate in text", _apply('{"command_id": "k1", "type": "RecordCost", '
                                               '"agreement_id": "A1", "on": "2026-01-20", '
                                               '"amount": "1.00", "description": "\\ud800"}')),
    ("negative hours", _apply({"command_id": "k1", "type": "RecordHours", "agreement_id": "A1",
                               "week_start": "2026-01-19", "delivered_hours": "-1"})),
    ("hours in words", _apply({"command_id": "k1", "type": "RecordHours", "agreement_id": "A1",
                               "week_start": "2026-01-19", "delivered_hours": "ten"})),
    ("a choice outside its list", _apply({"command_id": "k1", "type": "SchedulePayments",
                                          "schedule_id": "S9", "budget_id": "B1", "option": 2,
                                          "payee": "A1", "frequency": "weekly",
                                          "first_due": "2026-02-06", "amount": "10.00"})),
    ("an SDS option that does not exist", _apply({"command_id": "k1", "type": "ChooseOptions",
                                                  "budget_id": "B1", "effective": "2026-01-06",
                                                  "allocations": [{"option": 4,
                                                                   "amount": "1.00"}]})),
    ("a count of true", _apply({"command_id": "k1", "type": "RecordPayment",
                                "schedule_id": "S1", "period": True, "paid_on": "2026-02-06"})),
    ("a count of zero", _apply({"command_id": "k1", "type": "RecordPayment",
                                "schedule_id": "S1", "period": 0, "paid_on": "2026-02-06"})),
    ("a count of 10^30", _apply({"command_id": "k1", "type": "RecordPayment",
                                 "schedule_id": "S1", "period": 10**30,
                                 "paid_on": "2026-02-06"})),
    ("an empty list where one is needed", _apply({"command_id": "k1", "type": "ChooseOptions",
                                                  "budget_id": "B1", "effective": "2026-01-06",
                                                  "allocations": []})),
    ("card digits that are not four digits", _apply({"command_id": "k1", "type": "IssueCard",
                                                     "card_id": "C9", "person_id": "P1",
                                                     "budget_id": "B1", "last4": "48a1"})),
    ("JSON nested 100,000 deep", _apply("[" * 100_000 + "]" * 100_000)),
    ("a line of 2 MB", _cost(description="x" * 2_000_000)),
    ("bytes that are not UTF-8", _apply_bytes(b'{"command_id": "k1", "reason": "caf\xe9"}\n')),
    ("an empty file", _apply_bytes(b"")),
    ("a file of blank lines", _apply_bytes(b"\n  \n\t\n")),
    ("a command naming nothing the ledger knows", _cost(agreement_id="A404")),
    ("a command that breaks a rule", _apply({"command_id": "k1", "type": "RecordPayment",
                                             "schedule_id": "S1", "period": 1,
                                             "paid_on": "2026-02-06"})),
    ("a command_id reused for another command", _apply({**COST, "command_id": "base-1"})),
    ("one bad line among good ones", _apply(COST, {**COST, "command_id": "k2"}, "{")),
    ("a file that does not exist", lambda folder: ["apply", str(folder / "missing.jsonl")]),
    ("a folder instead of a file", lambda folder: ["apply", str(folder)]),
]  # fmt: skip


def _card_file(name: str, data: bytes, profile: str, *extra: str) -> Args:
    return lambda folder: [
        "cards", "import", _file(folder, name, data), "--profile", profile, *extra,
    ]  # fmt: skip


GENERIC_HEADER = b"transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"


def _generic_row(row: bytes) -> Args:
    return _card_file("cards.csv", GENERIC_HEADER + row + b"\n", "generic")


FIXTURE = (FIXTURES / "march-2026-generic.csv").read_bytes()
PORTAL = (FIXTURES / "march-2026-council-portal.csv").read_bytes()

CARD_KINDS = [
    ("an empty card file", _card_file("cards.csv", b"", "generic")),
    ("a card file of binary bytes", _card_file("cards.csv", bytes(range(256)) * 4, "generic")),
    ("a column missing", _card_file("cards.csv", FIXTURE.replace(b",merchant", b",shop"),
                                    "generic")),
    ("another delimiter than the profile's", _card_file("cards.csv", FIXTURE.replace(b",", b";"),
                                                        "generic")),
    ("a date in another format", _generic_row(b"T1,CARD-A,03/03/2026,PURCHASE,x,,,-1.00,")),
    ("a date that does not exist", _generic_row(b"T1,CARD-A,2026-02-30,PURCHASE,x,,,-1.00,")),
    ("money that is not a number", _generic_row(b"T1,CARD-A,2026-03-03,PURCHASE,x,,,-1.0x,")),
    ("money with three decimals", _generic_row(b"T1,CARD-A,2026-03-03,PURCHASE,x,,,-1.005,")),
    ("no amount", _generic_row(b"T1,CARD-A,2026-03-03,PURCHASE,x,,,,")),
    ("a card the ledger does not know", _generic_row(b"T1,CARD-Z,2026-03-03,PURCHASE,x,,,-1.00,")),
    ("a type the profile does not list", _generic_row(b"T1,CARD-A,2026-03-03,SHOPPING,x,,,-1.00,")),
    ("a row with too few cells", _generic_row(b"T1,CARD-A,2026-03-03")),
    ("a quote never closed", _generic_row(b'T1,CARD-A,2026-03-03,PURCHASE,"x,,,-1.00,')),
    ("a NUL byte in a row", _generic_row(b"T1,CARD-A,2026-03-03,PURCHASE,x\x00y,,,-1.00,")),
    ("a line longer than 1 MB", _generic_row(b"T1,CARD-A,2026-03-03,PURCHASE," + b"x" * 1_100_000
                                             + b",,,-1.00,")),
    ("bytes that are not the profile's encoding", _generic_row(b"T1,CARD-A,2026-03-03,PURCHASE,"
                                                               b"caf\xe9,,,-1.00,")),
    ("a file ending before its header row", _card_file("cards.csv", b"Prepaid Card Transactions\n",
                                                       "council-portal")),
    ("both debit and credit filled", _card_file("cards.csv", PORTAL.replace(b",\xa345.60,,",
                                                b",\xa345.60,\xa31.00,", 1), "council-portal")),
    ("--skip-invalid without --rejects", _card_file("cards.csv", FIXTURE, "generic",
                                                    "--skip-invalid")),
    ("a card file that does not exist", lambda folder: ["cards", "import",
                                                        str(folder / "none.csv"),
                                                        "--profile", "generic"]),
]  # fmt: skip


def _profile(text: str) -> Args:
    return lambda folder: [
        "cards", "import", _file(folder, "cards.csv", FIXTURE),
        "--profile", _file(folder, "mine.toml", text.encode("utf-8")),
    ]  # fmt: skip


TEMPLATE = profile_template()


def _template(old: str, new: str) -> Args:
    assert old in TEMPLATE, old
    return _profile(TEMPLATE.replace(old, new, 1))


PROFILE_KINDS = [
    ("a built-in profile that does not exist", lambda folder: [
        "cards", "import", _file(folder, "cards.csv", FIXTURE), "--profile", "generik"]),
    ("a profile file that does not exist", lambda folder: [
        "cards", "import", _file(folder, "cards.csv", FIXTURE), "--profile", "none.toml"]),
    ("a profile that is not TOML", _profile("name = \n[columns")),
    ("a profile that is not UTF-8", lambda folder: [
        "cards", "import", _file(folder, "cards.csv", FIXTURE),
        "--profile", _file(folder, "mine.toml", b"name = \"caf\xe9\"\n")]),
    ("a profile without a name", _template('name = "my-card-provider"', "")),
    ("a source with spaces", _template('source = "my-card-provider"', 'source = "my provider"')),
    ("a delimiter of two characters", _template('delimiter = ";"', 'delimiter = ";;"')),
    ("an encoding Python does not know", _template('encoding = "cp1252"', 'encoding = "cp9999"')),
    ("a UTF-16 encoding", _template('encoding = "cp1252"', 'encoding = "utf-16"')),
    ("a date format without a year", _template('["%d/%m/%Y", "%d/%m/%Y %H:%M"]', '["%d/%m"]')),
    ("a header row of 0", _template("header_row = 2", "header_row = 0")),
    ("a header row as text", _template("header_row = 2", 'header_row = "2"')),
    ("an amount column and debit/credit", _template('# amount = "Amount"', 'amount = "Amount"')),
    ("no type column and no type_from_sign", _template('type = "Type"', "")),
    ("an unknown key", _template("header_row = 2", "header_row = 2\nheader_rows = 2")),
    ("a type meaning that does not exist", _template('"Refund" = "REFUND"', '"Refund" = "BACK"')),
    ("a status column without pending statuses", _template('statuses = ["Pending", "Declined"]',
                                                           "statuses = []")),
]  # fmt: skip


def _report(*args: str) -> Args:
    return lambda _folder: list(args)


OPTION_KINDS = [
    ("a month 2026-13", _report("statement", "provider", "--provider", "PR1",
                                "--month", "2026-13")),
    ("a month in words", _report("reconcile", "cards", "--month", "May")),
    ("an instant without an offset", _report("statement", "person", "--person", "P1",
                                             "--as-at", "2026-01-06T09:00:00")),
    ("an instant that is not a date", _report("statement", "person", "--person", "P1",
                                              "--as-at", "yesterday")),
    ("a previous-as-at that is not a date", _report("statement", "provider", "--provider", "PR1",
                                                    "--month", "2026-01", "--previous-as-at",
                                                    "last month")),
    ("a format a report does not have", _report("statement", "person", "--person", "P1",
                                                "--format", "pdf")),
    ("a provider the ledger does not know", _report("statement", "provider", "--provider", "PR9",
                                                    "--month", "2026-01")),
    ("a person the ledger does not know", _report("statement", "person", "--person", "P9")),
    ("a budget that is not the person's", _report("statement", "person", "--person", "P1",
                                                  "--budget", "B2")),
    ("a recorded head that is not a hash", _report("audit", "verify", "--recorded-head", "abc")),
    ("a command that does not exist", _report("statment", "person", "--person", "P1")),
    ("an option that does not exist", _report("statement", "person", "--person", "P1",
                                              "--colour", "red")),
    ("a required option missing", _report("statement", "provider", "--month", "2026-01")),
    ("forgetting a person the ledger does not know", _report("forget", "person", "P9")),
    ("an export into a folder that does not exist", lambda folder: [
        "export", "hledger", "-o", str(folder / "no" / "such" / "folder.journal")]),
]  # fmt: skip


def _return(data: bytes, provider: str = "PR1") -> Args:
    return lambda folder: [
        "returns", "import", _file(folder, "return.csv", data), "--provider", provider,
    ]  # fmt: skip


RETURN_HEADER = b"kind,agreement_id,week_start,delivered_hours,on,amount,description,cost_id\n"
RETURN_HOURS = b"hours,A1,2026-01-19,10,,,,\n"

RETURN_KINDS = [
    ("an empty return", _return(b"")),
    ("a return of binary bytes", _return(bytes(range(256)) * 4)),
    ("a return without its cost_id column", _return(RETURN_HEADER.replace(b",cost_id", b"")
                                                    + RETURN_HOURS)),
    ("a return week that does not exist", _return(RETURN_HEADER
                                                  + b"hours,A1,31/02/2026,10,,,,\n")),
    ("hours not in quarter hours", _return(RETURN_HEADER + b"hours,A1,2026-01-19,7.3,,,,\n")),
    ("a cost without a cost_id", _return(RETURN_HEADER + b"cost,A1,,,2026-01-20,5.00,Bus,\n")),
    ("a return in cp1252 read as UTF-8", _return(RETURN_HEADER
                                                 + b"cost,A1,,,2026-01-20,\xa35.00,Bus,C1\n")),
    ("an agreement that is not the provider's", _return(RETURN_HEADER + RETURN_HOURS
                                                        + b"hours,A9,2026-01-19,10,,,,\n")),
    ("a return from a provider the ledger does not know", _return(RETURN_HEADER + RETURN_HOURS,
                                                                  "PR9")),
]  # fmt: skip

KINDS = [
    *(Kind("command file (`apply`)", name, args) for name, args in COMMAND_KINDS),
    *(Kind("card file (`cards import`)", name, args) for name, args in CARD_KINDS),
    *(Kind("card profile (`--profile`)", name, args) for name, args in PROFILE_KINDS),
    *(Kind("command-line option", name, args) for name, args in OPTION_KINDS),
    *(Kind("provider return (`returns import`)", name, args) for name, args in RETURN_KINDS),
]
