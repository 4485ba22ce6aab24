"""The Audit area: filters, an update's old and new values, the lazy table, the access report
(printed PDF and CSV, both recorded as disclosures) and verification of a tampered trail."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import delete, update

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.clock import practice_zone
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.patients.lookup import get_patient, summaries_for
from frontdesk.services.platform import audit_trail
from frontdesk.services.platform.audit_checkpoint import CheckpointReport
from frontdesk.services.platform.audit_trail import AuditFilter
from frontdesk.services.practice.first_run import create_first_admin
from frontdesk.services.practice.forms import NewUserForm
from frontdesk.services.practice.sign_in import sign_in
from frontdesk.services.practice.users import create_user
from frontdesk.ui.audit.area import AuditArea
from frontdesk.ui.audit.model import ACTION, DETAILS, RECORD, USER, AuditRows, AuditTableModel
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.accounts import tamperable_audit_trail
from tests.helpers.screens import open_screen

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)

PASSWORD = "violet canoe morning"


@pytest.fixture
def admin(context: ServiceContext) -> ServiceContext:
    create_first_admin(context, NewUserForm("maria", PASSWORD, Role.ADMIN, "Maria Lopez"))
    return context.as_actor(sign_in(context, "maria", PASSWORD))


@pytest.fixture
def desk(admin: ServiceContext) -> ServiceContext:
    create_user(admin, NewUserForm("john", PASSWORD, Role.FRONT_DESK, "John Reed"))
    return admin.as_actor(sign_in(admin, "john", PASSWORD))


@pytest.fixture
def rosa(desk: ServiceContext) -> PatientData:
    """John opens and changes Rosa's chart: the trail has a view and an update for her."""
    form = PatientForm(
        first_name="Rosa",
        last_name="<b>Garcia</b>",
        date_of_birth=date(1961, 3, 4),
        mobile_phone="217-555-0111",
    )
    created = create_patient(desk, form)
    get_patient(desk, created.id)
    changed = PatientForm(
        first_name="Rosa",
        last_name="<b>Garcia</b>",
        date_of_birth=date(1961, 3, 4),
        mobile_phone="217-555-0199",
    )
    return update_patient(desk, created.id, changed, created.version)


@pytest.fixture
def screen(admin: ServiceContext) -> Iterator[ScreenContext]:
    with open_screen(admin) as screen:
        yield screen


@pytest.fixture
def area(qtbot: QtBot, screen: ScreenContext, rosa: PatientData) -> AuditArea:
    widget = AuditArea(screen)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.loaded_once and widget.count is not None)
    return widget


def column(area: AuditArea, index: int) -> list[str]:
    model = area.model
    return [model.data(model.index(row, index)) for row in range(model.rowCount())]


def wait_reloaded(qtbot: QtBot, area: AuditArea) -> None:
    qtbot.waitUntil(lambda: area.model.loaded_once and not area.model.is_fetching, timeout=10_000)
    area.screen.runner.wait_for_idle()
    QCoreApplication.processEvents()


def test_the_trail_is_listed_newest_first_with_plain_words(
    qtbot: QtBot, area: AuditArea, rosa: PatientData
) -> None:
    actions = column(area, ACTION)
    assert actions[0] == "Changed"
    assert {"Opened", "Created", "Signed in"} <= set(actions)
    patients_shown = {text for text in column(area, RECORD) if text}
    # Markup in a name shows as typed (item views never interpret it).
    assert f"Chart: <b>Garcia</b>, Rosa ({rosa.mrn})" in patients_shown
    assert area.status.text().startswith(f"Showing {area.model.rowCount()} of {area.count}")


def test_filters_by_user_action_and_patient_and_shows_an_updates_old_and_new_values(
    qtbot: QtBot, area: AuditArea, rosa: PatientData
) -> None:
    area.set_filter(username="john", action="update")
    wait_reloaded(qtbot, area)
    assert set(column(area, USER)) == {"john"} and set(column(area, ACTION)) == {"Changed"}

    # The patient by MRN, typed as people do.
    area.patient_box.setText(rosa.mrn.lower())
    qtbot.keyClick(area.patient_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: area.patient is not None, timeout=10_000)
    wait_reloaded(qtbot, area)
    assert area.where.patient_id == rosa.id
    assert area.model.rowCount() == 1
    assert "mobile phone" in column(area, DETAILS)[0]
    assert "217" not in column(area, DETAILS)[0]  # the list names fields, never their values

    area.table.selectRow(0)
    dialog = area.show_details()
    assert dialog is not None  # deletes itself on close
    assert dialog.facts["user"].text() == "john"
    assert dialog.facts["action"].text() == "Changed"
    assert dialog.facts["patient"].text() == f"<b>Garcia</b>, Rosa ({rosa.mrn})"
    assert dialog.facts["patient"].textFormat() == Qt.TextFormat.PlainText
    assert ("mobile phone", "+12175550111", "+12175550199") in dialog.rows()
    dialog.close()

    area.clear_filters()
    wait_reloaded(qtbot, area)
    assert area.where == AuditFilter()
    assert "Signed in" in column(area, ACTION)


def test_a_name_search_that_matches_several_charts_asks_which(
    qtbot: QtBot, area: AuditArea, desk: ServiceContext, rosa: PatientData
) -> None:
    other = PatientForm(first_name="Rosa", last_name="Gallo", date_of_birth=date(1970, 1, 2))
    create_patient(desk, other)
    area.patient_box.setText("rosa")
    area.look_up_patient()
    qtbot.waitUntil(area.patient_choice.isVisible, timeout=10_000)
    area.patient_choice.hidePopup()
    assert area.patient_choice.count() == 3  # the prompt and two charts
    index = next(
        i for i in range(area.patient_choice.count()) if area.patient_choice.itemData(i) == rosa.id
    )
    area.patient_choice.activated.emit(index)
    wait_reloaded(qtbot, area)
    assert area.patient is not None and area.patient.id == rosa.id
    assert area.report_button.isEnabled()


def test_an_unknown_patient_is_said_plainly(qtbot: QtBot, area: AuditArea) -> None:
    area.patient_box.setText("M9999999")
    area.look_up_patient()
    qtbot.waitUntil(lambda: area.banner.kind == "error", timeout=10_000)
    assert "No patient matches" in area.banner.text
    assert area.patient is None


def test_dates_filter_whole_days(qtbot: QtBot, area: AuditArea) -> None:
    area.until_box.setChecked(True)
    area.until.setDate(area.until.date().addDays(-1))
    wait_reloaded(qtbot, area)
    assert area.model.rowCount() == 0
    assert area.status.text() == "No entry matches these filters."
    area.since_box.setChecked(True)
    area.since.setDate(area.until.date().addDays(2))
    assert "must not be before" in area.banner.text


def test_the_access_report_prints_and_saves_csv_as_recorded_disclosures(
    qtbot: QtBot, area: AuditArea, rosa: PatientData, admin: ServiceContext, tmp_path: Path
) -> None:
    area.set_filter(patient=summaries_for(admin, [rosa.id])[0])
    dialog = area.open_access_report()
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert dialog.heading.text() == f"<b>Garcia</b>, Rosa ({rosa.mrn})"
    by_user = dialog.by_user
    assert by_user.item(0, 0).text() == "john"
    assert (by_user.item(0, 1).text(), by_user.item(0, 2).text()) == ("1", "2")

    pdf = tmp_path / "report.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(pdf))
    dialog.print_to(printer)
    qtbot.waitUntil(lambda: dialog.banner.kind == "success", timeout=10_000)
    # The page went to the printer as a picture of the letterhead document: read its text.
    assert len(PdfReader(pdf).pages) >= 1
    assert dialog.printed_pdf is not None
    reader = PdfReader(io.BytesIO(dialog.printed_pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Who opened or changed this chart" in text
    assert "<b>Garcia</b>, Rosa" in text  # escaped: the markup prints as typed
    assert "john" in text and "Opened" in text and "Changed" in text

    saved = tmp_path / "access"
    dialog.save_csv(saved)
    qtbot.waitUntil(lambda: "Saved" in dialog.banner.text, timeout=10_000)
    with saved.with_name("access.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["action"] for row in rows} >= {"create", "view", "update"}
    assert all(row["patient_id"] == str(rosa.id) for row in rows)

    disclosures = audit_trail.list_entries(admin, AuditFilter(patient_id=rosa.id)).entries
    recorded = {(entry.action, entry.entity) for entry in disclosures}
    assert ("print", "audit_access_report") in recorded
    assert ("export", "audit_entries") in recorded
    assert ("view", "audit_access_report") in recorded
    printed = next(entry for entry in disclosures if entry.action == "print")
    assert printed.username == "maria" and printed.details == {"printer": "PDF file"}


@pytest.mark.ui_postgresql
def test_verify_says_intact_then_names_a_tampered_entry(
    qtbot: QtBot, area: AuditArea, database: Database
) -> None:
    area.verify()
    qtbot.waitUntil(lambda: area.verify_task is None, timeout=30_000)
    assert area.banner.kind == "success"
    assert "The audit trail is intact" in area.banner.text

    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(update(AuditEntry).where(AuditEntry.id == 3).values(username="nobody"))
    area.verify()
    qtbot.waitUntil(lambda: area.verify_task is None, timeout=30_000)
    assert area.banner.kind == "error"
    assert "broken at entry #3" in area.banner.text and "edited" in area.banner.text
    assert area.last_report is not None and area.last_report.first_break is not None
    assert area.last_report.first_break.entry_id == 3


def test_save_a_checkpoint_then_verify_against_it_from_the_buttons(
    qtbot: QtBot,
    area: AuditArea,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = tmp_path / "after-lunch"  # the extension is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(chosen), ""))
    qtbot.mouseClick(area.save_checkpoint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: area.banner.kind == "success", timeout=10_000)
    saved = tmp_path / "after-lunch.checkpoint"
    assert saved.is_file()
    assert f"Checkpoint saved to {saved}" in area.banner.text
    assert "Keep it away from this computer and the server" in area.banner.text
    assert area.save_checkpoint_button.isEnabled()

    def verify_with_button(path: Path) -> None:
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), ""))
        qtbot.mouseClick(area.verify_checkpoint_button, Qt.MouseButton.LeftButton)
        assert not area.verify_checkpoint_button.isEnabled()
        qtbot.waitUntil(lambda: area.verify_task is None, timeout=30_000)
        assert area.verify_checkpoint_button.isEnabled()

    verify_with_button(saved)
    assert area.banner.kind == "success"
    assert "intact and matches the checkpoint of" in area.banner.text
    assert "this workstation's key" in area.banner.text

    # Cutting off the end leaves the chain intact; the checkpoint still counts the entries.
    with tamperable_audit_trail(database), database.engine.begin() as connection:
        connection.execute(delete(AuditEntry).where(AuditEntry.id > 3))
    verify_with_button(saved)
    assert area.banner.kind == "error"
    assert "The audit trail was cut short" in area.banner.text
    assert isinstance(area.last_report, CheckpointReport) and not area.last_report.intact

    not_one = tmp_path / "notes.checkpoint"
    not_one.write_text("shopping list", encoding="utf-8")
    verify_with_button(not_one)
    assert area.banner.kind == "error"
    assert "notes.checkpoint is not a Front Desk audit checkpoint" in area.banner.text


def test_export_of_the_filtered_entries(
    qtbot: QtBot, area: AuditArea, admin: ServiceContext, tmp_path: Path
) -> None:
    area.set_filter(action="sign_in")
    wait_reloaded(qtbot, area)
    target = tmp_path / "sign-ins.csv"
    area.export_to(target)
    qtbot.waitUntil(lambda: area.banner.kind == "success", timeout=10_000)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["action"] for row in rows} == {"sign_in"}
    assert {row["username"] for row in rows} == {"maria", "john"}


def test_the_lazy_model_pages_through_the_trail_and_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, admin: ServiceContext, rosa: PatientData
) -> None:
    runner = Runner()
    try:
        model = AuditTableModel(runner, practice_zone(admin))
        total = audit_trail.count_entries(admin)
        assert total > 6

        def fetch(cursor: Any) -> AuditRows:
            return AuditRows(audit_trail.list_entries(admin, after=cursor, limit=3))

        model.show(fetch)
        qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=10_000)
        assert model.canFetchMore(QModelIndex())
        while model.canFetchMore(QModelIndex()) or model.is_fetching:
            model.fetchMore(QModelIndex())
            qtbot.waitUntil(lambda: not model.is_fetching, timeout=10_000)
        assert model.rowCount() == total
        ids = [entry.id for entry in model.entries()]
        assert len(set(ids)) == total  # no entry twice
        qtmodeltester.check(model)
        assert model.rowCount(model.index(0, 0)) == 0
        assert model.data(QModelIndex()) is None
    finally:
        runner.wait_for_idle()


def test_the_audit_service_refuses_the_front_desk(desk: ServiceContext) -> None:
    from frontdesk.domain.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        audit_trail.verify_chain(desk)
    with pytest.raises(PermissionDeniedError):
        audit_trail.patient_access_report(desk, 1)
