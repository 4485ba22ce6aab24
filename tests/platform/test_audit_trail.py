"""The audit trail: chain verification catches tampering; filters, reports and CSV export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, text, update

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import RefusedError
from frontdesk.domain.permissions import Role
from frontdesk.domain.progress import Cancelled
from frontdesk.services.kernel.audit import GENESIS_HASH, entry_hash, hashed_fields
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform import audit_trail
from frontdesk.services.platform.audit_trail import AuditFilter, ChainProblem
from tests.accounts import tamperable_audit_trail

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _record(context: ServiceContext, username: str, action: str, patient_id: int | None) -> None:
    actor = Actor(username=username, role=Role.FRONT_DESK, workstation="desk-2")
    with context.as_actor(actor).writing(None) as uow:
        uow.record(action, "patients", patient_id or "", patient_id=patient_id)
        uow.commit()


def _append_dated(database: Database, rows: list[dict[str, object]]) -> None:
    """Entries at chosen times, chained exactly as the app chains them."""
    with database.write_sessions() as session:
        prev = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
        prev = prev or GENESIS_HASH
        values = []
        for row in rows:
            full = {
                "username": "x",
                "user_id": None,
                "workstation": "desk-1",
                "entity": "patients",
                "entity_id": "",
                "patient_id": None,
                "details": "{}",
                **row,
            }
            link = entry_hash(prev, hashed_fields(_Fields(full)))
            values.append({**full, "prev_hash": prev, "hash": link})
            prev = link
        session.execute(insert(AuditEntry), values)
        session.commit()


class _Fields:
    def __init__(self, values: dict[str, object]) -> None:
        self.__dict__.update(values)


def _ten_entries(context: ServiceContext) -> None:
    for index in range(10):
        _record(context, f"user{index % 3}", "view", 100 + index % 2)


# --- verification ------------------------------------------------------------------------


def test_an_untouched_trail_verifies(context: ServiceContext) -> None:
    _ten_entries(context)
    report = audit_trail.verify_chain(context)
    assert report.intact
    assert (report.checked, report.last_id) == (10, 10)
    assert "intact: 10 entries" in report.describe()


def test_the_database_refuses_edits_to_the_trail(context: ServiceContext) -> None:
    _ten_entries(context)
    with pytest.raises(RefusedError, match="append-only"), context.writing(None) as uow:
        uow.session.execute(update(AuditEntry).values(username="mallory"))
    with pytest.raises(RefusedError, match="append-only"), context.writing(None) as uow:
        uow.session.execute(delete(AuditEntry).where(AuditEntry.id == 3))
    assert audit_trail.verify_chain(context).intact


def test_verify_names_an_edited_entry(context: ServiceContext, database: Database) -> None:
    _ten_entries(context)
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(
            update(AuditEntry).where(AuditEntry.id == 4).values(username="someone.else")
        )
    report = audit_trail.verify_chain(context)
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.problem) == (4, ChainProblem.EDITED)
    assert report.checked == 3
    assert "entry #4: it was edited" in report.describe()


def test_verify_names_an_entry_edited_and_rehashed(
    context: ServiceContext, database: Database
) -> None:
    _ten_entries(context)
    with database.read_sessions() as session:
        row = session.get(AuditEntry, 6)
        assert row is not None
        row.details = '{"forged": true}'
        forged_hash = entry_hash(row.prev_hash, hashed_fields(row))
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(
            update(AuditEntry)
            .where(AuditEntry.id == 6)
            .values(details='{"forged": true}', hash=forged_hash)
        )
    report = audit_trail.verify_chain(context)
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.problem) == (6, ChainProblem.EDITED)


def test_verify_names_a_deleted_entry(context: ServiceContext, database: Database) -> None:
    _ten_entries(context)
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(delete(AuditEntry).where(AuditEntry.id == 5))
    report = audit_trail.verify_chain(context)
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.problem) == (5, ChainProblem.DELETED)
    assert "entry #5: it was deleted" in report.describe()


def test_verify_names_an_entry_inserted_out_of_order(
    context: ServiceContext, database: Database
) -> None:
    _ten_entries(context)
    with database.read_sessions() as session:
        third = session.get(AuditEntry, 3)
        assert third is not None
        fields = {**hashed_fields(third), "details": '{"planted": true}'}
        forged = {
            **fields,
            "id": 11,
            "at": third.at,
            "prev_hash": third.hash,  # claims to follow #3, correctly hashed
            "hash": entry_hash(third.hash, fields),
        }
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(insert(AuditEntry).values(**forged))
    report = audit_trail.verify_chain(context)
    assert report.first_break is not None
    assert report.first_break.entry_id == 11
    assert report.first_break.problem is ChainProblem.INSERTED
    assert "inserted out of order" in report.describe()


def test_verify_names_a_hand_written_entry(context: ServiceContext, database: Database) -> None:
    _ten_entries(context)
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(
            insert(AuditEntry).values(
                id=11,
                at=START,
                username="ghost",
                workstation="",
                action="view",
                entity="patients",
                entity_id="",
                details="{}",
                prev_hash="f" * 64,
                hash="e" * 64,
            )
        )
    report = audit_trail.verify_chain(context)
    assert report.first_break is not None
    assert (report.first_break.entry_id, report.first_break.problem) == (
        11,
        ChainProblem.INSERTED,
    )


def test_verify_reports_progress_and_can_be_cancelled(context: ServiceContext) -> None:
    _ten_entries(context)
    seen: list[tuple[int, int]] = []
    audit_trail.verify_chain(context, lambda done, total: seen.append((done, total)) or True)
    assert seen[0] == (0, 10) and seen[-1] == (10, 10)
    from frontdesk.domain.progress import Cancelled

    with pytest.raises(Cancelled):
        audit_trail.verify_chain(context, lambda _done, _total: False)


# --- queries -----------------------------------------------------------------------------


def _dated_trail(database: Database) -> None:
    rows: list[dict[str, object]] = []
    for day in range(30):
        for slot, (user, action, patient) in enumerate(
            [("ana", "view", 7), ("ben", "update", 7), ("ana", "view", 8), ("cy", "export", None)]
        ):
            rows.append(
                {
                    "at": START + timedelta(days=day, minutes=slot),
                    "username": user,
                    "action": action,
                    "entity": "exports" if action == "export" else "patients",
                    "entity_id": str(patient or ""),
                    "patient_id": patient,
                }
            )
    _append_dated(database, rows)


def test_filters_combine(context: ServiceContext, database: Database) -> None:
    _dated_trail(database)
    assert audit_trail.count_entries(context) == 120
    assert audit_trail.count_entries(context, AuditFilter(username="ana")) == 60
    assert audit_trail.count_entries(context, AuditFilter(patient_id=7)) == 60
    assert audit_trail.count_entries(context, AuditFilter(username="ana", patient_id=7)) == 30
    assert audit_trail.count_entries(context, AuditFilter(action="export")) == 30
    assert audit_trail.count_entries(context, AuditFilter(entity="exports")) == 30
    week = AuditFilter(since=START + timedelta(days=7), until=START + timedelta(days=14))
    assert audit_trail.count_entries(context, week) == 28
    page = audit_trail.list_entries(context, AuditFilter(username="ben", patient_id=7), limit=5)
    assert [entry.username for entry in page.entries] == ["ben"] * 5
    assert page.entries[0].at == START + timedelta(days=29, minutes=1)
    assert audit_trail.audit_usernames(context) == ["ana", "ben", "cy"]


def test_pages_walk_every_match_once_newest_first(
    context: ServiceContext, database: Database
) -> None:
    _dated_trail(database)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        page = audit_trail.list_entries(context, AuditFilter(username="ana"), after=cursor, limit=7)
        seen.extend(entry.id for entry in page.entries)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 9  # 60 entries, 7 a page
    assert len(seen) == len(set(seen)) == 60
    with database.read_sessions() as session:
        expected = session.scalars(
            select(AuditEntry.id)
            .where(AuditEntry.username == "ana")
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        ).all()
    assert seen == list(expected)


def test_a_patients_access_report(context: ServiceContext, database: Database) -> None:
    _dated_trail(database)
    report = audit_trail.patient_access_report(context, 7)
    assert len(report.entries) == 60
    assert {(s.username, s.views, s.changes) for s in report.by_user} == {
        ("ana", 30, 0),
        ("ben", 0, 30),
    }
    # Reading the report is itself an access to the chart's history, so it is recorded.
    latest = audit_trail.list_entries(context, limit=1).entries[0]
    assert (latest.action, latest.entity, latest.patient_id) == ("view", "audit_access_report", 7)


# --- CSV ---------------------------------------------------------------------------------


def test_csv_export_is_spreadsheet_safe_and_recorded(
    context: ServiceContext, database: Database, tmp_path: Path
) -> None:
    _append_dated(
        database,
        [
            {"at": START, "username": '=HYPERLINK("http://x")', "action": "view"},
            {"at": START, "username": "ana", "action": "view", "details": '{"n": "+1"}'},
            {"at": START, "username": "@SUM(A1)", "action": "-2+3"},
            {"at": START, "username": "\tcmd", "action": "view"},
        ],
    )
    target = tmp_path / "audit.csv"
    assert audit_trail.export_csv(context, AuditFilter(), target) == 4
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["id", "at_utc", "username"]
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert '\'=HYPERLINK("http://x")' in cells and "'@SUM(A1)" in cells and "'-2+3" in cells
    export = audit_trail.list_entries(context, AuditFilter(action="export")).entries[0]
    assert export.details["rows"] == 4 and export.entity == "audit_entries"


class _Watched(io.StringIO):
    """Output that notes the trail's exports when the first row reaches it."""

    def __init__(self, context: ServiceContext) -> None:
        super().__init__()
        self.context = context
        self.exports_at_first_write: list[audit_trail.AuditEntryData] | None = None

    def write(self, text: str) -> int:
        if self.exports_at_first_write is None:
            where = AuditFilter(action="export")
            self.exports_at_first_write = audit_trail.list_entries(self.context, where).entries
        return super().write(text)


def test_csv_export_is_recorded_before_its_first_row_and_holds_entries_up_to_it(
    context: ServiceContext,
) -> None:
    _record(context, "ana", "view", 3)
    _record(context, "ben", "view", 4)
    out = _Watched(context)
    assert audit_trail.export_csv(context, AuditFilter(), out) == 2
    assert out.exports_at_first_write is not None
    [export] = out.exports_at_first_write  # committed: another session sees it
    assert export.details["rows"] == 2 and "file" not in export.details
    rows = list(csv.reader(io.StringIO(out.getvalue())))[1:]
    assert [row[2] for row in rows] == ["ben", "ana"]  # not the export's own entry


def test_a_cancelled_csv_export_leaves_no_file_and_says_it_was_abandoned(
    context: ServiceContext, tmp_path: Path
) -> None:
    _record(context, "ana", "view", 3)
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "audit.csv"

    def cancel(done: int, total: int) -> bool:
        return False

    with pytest.raises(Cancelled):
        audit_trail.export_csv(context, AuditFilter(), target, cancel)
    assert list(folder.iterdir()) == []  # neither the file nor its partial copy
    latest = audit_trail.list_entries(context, limit=2).entries
    assert [(entry.action, entry.details.get("file")) for entry in latest] == [
        ("export_abandoned", "audit.csv"),
        ("export", "audit.csv"),
    ]
    assert latest[0].details["outcome"] == "cancelled"
    assert audit_trail.verify_chain(context).intact


def test_csv_text_of_a_page(context: ServiceContext) -> None:
    _record(context, "=1+1", "view", 9)
    page = audit_trail.list_entries(context)
    text_out = audit_trail.csv_text(page.entries)
    assert "'=1+1" in text_out and ",9," in text_out


def test_entries_keep_their_details(context: ServiceContext) -> None:
    with context.writing(None) as uow:
        uow.record("print", "handouts", 3, patient_id=12, details={"printer": "Front"})
        uow.commit()
    entry = audit_trail.list_entries(context, AuditFilter(patient_id=12)).entries[0]
    assert entry.details == {"printer": "Front"}
    assert entry.record == "handouts #3"
    assert json.loads(json.dumps(entry.details)) == entry.details


def test_a_patient_is_found_by_id(context: ServiceContext) -> None:
    assert audit_trail.resolve_patient(context, " 42 ") == 42
    assert audit_trail.resolve_patient(context, "#42") == 42


def test_postgres_trigger_is_back_after_tampering_tests(
    context: ServiceContext, database: Database
) -> None:
    """The shared PostgreSQL database keeps its append-only trigger between tests."""
    if database.is_sqlite:
        return
    with database.engine.connect() as connection:
        enabled = connection.execute(
            text("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_entries_append_only'")
        ).scalar_one()
    assert enabled == "O"


def test_a_charts_access_report_by_mrn(context: ServiceContext) -> None:
    from frontdesk.services.patients.edit import create_patient
    from frontdesk.services.patients.forms import PatientForm
    from frontdesk.services.patients.lookup import get_patient

    chart = create_patient(
        context, PatientForm(first_name="Ana", last_name="Lindqvist", date_of_birth="1961-03-04")
    )
    desk = context.as_actor(Actor(username="desk.one", role=Role.FRONT_DESK, workstation="d1"))
    get_patient(desk, chart.id)  # opening the chart is recorded
    assert audit_trail.resolve_patient(context, chart.mrn) == chart.id
    assert audit_trail.resolve_patient(context, chart.mrn.lower()) == chart.id
    report = audit_trail.patient_access_report(context, chart.id)
    by_user = {summary.username: summary for summary in report.by_user}
    assert by_user["desk.one"].views == 1
    assert by_user["test.admin"].changes >= 1  # the chart's creation


def test_a_deleted_record_leaves_its_last_values_in_the_trail(context: ServiceContext) -> None:
    from frontdesk.db.models import Location
    from frontdesk.services.practice.forms import LocationForm
    from frontdesk.services.practice.locations import save_location

    saved = save_location(context, LocationForm(name="Annex"))
    with context.writing(None) as uow:
        row = uow.session.get(Location, saved.id)
        assert row is not None
        uow.session.delete(row)
        uow.commit()
    [deleted] = audit_trail.list_entries(context, AuditFilter(action="delete")).entries
    assert (deleted.entity, deleted.entity_id) == ("locations", str(saved.id))
    assert deleted.details["values"]["name"] == "Annex"
    assert "version" not in deleted.details["values"]
    assert audit_trail.verify_chain(context).intact
