"""The Patients area: search as you type, latest results only, lazy pages, opening charts."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, QSettings, Qt
from pytestqt.qtbot import QtBot

from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.clock import today_in
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import search as patients_search
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm, SearchPage
from frontdesk.services.patients.search import DEFAULT_PAGE_SIZE
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.area import PatientsArea
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.search_model import NAME, PATIENT_ID_ROLE, PatientSearchModel
from frontdesk.ui.practice_day import PracticeDay
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import make_actor

# The offscreen platform the tests run on cannot do these; a real desktop can.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


def add_patient(
    context: ServiceContext, first: str, last: str, born: date, **extra: object
) -> PatientData:
    form = PatientForm(first_name=first, last_name=last, date_of_birth=born, **extra)  # type: ignore[arg-type]
    return create_patient(context, form, allow_duplicates=True)


def open_area(qtbot: QtBot, screen: ScreenContext, **kwargs: object) -> PatientsArea:
    area = PatientsArea(screen, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(area)
    area.resize(1000, 600)
    area.show()
    qtbot.waitExposed(area)
    return area


def type_and_wait(qtbot: QtBot, area: PatientsArea, text: str) -> None:
    with qtbot.waitSignal(
        area.results_shown, timeout=10_000, check_params_cb=lambda shown: shown == text
    ):
        qtbot.keyClicks(area.search_box, text)


def shown_names(area: PatientsArea) -> list[str]:
    model = area.model
    return [model.index(row, NAME).data() for row in range(model.rowCount())]


def settle(screen: ScreenContext) -> None:
    """Let every started call finish and deliver (or be dropped) on the UI thread."""
    screen.runner.wait_for_idle()
    for _ in range(5):
        QCoreApplication.processEvents()


@pytest.mark.ui_postgresql
def test_typing_nunez_mar_finds_both_marias(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    maria_jose = add_patient(
        context,
        "María José",
        "Núñez-García",
        date(1961, 3, 4),
        preferred_language="Spanish",
        interpreter_needed=True,
        mobile_phone="217-555-0142",
    )
    maria = add_patient(context, "Maria", "Nunez", date(1961, 4, 3))
    add_patient(context, "Pedro", "Nunez", date(1970, 1, 2))
    add_patient(context, "Maria", "Garcia", date(1980, 5, 6))
    area = open_area(qtbot, screen)

    type_and_wait(qtbot, area, "nunez mar")

    assert sorted(shown_names(area)) == ["Nunez, Maria", "Núñez-García, María José"]
    assert area.pages.currentWidget() is area.table
    row = area.model.row_of(maria_jose.id)
    cells = [area.model.index(row, column).data() for column in range(6)]
    assert cells == [
        "Núñez-García, María José",
        "03/04/1961",
        str(maria_jose.age(today_in(maria_jose.zone))),
        maria_jose.mrn,
        "(217) 555-0142",
        "Spanish — interpreter needed",
    ]
    assert area.model.row_of(maria.id) >= 0
    assert "2 patients" in area.status.text()


def test_typing_fast_shows_only_the_latest_results(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    add_patient(context, "Maria", "Nunez", date(1961, 4, 3))
    add_patient(context, "Nora", "Nash", date(1975, 2, 3))
    release_first = threading.Event()

    def search(text: str, cursor: str | None, limit: int) -> SearchPage:
        # The first letter's search is the slowest, so its result arrives last.
        if text == "n":
            release_first.wait(10)
        return patients_search.search(context, text, limit=limit, cursor=cursor)

    area = open_area(qtbot, screen, search=search)
    shown: list[str] = []
    area.results_shown.connect(shown.append)

    qtbot.keyClicks(area.search_box, "nunez")
    qtbot.waitUntil(lambda: shown == ["nunez"], timeout=10_000)
    release_first.set()
    settle(screen)

    assert shown == ["nunez"]
    assert area.model.text == "nunez"
    assert shown_names(area) == ["Nunez, Maria"]


def test_opening_the_area_reads_nothing(qtbot: QtBot, screen: ScreenContext) -> None:
    calls: list[str] = []

    def search(text: str, cursor: str | None, limit: int) -> SearchPage:
        calls.append(text)
        return patients_search.search(screen.services, text, limit=limit, cursor=cursor)

    area = open_area(qtbot, screen, search=search)
    settle(screen)

    assert calls == []
    assert area.pages.currentWidget() is area.start
    assert "date of birth" in area.start.text.text()


def test_results_load_page_by_page_on_scroll_without_repeats(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    created = {
        add_patient(
            context, f"Given{number:03d}", "Smithers", date(1950, 1, 1) + timedelta(days=number)
        ).id
        for number in range(120)
    }
    add_patient(context, "Anna", "Smith", date(1960, 1, 1))  # "smithers" must not find her
    area = open_area(qtbot, screen)
    type_and_wait(qtbot, area, "smithers")
    assert area.model.rowCount() == DEFAULT_PAGE_SIZE
    assert area.model.canFetchMore(QModelIndex())

    for expected in (100, 120):
        with qtbot.waitSignal(area.model.page_appended, timeout=10_000):
            area.table.scrollToBottom()
        assert area.model.rowCount() == expected

    ids = [area.model.index(row, NAME).data(PATIENT_ID_ROLE) for row in range(120)]
    assert len(set(ids)) == 120
    assert set(ids) == created
    assert not area.model.canFetchMore(QModelIndex())


def test_a_page_still_loading_is_dropped_when_a_new_search_replaces_the_list(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, qtmodeltester: object
) -> None:
    for number in range(60):
        add_patient(
            context, f"Given{number:02d}", "Kowalski", date(1960, 1, 1) + timedelta(days=number)
        )
    add_patient(context, "Olga", "Nowak", date(1970, 1, 1))

    def fetch(text: str, cursor: str | None) -> SearchPage:
        return patients_search.search(context, text, limit=50, cursor=cursor)

    model = PatientSearchModel(fetch, screen.runner, today=PracticeDay(context))
    model.show_page("kowalski", fetch("kowalski", None))
    model.fetchMore(QModelIndex())  # on its way...
    model.show_page("nowak", fetch("nowak", None))  # ...but the user typed something else
    settle(screen)

    assert [model.summary(row).last_name for row in range(model.rowCount())] == ["Nowak"]
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_the_search_model_passes_the_model_tester(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, qtmodeltester: object
) -> None:
    for number in range(8):
        add_patient(context, f"Given{number}", "Lee", date(1960, 1, 1) + timedelta(days=number))

    def fetch(text: str, cursor: str | None) -> SearchPage:
        return patients_search.search(context, text, limit=5, cursor=cursor)

    model = PatientSearchModel(fetch, screen.runner, today=PracticeDay(context))
    model.show_page("lee", fetch("lee", None))
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    settle(screen)
    assert model.rowCount() == 8


def test_names_with_markup_show_as_typed(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    add_patient(context, "<b>x</b>", "Tagg", date(1980, 1, 1))
    area = open_area(qtbot, screen)
    type_and_wait(qtbot, area, "tagg")
    assert shown_names(area) == ["Tagg, <b>x</b>"]


def test_no_match_says_what_to_do(qtbot: QtBot, screen: ScreenContext) -> None:
    area = open_area(qtbot, screen)
    type_and_wait(qtbot, area, "zzyzx")
    assert area.pages.currentWidget() is area.nothing
    assert "zzyzx" in area.nothing.text.text()
    assert "Ctrl+N" in area.nothing.text.text()


def test_enter_opens_the_highlighted_chart(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    patient = add_patient(context, "Seán", "O'Connor", date(1958, 9, 17))
    area = open_area(qtbot, screen)
    type_and_wait(qtbot, area, "oconnor")

    with qtbot.waitSignal(area.chart_opened, timeout=5000) as opened:
        qtbot.keyClick(area.search_box, Qt.Key.Key_Return)
    chart = opened.args[0]
    assert isinstance(chart, PatientChart)
    qtbot.waitUntil(lambda: chart.patient is not None, timeout=10_000)
    assert chart.patient.id == patient.id  # type: ignore[union-attr]
    chart.close()
    settle(screen)  # the closed chart is deleted while the area lives


def test_the_list_refreshes_when_patients_change(
    qtbot: QtBot, database: object, context: ServiceContext
) -> None:
    hub = ChangeHub(context, watch_other_workstations=False)
    hub.start()
    runner = Runner()
    screen = ScreenContext(context, runner, hub)
    try:
        add_patient(context, "Ada", "Quinlan", date(1950, 2, 2))
        area = open_area(qtbot, screen)
        type_and_wait(qtbot, area, "quinlan")
        assert shown_names(area) == ["Quinlan, Ada"]

        with qtbot.waitSignal(area.results_shown, timeout=10_000):
            add_patient(context, "Bea", "Quinlan", date(1952, 3, 3))
        assert shown_names(area) == ["Quinlan, Ada", "Quinlan, Bea"]
    finally:
        hub.stop()
        runner.wait_for_idle()


def test_merge_import_and_export_are_offered_to_administrators_only(
    qtbot: QtBot, context: ServiceContext
) -> None:
    runner = Runner()
    admin = open_area(qtbot, ScreenContext(context, runner))
    desk = open_area(
        qtbot, ScreenContext(context.as_actor(make_actor(Role.FRONT_DESK, "fd.user")), runner)
    )
    assert admin.tools_button.isVisible()
    assert all(
        action.isVisible()
        for action in (admin.import_action, admin.export_action, admin.merge_action)
    )
    assert not desk.tools_button.isVisible()
    assert not any(
        action.isVisible() for action in (desk.import_action, desk.export_action, desk.merge_action)
    )
    assert desk.open_merge() is None
    assert desk.open_import() is None and desk.export() is None

    wizard = admin.open_import()
    assert wizard is not None and wizard.isVisible()
    wizard.close()
    runner.wait_for_idle()
    QCoreApplication.processEvents()  # the closed wizard is deleted while the area lives


def test_ctrl_f_and_ctrl_n_reach_the_patients_area(
    qtbot: QtBot, screen: ScreenContext, tmp_path: object
) -> None:
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)  # type: ignore[operator]
    window = MainWindow(screen, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_area("patients")
    area = window.current_area()
    assert isinstance(area, PatientsArea)
    window.activateWindow()

    window.find_action.trigger()
    qtbot.waitUntil(area.search_box.hasFocus, timeout=5000)
    window.new_action.trigger()
    assert area.editor is not None and area.editor.isVisible()
    area.editor.reject()  # nothing typed: closes without asking
    qtbot.waitUntil(lambda: area.editor is None, timeout=5000)
    settle(screen)
