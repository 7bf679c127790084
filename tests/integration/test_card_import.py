"""Card imports on both databases: once per transaction, all or nothing per file."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from isf_ledger.adapters.card_files.profile import load_profile
from isf_ledger.adapters.card_store.digest import import_problems
from isf_ledger.adapters.card_store.tables import card_imports, card_transactions
from isf_ledger.adapters.seal import verify
from isf_ledger.application.card_import import import_files
from isf_ledger.bootstrap import open_ledger
from isf_ledger.settings import Settings
from tests.integration.card_setup import TWO_CARDS, apply, cli, fixture, import_json, stored

t = card_transactions


@pytest.fixture
def ledger_url(db_url, tmp_path):
    apply(db_url, tmp_path, TWO_CARDS, "cards")
    return db_url


def count(db_url: str, table: str) -> int:
    ledger = open_ledger(Settings(db_url=db_url))
    try:
        with ledger.engine.connect() as conn:
            return int(conn.scalar(text(f"SELECT COUNT(*) FROM {table}")))
    finally:
        ledger.close()


def keep_lines(source: Path, target: Path, keep, *, delimiter: str, header_lines: int) -> Path:
    """A copy of an export with only the data rows `keep(cells)` accepts (bytes unchanged)."""
    raw = source.read_bytes().splitlines(keepends=True)
    encoding = "cp1252" if "council" in source.name else "utf-8-sig"
    out = raw[:header_lines]
    for line in raw[header_lines:]:
        cells = next(csv.reader([line.decode(encoding)], delimiter=delimiter))
        if keep(cells):
            out.append(line)
    target.write_bytes(b"".join(out))
    return target


def test_three_formats_of_the_same_month_overlapping_import_the_same_transactions_once(
    ledger_url, tmp_path
):
    # Up to the 10th as the processor reports it, the 6th to the 18th from the
    # portal, the whole month in the ledger's own format.
    early = keep_lines(
        fixture("processor-semicolon"), tmp_path / "early.csv",
        lambda c: c[3][:2] in ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10"),
        delimiter=";", header_lines=1,
    )  # fmt: skip
    middle = keep_lines(
        fixture("council-portal"), tmp_path / "middle.csv",
        lambda c: "06" <= c[3][:2] <= "18" and c[3][3:5] == "03",
        delimiter=",", header_lines=3,
    )  # fmt: skip
    code, first = import_json(ledger_url, early, profile="processor-semicolon")
    assert code == 0, first
    code, second = import_json(ledger_url, middle, profile="council-portal")
    assert code == 0, second
    code, third = import_json(ledger_url, fixture("generic"), profile="generic")
    assert code == 0, third
    assert first["imported"] + second["imported"] + third["imported"] == 15
    assert second["duplicates"] > 0 and third["duplicates"] > 0
    assert third["imported"] + third["duplicates"] == 15
    rows = stored(ledger_url)
    assert len(rows) == 15
    # Every later import of the whole month, in any format, adds nothing.
    for name in ("council-portal", "processor-semicolon"):
        code, again = import_json(ledger_url, fixture(name), profile=name)
        assert (code, again["imported"], again["duplicates"]) == (0, 0, 15)
    assert stored(ledger_url) == rows


def test_the_same_transactions_whichever_format_comes_first(ledger_url):
    code, first = import_json(
        ledger_url, fixture("processor-semicolon"), profile="processor-semicolon"
    )
    assert (code, first["imported"], first["skipped_pending"]) == (0, 15, 1)
    code, second = import_json(ledger_url, fixture("council-portal"), profile="council-portal")
    assert (second["imported"], second["duplicates"], second["skipped_pending"]) == (0, 15, 3)
    code, third = import_json(ledger_url, fixture("generic"), profile="generic")
    assert (third["imported"], third["duplicates"]) == (0, 15)
    rows = stored(ledger_url)
    assert len(rows) == 15
    # Two honest identical coffees on the 4th stay two transactions.
    coffees = [r for r in rows if r[3] == -320]
    assert len(coffees) == 2


def test_importing_the_same_file_twice_adds_nothing(ledger_url):
    code, first = import_json(ledger_url, fixture("generic"), profile="generic")
    assert (code, first["imported"], first["duplicates"]) == (0, 15, 0)
    result = cli("cards", "import", str(fixture("generic")), "--profile", "generic",
                 "--db", ledger_url)  # fmt: skip
    assert result.exit_code == 0
    assert result.stdout.strip() == "imported 0, duplicate 15, rejected 0, skipped-pending 0"
    assert count(ledger_url, "card_transactions") == 15
    assert count(ledger_url, "card_imports") == 1
    trail = cli("audit", "trail", "--db", ledger_url, "--format", "json").stdout
    assert trail.count("CardImport.TransactionsImported") == 1


def test_an_import_leaves_its_event_sealed_and_in_the_audit_trail(ledger_url):
    ledger = open_ledger(Settings(db_url=ledger_url))
    try:
        import_files(ledger, [fixture("generic")], load_profile("generic"))
        # Straight away, as the demo's last step does: no other command has caught up.
        assert verify(ledger.engine, ledger.app).problems == []
        with ledger.engine.connect() as conn:
            types = conn.execute(text("SELECT type FROM audit_trail ORDER BY position")).scalars()
            assert list(types)[-1] == "CardImport.TransactionsImported"
    finally:
        ledger.close()


def test_a_file_with_one_bad_row_is_rejected_whole_and_the_row_named(ledger_url, tmp_path):
    lines = fixture("generic").read_text().splitlines(keepends=True)
    lines[7] = lines[7].replace("-320.00", "-32O.00")
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(lines))
    result = cli("cards", "import", str(bad), "--profile", "generic", "--db", ledger_url)
    assert result.exit_code == 1
    assert f"{bad}:8: amount '-32O.00' is not money" in result.stderr
    assert "nothing imported" in result.stderr
    assert count(ledger_url, "card_transactions") == 0
    assert count(ledger_url, "card_imports") == 0


def test_each_file_is_its_own_all_or_nothing_unit(ledger_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(fixture("generic").read_text().replace("2026-03-20", "2026-02-30"))
    code, report = import_json(ledger_url, bad, fixture("council-portal"), profile="generic")
    assert code == 1
    assert report["errors"][0]["line"] == 15
    assert "not a real date" in report["errors"][0]["reason"]
    # The portal file is not in the generic format either: its header is wrong.
    assert [f["status"] for f in report["files"]] == ["rejected", "rejected"]
    code, report = import_json(
        ledger_url, fixture("processor-semicolon"), profile="processor-semicolon"
    )
    assert (code, report["imported"]) == (0, 15)


def test_skip_invalid_imports_the_good_rows_and_writes_the_bad_one_unchanged(ledger_url, tmp_path):
    lines = fixture("council-portal").read_bytes().splitlines(keepends=True)
    lines[5] = lines[5].replace(b"/03/2026,POS", b"/13/2026,POS")  # posted 04/13/2026
    bad = tmp_path / "portal.csv"
    bad.write_bytes(b"".join(lines))
    rejects = tmp_path / "rejects.csv"
    code, report = import_json(
        ledger_url, bad, profile="council-portal",
        extra=("--skip-invalid", "--rejects", str(rejects)),
    )  # fmt: skip
    assert code == 0
    assert (report["imported"], report["rejected"], report["skipped_pending"]) == (14, 1, 3)
    assert count(ledger_url, "card_transactions") == 14
    written = rejects.read_text(encoding="utf-8-sig").splitlines()
    original = next(csv.reader([lines[5].decode("cp1252")]))
    header = lines[2].decode("cp1252").rstrip("\r\n")
    assert written[2] == header + ",rejected from,reject reason"
    row = next(csv.reader([written[3]]))
    assert original == [*row[:-2], ""]  # the export's trailing empty cell is dropped
    assert row[-2] == "portal.csv:6"
    assert "Posted Date '04/13/2026'" in row[-1]
    # Fixed, the rejects file imports with the same profile.
    rejects.write_text(rejects.read_text(encoding="utf-8-sig").replace("04/13/2026", "04/03/2026"),
                       encoding="utf-8-sig")  # fmt: skip
    code, again = import_json(ledger_url, rejects, profile="council-portal")
    assert (code, again["imported"], again["rejected"]) == (0, 1, 0)


def test_skip_invalid_needs_somewhere_to_write_the_bad_rows(ledger_url):
    result = cli("cards", "import", str(fixture("generic")), "--profile", "generic",
                 "--skip-invalid", "--db", ledger_url)  # fmt: skip
    assert result.exit_code == 2
    assert "--rejects" in result.stderr


def test_an_unknown_card_and_an_ambiguous_one_are_rejected_rows(ledger_url, tmp_path):
    apply(ledger_url, tmp_path, [
        {"command_id": "c3", "type": "IssueCard", "card_id": "CARD-C", "person_id": "P2",
         "budget_id": "B2", "last4": "7730"},
    ], "third")  # fmt: skip
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(fixture("generic").read_text().replace(",4821,", ",9999,"))
    code, report = import_json(ledger_url, unknown, profile="generic")
    assert code == 1
    reasons = {e["line"]: e["reason"] for e in report["errors"]}
    assert reasons[2] == "no card ending 9999 has been issued in the ledger"
    assert "the card ending 7730 is ambiguous: cards CARD-B, CARD-C" in reasons[12]
    assert report["rejected"] == 15
    assert count(ledger_url, "card_transactions") == 0


def test_a_full_card_number_is_never_stored(ledger_url, tmp_path):
    full = "4751280000004821"  # passes the Luhn check, ends 4821
    lines = fixture("council-portal").read_bytes().splitlines(keepends=True)
    lines[4] = lines[4].replace(b"************4821", full.encode())
    lines[4] = lines[4].replace(b"TESCO STORES 2041 EDINBURGH", f"card {full} used".encode())
    source = tmp_path / "leaky.csv"
    source.write_bytes(b"".join(lines))
    code, report = import_json(ledger_url, source, profile="council-portal")
    assert (code, report["imported"]) == (0, 15)
    ledger = open_ledger(Settings(db_url=ledger_url))
    try:
        with ledger.engine.connect() as conn:
            for table in ("card_transactions", "card_imports"):
                for row in conn.execute(text(f"SELECT * FROM {table}")):
                    assert full not in " ".join(map(str, row))
            described = conn.scalar(select(t.c.description).where(t.c.description.like("card %")))
            assert described == "card ****4821 used"
    finally:
        ledger.close()
    trail = cli("audit", "trail", "--db", ledger_url, "--format", "json").stdout
    assert full not in trail


def test_rounded_ids_are_warnings_with_their_lines(ledger_url, tmp_path):
    lines = fixture("generic").read_text().splitlines(keepends=True)
    lines[2] = "1.90E+21" + lines[2]
    source = tmp_path / "excel.csv"
    source.write_text("".join(lines))
    code, report = import_json(ledger_url, source, profile="generic")
    assert (code, report["imported"]) == (0, 15)
    [warning] = report["warnings"]
    assert warning["line"] == 3
    assert "1.90E+21" in warning["warning"]


def test_a_changed_transaction_is_found_against_its_import_digest(ledger_url):
    import_json(ledger_url, fixture("generic"), profile="generic")
    ledger = open_ledger(Settings(db_url=ledger_url))
    try:
        with ledger.engine.begin() as conn:
            assert import_problems(conn) == []
            conn.execute(update(t).where(t.c.pence == -4560).values(pence=-456))
            [problem] = import_problems(conn)
            assert "march-2026-generic.csv" in problem and "changed" in problem
            conn.execute(text("DELETE FROM card_transactions WHERE pence = -456"))
            [problem] = import_problems(conn)
            assert "added 15 transaction(s) but 14 are stored" in problem
    finally:
        ledger.close()


def test_an_import_that_died_before_its_event_gets_it_on_the_next_run(ledger_url, monkeypatch):
    from isf_ledger.application import card_import as importer

    class Killed(BaseException):
        pass

    def die(*_args, **_kwargs):
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(importer, "_record_event", die)
        with pytest.raises(Killed):
            cli("cards", "import", str(fixture("generic")), "--profile", "generic",
                "--db", ledger_url)  # fmt: skip
    assert count(ledger_url, "card_transactions") == 15
    trail = cli("audit", "trail", "--db", ledger_url, "--format", "json").stdout
    assert "CardImport" not in trail
    assert cli("init", "--db", ledger_url).exit_code == 0
    trail = cli("audit", "trail", "--db", ledger_url, "--format", "json").stdout
    assert trail.count("CardImport.TransactionsImported") == 1
    ledger = open_ledger(Settings(db_url=ledger_url))
    try:
        with ledger.engine.connect() as conn:
            assert conn.scalar(select(card_imports.c.event_recorded)) is True
    finally:
        ledger.close()


def test_card_spending_for_the_person_statement_is_net_of_refunds_and_never_counts_loads(
    ledger_url,
):
    from isf_ledger.reports.card_queries import card_spending_by_month

    import_json(ledger_url, fixture("generic"), profile="generic")
    ledger = open_ledger(Settings(db_url=ledger_url))
    try:
        with ledger.engine.connect() as conn:
            months = card_spending_by_month(conn, ["CARD-A"])
            # purchases 430.75 + cash 100.00 + fees 1.50 - refunds 12.99 - reversals 58.75
            assert sum(months.values()) == Decimal("460.51")
            both = card_spending_by_month(conn, ["CARD-A", "CARD-B"])
            assert sum(both.values()) > sum(months.values())
            before_any = "2000-01-01T00:00:00.000000Z"
            assert card_spending_by_month(conn, ["CARD-A"], as_at=before_any) == {}
    finally:
        ledger.close()


def test_the_rejects_file_is_safe_to_open_in_a_spreadsheet(ledger_url, tmp_path):
    lines = fixture("generic").read_text().splitlines(keepends=True)
    lines[2] = (
        lines[2]
        .replace("2026-03-03", "2026-03-33")
        .replace("TESCO STORES 2041,", '"=HYPERLINK(""http://x"")",')
    )
    source = tmp_path / "formula.csv"
    source.write_text("".join(lines))
    rejects = tmp_path / "rejects.csv"
    code, report = import_json(
        ledger_url, source, profile="generic", extra=("--skip-invalid", "--rejects", str(rejects))
    )
    assert (code, report["imported"], report["rejected"]) == (0, 14, 1)
    header, row = list(csv.reader(rejects.read_text(encoding="utf-8-sig").splitlines()))
    cells = dict(zip(header, row, strict=True))
    assert cells["merchant"] == '\'=HYPERLINK("http://x")'
    assert (cells["amount"], cells["balance"]) == ("-45.60", "1204.40")
    assert cells["posted_on"] == "2026-03-33"


ACME = """name = "acme"
source = "acme"
date_formats = ["%Y-%m-%d"]
card_column_holds = "card_id"

[columns]
transaction_id = "id"
card = "card"
posted_on = "date"
type = "type"
merchant = "merchant"
amount = "amount"

[types]
PURCHASE = "PURCHASE"
"""


def test_ids_from_the_same_source_decide_even_when_the_content_repeats(ledger_url, tmp_path):
    profile = tmp_path / "acme.toml"
    profile.write_text(ACME)
    # An export cut in the middle of the 4th has only the second of two coffees;
    # the next export has both. With no balance, only the ids tell them apart.
    late = tmp_path / "late.csv"
    late.write_text("id,card,date,type,merchant,amount\nX2,CARD-A,2026-03-04,PURCHASE,CAFE,-3.20\n")
    whole = tmp_path / "whole.csv"
    whole.write_text(
        "id,card,date,type,merchant,amount\n"
        "X1,CARD-A,2026-03-04,PURCHASE,CAFE,-3.20\nX2,CARD-A,2026-03-04,PURCHASE,CAFE,-3.20\n"
    )
    assert import_json(ledger_url, late, profile=str(profile))[1]["imported"] == 1
    code, report = import_json(ledger_url, whole, profile=str(profile))
    assert (code, report["imported"], report["duplicates"]) == (0, 1, 1)
    # Another format without ids still recognises both.
    generic = tmp_path / "generic.csv"
    generic.write_text(
        "transaction_id,card_id,posted_on,type,description,merchant,mcc,amount,balance\n"
        ",CARD-A,2026-03-04,PURCHASE,Coffee,CAFE,5814,-3.20,\n"
        * 1
        + ",CARD-A,2026-03-04,PURCHASE,Coffee,CAFE,5814,-3.20,\n"
    )
    code, report = import_json(ledger_url, generic, profile="generic")
    assert (code, report["imported"], report["duplicates"]) == (0, 0, 2)
    assert count(ledger_url, "card_transactions") == 2


def test_the_person_statement_counts_card_spending_net_of_refunds(ledger_url):
    before_import = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    import_json(ledger_url, fixture("generic"), profile="generic")
    result = cli("statement", "person", "--person", "P1", "--db", ledger_url, "--format", "json")
    data = json.loads(result.output)
    # CARD-A in March: purchases 430.75 + cash 100.00 + fees 1.50
    # - refunds 12.99 - reversals 58.75; its load is not spending.
    assert data["spent_to_date"] == "460.51"
    assert data["remaining"] == "11539.49"
    assert {"date": "2026-03-01", "month": "2026-03", "what": "Spent with your card",
            "amount": "-460.51"} in data["lines"]  # fmt: skip
    before = cli("statement", "person", "--person", "P1", "--db", ledger_url,
                 "--format", "json", "--as-at", before_import)  # fmt: skip
    assert json.loads(before.output)["spent_to_date"] == "0.00"
