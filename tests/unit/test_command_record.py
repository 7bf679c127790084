"""A command's record made without its aggregate is the event the aggregate records."""

from __future__ import annotations

from isf_ledger.adapters.event_store import LedgerApp
from isf_ledger.domain.command_record import CommandRecord, accepted

ARGS = {"command_type": "RecordHours", "digest": "d" * 64, "actor": "ann", "reason": "weekly"}


def _without_time(event: object) -> dict[str, object]:
    return {k: v for k, v in vars(event).items() if k != "timestamp"}


def test_accepted_is_the_event_the_aggregate_records():
    made = CommandRecord(**ARGS, command_id="c-1").collect_events()[0]
    direct = accepted(*ARGS.values(), "c-1")
    assert type(direct) is type(made)
    assert list(vars(direct)) == list(vars(made))  # the order the stored JSON keeps
    assert _without_time(direct) == _without_time(made)


def test_the_record_loads_back_as_the_aggregate(tmp_path):
    app = LedgerApp(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                         "SQLITE_DBNAME": str(tmp_path / "e.db")})  # fmt: skip
    app.recorder.insert_events([app.mapper.to_stored_event(accepted(*ARGS.values(), "c-2"))])
    record = app.repository.get(CommandRecord.id_for("c-2"))
    assert (record.ref, record.digest, record.actor) == ("c-2", "d" * 64, "ann")
