"""One stored fact per record: a checklist item about a surgery or imaging study IS that
entry's received flag, so the checklist, the chart, the queue and the packet agree.
On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from alembic import command
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from frontdesk.db import migrate
from frontdesk.db.engine import Database
from frontdesk.db.models_history import ImagingStudy, PriorSurgery
from frontdesk.db.models_requests import RequestChecklistItem
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.history_records import ImagingForm
from frontdesk.domain.request_states import ChecklistKind, RequestState
from frontdesk.services.handouts import packets
from frontdesk.services.history.imaging import (
    add_imaging,
    delete_imaging,
    set_imaging_records_status,
)
from frontdesk.services.history.summary import get_history, history_summaries, summary_line
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import checklist, intake, reading, states, work_queue
from frontdesk.services.requests import data as requests_data
from frontdesk.services.requests.data import QueueFilter
from frontdesk.services.scheduling import booking, day_sheet
from frontdesk.services.scheduling.data import BookingForm
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.documents.pdfs import all_text
from tests.requests.conftest import maria_intake, open_the_only_request
from tests.scheduling.conftest import at, make_practice, next_weekday

ENGLISH = {
    "language": "English",
    "interpreter_needed": False,
    "channel": "referral_fax",
    # Recent, so the packet has no "bring a newer scan" line of its own.
    "imaging_when": (date.today() - timedelta(days=45)).strftime("%B %Y"),
}


def _item(
    detail: requests_data.RequestDetail, kind: ChecklistKind
) -> requests_data.ChecklistItemData:
    return next(item for item in detail.checklist if item.kind is kind)


def _missing_in_queue(context: ServiceContext, request_id: int) -> int:
    rows = work_queue.queue(context, QueueFilter()).rows
    return next(row for row in rows if row.id == request_id).missing_records


def test_ticking_all_five_items_clears_the_chart_header_and_the_packet(
    context: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_HOME", str(tmp_path / "home"))
    clinic = make_practice(context, patient_count=1)
    data = intake.create_request(context, maria_intake(**ENGLISH), allow_duplicates=True)
    detail = reading.get_request(context, data.id)
    assert len(detail.checklist) == 5  # two operative reports, MRI report and images, referral
    assert history_summaries(context, [data.patient_id])[data.patient_id].missing
    for item in detail.checklist:
        checklist.mark_received(context, item.id)

    assert reading.get_request(context, data.id).missing == ()
    assert _missing_in_queue(context, data.id) == 0
    summary = history_summaries(context, [data.patient_id])[data.patient_id]
    assert not summary.has_missing_records
    assert "missing" not in summary_line(context, data.patient_id)
    chart = get_history(context, data.patient_id)
    assert all(s.report_received for s in chart.surgeries)
    assert chart.imaging[0].report_received and chart.imaging[0].images_received

    states.transition(context, data.id, RequestState.READY_TO_SCHEDULE)
    day = next_weekday(0)
    booked = booking.book(
        context,
        BookingForm(
            data.patient_id,
            clinic.okafor,
            clinic.type_id("New consultation"),
            at(day, 8, 0),
            request_id=data.id,
        ),
    )
    packet = next(
        p for p in packets.build_packets(context, day).packets if p.appointment_id == booked.id
    )
    text = " ".join(all_text(packet.pdf).split())
    assert "Please bring" not in text, re.findall(r"Please bring[^.]*\.", text)
    assert "We have your 2021 operative report." in text
    assert "the images and the report" in text


def test_the_day_sheet_states_each_record_once(context: ServiceContext) -> None:
    clinic = make_practice(context, patient_count=1)
    data = intake.create_request(context, maria_intake(**ENGLISH), allow_duplicates=True)
    detail = reading.get_request(context, data.id)
    checklist.mark_received(context, _item(detail, ChecklistKind.IMAGING_REPORT).id)
    states.transition(
        context, data.id, RequestState.READY_TO_SCHEDULE, override_reason="films at the visit"
    )
    day = next_weekday(0)
    form = BookingForm(
        data.patient_id,
        clinic.okafor,
        clinic.type_id("New consultation"),
        at(day, 8, 0),
        request_id=data.id,
    )
    booked = booking.book(context, form)
    sheet = day_sheet.day_sheet(context, day)
    row = next(r for s in sheet.sections for r in s.rows if r.appointment_id == booked.id)
    assert row.records == (
        f"MRI lumbar {ENGLISH['imaging_when']}: report ✓, images missing · "
        "Missing: 2 op reports (date unknown, 2021); referral letter"
    )


def test_a_report_marked_in_the_chart_is_received_on_the_request_and_back(
    context: ServiceContext,
) -> None:
    data = intake.create_request(context, maria_intake())
    study = get_history(context, data.patient_id).imaging[0]
    before = _missing_in_queue(context, data.id)
    set_imaging_records_status(
        context,
        study.id,
        report_received_on=date(2026, 5, 2),
        images_received_on=None,
        images_medium=None,
        disc_location="",
        expected_version=study.version,
    )
    detail = reading.get_request(context, data.id)
    report = _item(detail, ChecklistKind.IMAGING_REPORT)
    assert report.received and report.received_on == date(2026, 5, 2)
    assert not _item(detail, ChecklistKind.IMAGING_FILES).received
    assert _missing_in_queue(context, data.id) == before - 1

    # Unticking on the request unticks the chart: there is one fact, not two to drift apart.
    checklist.mark_received(context, report.id, received=False)
    assert not get_history(context, data.patient_id).imaging[0].report_received
    assert "report" in summary_line(context, data.patient_id)


def test_an_item_added_for_a_chart_entry_is_that_entrys_flag(context: ServiceContext) -> None:
    data = intake.create_request(context, maria_intake(imaging_modality=""))
    study = add_imaging(context, data.patient_id, ImagingForm(modality="ct", regions=("lumbar",)))
    added = checklist.add_checklist_item(
        context, data.id, ChecklistKind.IMAGING_FILES, "CT", imaging_id=study.id
    )
    checklist.mark_received(context, added.id)
    assert get_history(context, data.patient_id).imaging[0].images_received
    with pytest.raises(ValidationError, match="imaging study has no operative report"):
        checklist.add_checklist_item(
            context, data.id, ChecklistKind.OPERATIVE_REPORT, imaging_id=study.id
        )
    # Deleting the study leaves the item standing on its own, still received.
    delete_imaging(context, study.id, get_history(context, data.patient_id).imaging[0].version)
    kept = _item(reading.get_request(context, data.id), ChecklistKind.IMAGING_FILES)
    assert kept.received and kept.imaging_id is None


def test_the_database_refuses_a_second_copy_of_the_fact(
    context: ServiceContext, database: Database
) -> None:
    data = intake.create_request(context, maria_intake())
    report = _item(reading.get_request(context, data.id), ChecklistKind.IMAGING_REPORT)
    with pytest.raises(IntegrityError), database.write_engine.begin() as connection:
        connection.execute(
            update(RequestChecklistItem)
            .where(RequestChecklistItem.id == report.id)
            .values(received_on=date(2026, 1, 2), received_by="someone")
        )


# --- the migration --------------------------------------------------------------------------


def _migrate(database: Database, revision: str) -> None:
    config = migrate._config()
    with database.write_engine.begin() as connection:
        config.attributes["connection"] = connection
        if revision == "0007":
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def test_0008_carries_both_sides_over_and_back(context: ServiceContext, database: Database) -> None:
    data = intake.create_request(context, maria_intake(channel="referral_fax"))
    detail = reading.get_request(context, data.id)
    op_items = [i for i in detail.checklist if i.kind is ChecklistKind.OPERATIVE_REPORT]
    files = _item(detail, ChecklistKind.IMAGING_FILES)
    letter = _item(detail, ChecklistKind.REFERRAL_LETTER)
    chart = get_history(context, data.patient_id)
    surgery_ids = {i.id: i.surgery_id for i in op_items}
    study_id = chart.imaging[0].id
    try:
        _migrate(database, "0007")
        with database.write_engine.begin() as connection:
            table = RequestChecklistItem.__table__
            # Ticked on the request only (the old drift): the first operative report.
            connection.execute(
                update(table)
                .where(table.c.id == op_items[0].id)
                .values(received_on=date(2026, 3, 1), received_by="ana")
            )
            # Marked on the chart only: the MRI images.
            connection.execute(
                update(ImagingStudy.__table__)
                .where(ImagingStudy.__table__.c.id == study_id)
                .values(images_received_on=date(2026, 3, 5), images_received_by="ben")
            )
            # A link that cannot hold: the referral letter "of" the MRI, received.
            connection.execute(
                update(table)
                .where(table.c.id == letter.id)
                .values(imaging_id=study_id, received_on=date(2026, 3, 7), received_by="cy")
            )
        _migrate(database, "head")
        with database.engine.connect() as connection:
            surgery = connection.execute(
                select(PriorSurgery.report_received_on, PriorSurgery.report_received_by).where(
                    PriorSurgery.id == surgery_ids[op_items[0].id]
                )
            ).one()
        assert tuple(surgery) == (date(2026, 3, 1), "ana")
        after = reading.get_request(context, data.id)
        assert _item(after, ChecklistKind.IMAGING_FILES).received_on == date(2026, 3, 5)
        assert _item(after, ChecklistKind.IMAGING_FILES).id == files.id
        kept = _item(after, ChecklistKind.REFERRAL_LETTER)
        assert kept.received_on == date(2026, 3, 7) and kept.imaging_id is None
        assert [
            i.received for i in after.checklist if i.kind is ChecklistKind.OPERATIVE_REPORT
        ] == [
            True,
            False,
        ]

        # Back down: the items carry the chart's state again, as 0007's code reads it.
        _migrate(database, "0007")
        with database.engine.connect() as connection:
            rows = dict(
                connection.execute(
                    select(RequestChecklistItem.id, RequestChecklistItem.received_on).where(
                        RequestChecklistItem.request_id == data.id
                    )
                ).all()
            )
        assert rows[op_items[0].id] == date(2026, 3, 1)
        assert rows[files.id] == date(2026, 3, 5)
        assert rows[op_items[1].id] is None
    finally:
        if migrate.schema_status(database).state is not migrate.SchemaState.CURRENT:
            _migrate(database, "head")
    assert migrate.schema_status(database).state is migrate.SchemaState.CURRENT
    # Still no second copy after the round trip.
    with pytest.raises(IntegrityError), database.write_engine.begin() as connection:
        connection.execute(
            insert(RequestChecklistItem.__table__).values(
                request_id=data.id,
                patient_id=data.patient_id,
                kind="imaging_report",
                imaging_id=study_id,
                received_on=date(2026, 1, 1),
                received_by="x",
                description="",
                source="",
                requested_by="",
                version=1,
                created_at=after.request.updated_at,
                created_by="x",
                updated_at=after.request.updated_at,
                updated_by="x",
            )
        )


# --- with real widgets ---------------------------------------------------------------------


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    hub = ChangeHub(context, watch_other_workstations=False)
    hub.start()
    yield ScreenContext(context, runner, hub)
    runner.wait_for_idle()
    hub.stop()
    QCoreApplication.processEvents()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_open_request_shows_a_report_marked_in_the_chart(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    data = intake.create_request(context, maria_intake())
    area = open_the_only_request(qtbot, screen)
    panel = area.detail
    assert panel.detail is not None
    row = next(
        index
        for index, item in enumerate(panel.detail.checklist)
        if item.kind is ChecklistKind.IMAGING_REPORT
    )
    assert not panel.checklist.item(row, 1).text().startswith("✓")
    study = get_history(context, data.patient_id).imaging[0]
    set_imaging_records_status(
        context,
        study.id,
        report_received_on=date(2026, 5, 2),
        images_received_on=None,
        images_medium=None,
        disc_location="",
        expected_version=study.version,
    )
    qtbot.waitUntil(
        lambda: panel.checklist.item(row, 1).text().startswith("✓ Received 05/02/2026"),
        timeout=10_000,
    )
    qtbot.waitUntil(lambda: area.model.rows[0].missing_records == 3, timeout=10_000)
