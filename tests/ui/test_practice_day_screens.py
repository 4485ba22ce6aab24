"""Screens and commands fill in the practice's day (Admin → Practice profile → Time zone),
never the computer's: near midnight, or on a desk whose computer is in another zone, that is
another day.

``date.today()`` cannot be frozen, so these tests use the real clock with zones whose dates
always differ: the practice is in Pago Pago (UTC-11), the computer in Kiritimati (UTC+14),
25 hours ahead, so the computer's day is always a later one than the practice's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QFileDialog, QPushButton
from pytestqt.qtbot import QtBot

from frontdesk.cli.main import run
from frontdesk.services.handouts import library as handouts
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.practice.forms import PracticeProfileForm
from frontdesk.services.practice.profile import save_profile
from frontdesk.ui.admin.handout_reviews import HandoutReviewsPanel
from frontdesk.ui.handouts.area import HandoutsArea
from frontdesk.ui.handouts.packets_dialog import PacketsDialog
from frontdesk.ui.history.dialogs import SurgeryDialog
from frontdesk.ui.history.tabs import SurgeryHistoryTab
from frontdesk.ui.patients.area import PatientsArea
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.editor import PatientEditor
from frontdesk.ui.patients.search_model import AGE
from frontdesk.ui.runner import Runner
from frontdesk.ui.scheduling.book_dialog import BookDialog
from frontdesk.ui.scheduling.dialog_fields import date_of
from frontdesk.ui.scheduling.find_dialog import FindSlotDialog
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets import file_dialogs
from tests.history.conftest import MARIA

WAIT_MS = 10_000
PRACTICE_ZONE = ZoneInfo("Pacific/Pago_Pago")

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)


def practice_today() -> date:
    return datetime.now(PRACTICE_ZONE).date()


def practice_days(action: Callable[[], object]) -> set[date]:
    """The practice's day before and after ``action`` (it may cross its midnight)."""
    before = practice_today()
    action()
    return {before, practice_today()}


@pytest.fixture
def desk_in_kiritimati() -> Iterator[None]:
    """The computer's own zone is Kiritimati for the test (TZ, read again with tzset)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Kiritimati"
    time.tzset()
    try:
        # The premise: the computer's day is not the practice's.
        assert date.today() > practice_today()
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.fixture
def practice_in_pago_pago(context: ServiceContext, desk_in_kiritimati: None) -> ServiceContext:
    save_profile(
        context,
        PracticeProfileForm(
            name="Island Spine", main_phone="(217) 555-0100", time_zone="Pacific/Pago_Pago"
        ),
        None,
    )
    return context


@pytest.fixture
def runner(without_pdftoppm: None) -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.wait_for_idle()
    QCoreApplication.processEvents()


# A practice handout file; ``{due}`` is its review-due day.
OWN_HANDOUT = """id: own-exercises
title: Gentle exercises after surgery
language: en
version: 3
last reviewed: 2024-01-10
reviewer: Dr. Ana Lindqvist
review due: {due}
categories: Failed back / failed fusion syndrome
---
# Walk every day
Walk a little every day.
"""


def test_the_history_today_button_fills_in_the_practices_day(
    qtbot: QtBot, practice_in_pago_pago: ServiceContext, runner: Runner
) -> None:
    maria = create_patient(practice_in_pago_pago, MARIA, allow_duplicates=True)
    tab = SurgeryHistoryTab(practice_in_pago_pago, runner, maria.id)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitUntil(lambda: tab.loaded, timeout=WAIT_MS)
    dialog = tab.add_entry()
    assert isinstance(dialog, SurgeryDialog)
    button = next(
        b
        for b in dialog.findChildren(QPushButton)
        if b.accessibleName() == "Operative report received: today"
    )
    days = practice_days(button.click)
    typed = dialog.report_received_on.text()
    assert typed in {f"{day:%m/%d/%Y}" for day in days}, typed
    assert typed != f"{date.today():%m/%d/%Y}"  # not the computer's day


def test_the_packets_dialog_opens_on_the_practices_tomorrow(
    qtbot: QtBot, practice_in_pago_pago: ServiceContext, runner: Runner
) -> None:
    screen = ScreenContext(practice_in_pago_pago, runner)

    def open_dialog() -> PacketsDialog:
        dialog = PacketsDialog(screen)  # as the Handouts area opens it: no day given
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.providers_shown, timeout=WAIT_MS):
            dialog.show()
        return dialog

    before = practice_today()
    dialog = open_dialog()
    tomorrows = {day + timedelta(days=1) for day in {before, practice_today()}}
    assert dialog.day() in tomorrows, dialog.day()
    assert dialog.day() != date.today() + timedelta(days=1)  # not the computer's tomorrow
    assert dialog.day_edit.isEnabled() and dialog.save_button.isEnabled()


def test_the_handouts_list_counts_overdue_reviews_by_the_practices_day(
    qtbot: QtBot,
    practice_in_pago_pago: ServiceContext,
    runner: Runner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRONTDESK_HOME", str(tmp_path / "home"))
    due = practice_today()  # due today in the practice: not overdue yet
    (handouts.create_practice_folder() / "own-exercises.en.txt").write_text(
        OWN_HANDOUT.format(due=f"{due:%Y-%m-%d}"), encoding="utf-8"
    )
    area = HandoutsArea(ScreenContext(practice_in_pago_pago, runner))
    qtbot.addWidget(area)
    area.show()
    qtbot.waitUntil(lambda: area.model.rowCount() > 0, timeout=WAIT_MS)
    if practice_today() != due:
        pytest.skip("the practice's midnight passed during the test")
    row = next(i for i, r in enumerate(area.model.records) if r.id == "own-exercises")
    assert area.model.index(row, 3).data() == f"Due soon ({due:%m/%d/%Y})"
    assert "overdue" not in area.count_label.text()
    assert "1 due for review soon" in area.count_label.text()


def test_booking_and_finding_start_on_the_practices_day(
    qtbot: QtBot, practice_in_pago_pago: ServiceContext, runner: Runner
) -> None:
    screen = ScreenContext(practice_in_pago_pago, runner)
    before = practice_today()
    book = BookDialog(screen)
    finder = FindSlotDialog(screen)
    for dialog in (book, finder):
        qtbot.addWidget(dialog)
        dialog.show()
    qtbot.waitUntil(
        lambda: book.choices is not None and finder.choices is not None, timeout=WAIT_MS
    )
    days = {before, practice_today()}
    assert date_of(book.date) in days, date_of(book.date)
    assert date_of(finder.after) in days, date_of(finder.after)
    assert date_of(book.date) != date.today()  # not the computer's day


def test_a_handout_review_is_dated_the_practices_day(
    qtbot: QtBot,
    practice_in_pago_pago: ServiceContext,
    runner: Runner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRONTDESK_HOME", str(tmp_path / "home"))
    panel = HandoutReviewsPanel(ScreenContext(practice_in_pago_pago, runner))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.loaded, timeout=WAIT_MS)
    panel.table.selectRow(0)
    before = practice_today()
    dialog = panel.record_selected()
    assert dialog is not None
    qtbot.addWidget(dialog)
    typed = dialog.reviewed_on.text()
    assert typed in {f"{day:%m/%d/%Y}" for day in (before, practice_today())}, typed
    assert typed != f"{date.today():%m/%d/%Y}"  # not the computer's day


def forty_on_the_computers_day() -> date:
    """A birth date that makes one forty on the computer's day and still 39 on the
    practice's (a day or two before)."""
    computers_day = date.today()
    if (computers_day.month, computers_day.day) == (2, 29):
        pytest.skip("no birthday 40 years before a 29 February")
    return computers_day.replace(year=computers_day.year - 40)


def test_the_chart_gives_the_age_on_the_practices_day(
    qtbot: QtBot, practice_in_pago_pago: ServiceContext, runner: Runner
) -> None:
    born = forty_on_the_computers_day()
    patient = create_patient(
        practice_in_pago_pago,
        PatientForm(first_name="Ana", last_name="Ruiz", date_of_birth=born.isoformat()),
        allow_duplicates=True,
    )
    chart = PatientChart(ScreenContext(practice_in_pago_pago, runner), patient.id)
    qtbot.addWidget(chart)
    with qtbot.waitSignal(chart.loaded, timeout=WAIT_MS):
        chart.show()
    shown = chart.demographics.value("date_of_birth")
    assert shown == f"{born:%m/%d/%Y} (age 39)", shown


def test_search_results_give_the_age_on_the_practices_day(
    qtbot: QtBot, practice_in_pago_pago: ServiceContext, runner: Runner
) -> None:
    born = forty_on_the_computers_day()
    create_patient(
        practice_in_pago_pago,
        PatientForm(first_name="Ana", last_name="Ruiz", date_of_birth=born.isoformat()),
        allow_duplicates=True,
    )
    area = PatientsArea(ScreenContext(practice_in_pago_pago, runner), delay_ms=0)
    qtbot.addWidget(area)
    area.show()
    area.search_box.setText("ruiz")
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=WAIT_MS)
    assert area.model.index(0, AGE).data() == "39"


def test_the_age_beside_a_typed_birth_date_is_on_the_practices_day(
    qtbot: QtBot, practice_in_pago_pago: ServiceContext, runner: Runner
) -> None:
    born = forty_on_the_computers_day()
    editor = PatientEditor(ScreenContext(practice_in_pago_pago, runner))
    qtbot.addWidget(editor)
    editor.fields.edits["date_of_birth"].setText(f"{born:%m/%d/%Y}")
    hint = editor.fields.birth_hint.text()
    assert hint.endswith(f"{born.year} (age 39)"), hint


def test_the_export_file_is_named_for_the_practices_day(
    qtbot: QtBot,
    practice_in_pago_pago: ServiceContext,
    runner: Runner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offered: list[str] = []

    def get_save_file_name(parent: object, caption: str, start: str, _filter: str) -> tuple:
        offered.append(start)
        return "", ""  # cancelled: the name offered is what the test is about

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)
    desk = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(file_dialogs, "workstation_settings", lambda: desk)
    area = PatientsArea(ScreenContext(practice_in_pago_pago, runner))
    qtbot.addWidget(area)
    days = practice_days(area.export)
    name = Path(offered[-1]).name
    assert name in {f"patients-{day.isoformat()}.csv" for day in days}, name
    assert name != f"patients-{date.today().isoformat()}.csv"  # not the computer's day


def test_handouts_check_finds_reviews_overdue_by_the_practices_day(
    database_url: str,
    practice_in_pago_pago: ServiceContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FRONTDESK_HOME", str(tmp_path / "home"))
    due = practice_today()  # due today in the practice: not overdue yet (it is on the computer)
    folder = handouts.create_practice_folder()
    (folder / "own-exercises.en.txt").write_text(
        OWN_HANDOUT.format(due=f"{due:%Y-%m-%d}"), encoding="utf-8"
    )
    # Reviewed long ago and due a year ago: overdue on any clock, the sign the check ran.
    (folder / "old-exercises.en.txt").write_text(
        OWN_HANDOUT.format(due=f"{due.year - 1}-01-10").replace("own-", "old-"), encoding="utf-8"
    )
    run(["--database", database_url, "handouts", "check"])
    if practice_today() != due:
        pytest.skip("the practice's midnight passed during the test")
    out = capsys.readouterr().out
    assert "old-exercises.en.txt: review was due" in out, out
    assert "own-exercises.en.txt: review was due" not in out, out
