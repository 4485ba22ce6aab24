"""The patient chart (header, tabs, audit of opening, editing) and the merge tool."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.patients.merge import merge_patients
from frontdesk.services.patients.search import search
from frontdesk.services.platform import audit_trail
from frontdesk.services.platform.audit_trail import AuditFilter
from frontdesk.services.requests.intake import create_request
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.merge import MergeDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.empty_state import EmptyState
from tests.conftest import make_actor
from tests.helpers.screens import desk_style
from tests.requests.conftest import maria_intake

# The offscreen platform the tests run on cannot do these; a real desktop can.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


def birthday_years_ago(years: int, days_later: int = 0) -> date:
    today = date.today()
    try:
        born = today.replace(year=today.year - years)
    except ValueError:  # February 29
        born = today.replace(year=today.year - years, day=28)
    return date.fromordinal(born.toordinal() + days_later)


def open_chart(qtbot: QtBot, screen: ScreenContext, patient_id: int) -> PatientChart:
    chart = PatientChart(screen, patient_id)
    qtbot.addWidget(chart)
    with qtbot.waitSignal(chart.loaded, timeout=10_000):
        chart.show()
    return chart


def test_the_header_shows_who_this_is_and_the_demographics_tab(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    # Born 40 years ago tomorrow: still 39 today.
    born = birthday_years_ago(40, days_later=1)
    patient = create_patient(
        context,
        PatientForm(
            first_name="María José",
            last_name="Núñez-García",
            date_of_birth=born,
            mobile_phone="+1 217 555 0142",
            preferred_language="Spanish",
            interpreter_needed=True,
            city="Springfield",
            state="IL",
            notes="Prefers mornings.",
        ),
    )
    chart = open_chart(qtbot, screen, patient.id)

    assert chart.name.text() == "Núñez-García, María José"
    assert chart.facts["age"].text() == "39"
    assert chart.facts["date_of_birth"].text() == born.strftime("%m/%d/%Y")
    assert chart.facts["mrn"].text() == patient.mrn
    assert chart.facts["phone"].text() == "(217) 555-0142"
    assert chart.facts["language"].text() == "Spanish — interpreter needed"
    assert chart.alerts() == ["Interpreter needed (Spanish)"]
    titles = [chart.tabs.tabText(i).replace("&", "") for i in range(chart.tabs.count())]
    assert titles == [
        "Demographics",
        "Requests",
        "Appointments",
        "Surgery history",
        "Imaging",
        "Handouts given",
        "Timeline",
        "Faxes",
    ]
    assert chart.tabs.currentWidget() is chart.demographics
    assert chart.demographics.value("mobile_phone") == "(217) 555-0142"
    assert chart.demographics.value("address") == "Springfield, IL"
    assert chart.demographics.value("notes") == "Prefers mornings."
    assert chart.demographics.value("email") == "—"
    history_parts = (chart.surgery_history, chart.imaging, chart.timeline)
    for index in range(1, chart.tabs.count()):
        later = chart.tabs.widget(index)
        if later in history_parts:
            continue  # filled by the history part (tests/history)
        if later is chart.handouts_given:
            continue  # filled by the handouts part (tests/handouts)
        if later is chart.requests_tab:
            continue  # filled by the requests part (tests/requests)
        if later is chart.appointments_tab:
            continue  # filled by the scheduling part (tests/scheduling)
        if later is chart.faxes:
            continue  # filled by the inbox part (tests/inbox)
        assert isinstance(later, EmptyState)
        assert "once" in later.text.text()  # says honestly when it will be filled


def test_opening_a_chart_is_recorded_in_the_audit_trail(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    patient = create_patient(
        context, PatientForm(first_name="Ada", last_name="Quinlan", date_of_birth="2/2/1950")
    )
    views = AuditFilter(patient_id=patient.id, action="view")
    assert audit_trail.count_entries(context, views) == 0
    open_chart(qtbot, screen, patient.id)
    assert audit_trail.count_entries(context, views) == 1


def test_markup_in_a_name_shows_as_plain_text(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    patient = create_patient(
        context, PatientForm(first_name="<b>x</b>", last_name="Tagg", date_of_birth="1/1/1980")
    )
    chart = open_chart(qtbot, screen, patient.id)
    assert chart.name.text() == "Tagg, <b>x</b>"
    for label in chart.findChildren(QLabel):
        if "<b>" in label.text():
            assert label.textFormat() == Qt.TextFormat.PlainText


def test_ctrl_e_edits_and_the_chart_shows_the_saved_change(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    patient = create_patient(
        context, PatientForm(first_name="Ada", last_name="Quinlan", date_of_birth="2/2/1950")
    )
    chart = open_chart(qtbot, screen, patient.id)
    assert chart.alerts() == ["No phone number on file"]
    chart.activateWindow()
    editor = chart.edit()
    assert editor is not None and editor.isVisible()
    editor.fields.edits["home_phone"].setText("217-555-0100")
    with qtbot.waitSignal(chart.loaded, timeout=10_000):
        editor.save()
    assert chart.facts["phone"].text() == "(217) 555-0100"
    assert chart.alerts() == []


def test_a_clinical_user_who_may_edit_sees_edit_but_a_chart_is_read_only_when_merged(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    keep = create_patient(
        context, PatientForm(first_name="Robert", last_name="Smith", date_of_birth="1/2/1950")
    )
    gone = create_patient(
        context,
        PatientForm(first_name="Bob", last_name="Smith", date_of_birth="1/2/1950"),
        allow_duplicates=True,
    )
    merge_patients(context, keep.id, gone.id)
    chart = open_chart(qtbot, screen, gone.id)
    assert chart.alerts()[0].startswith(f"Merged into chart {keep.mrn}")
    assert chart.edit() is None
    with qtbot.waitSignal(chart.open_chart_requested, timeout=5000) as requested:
        chart.banner.action.click()
    assert requested.args == [keep.id]


def _two_smiths(context: ServiceContext) -> tuple[PatientData, PatientData]:
    keep = create_patient(
        context,
        PatientForm(
            first_name="Robert",
            last_name="Smith",
            date_of_birth="1/2/1950",
            mobile_phone="217-555-0101",
        ),
    )
    gone = create_patient(
        context,
        PatientForm(
            first_name="Bob",
            last_name="Smith",
            date_of_birth="1/2/1950",
            email="bob@example.com",
        ),
        allow_duplicates=True,
    )
    return keep, gone


def test_the_merge_tool_compares_confirms_naming_what_moves_and_merges(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, qtmodeltester: object
) -> None:
    keep, gone = _two_smiths(context)
    dialog = MergeDialog(screen)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.merge_button.isEnabled()
    with qtbot.waitSignal(dialog.keep.picked, timeout=10_000):
        dialog.keep.load(keep.id)
    with qtbot.waitSignal(dialog.gone.picked, timeout=10_000):
        dialog.gone.load(gone.id)
    qtmodeltester.check(dialog.comparison)  # type: ignore[attr-defined]
    assert dialog.comparison.titles == [f"Keep: {keep.mrn}", f"Merge into it: {gone.mrn}"]
    assert dialog.comparison.cell(1, 0) == "Smith, Robert"
    assert dialog.comparison.cell(1, 1) == "Smith, Bob"
    assert dialog.merge_button.isEnabled()

    question = dialog.confirm()
    assert question is not None
    assert gone.mrn in question.text() and keep.mrn in question.text()
    assert "appointments" in question.informativeText()
    assert "cannot be undone" in question.informativeText()
    go = next(b for b in question.buttons() if b.text().startswith("Merge"))
    with qtbot.waitSignal(dialog.merged, timeout=10_000) as merged:
        go.click()
    result = merged.args[0]
    assert result.kept.id == keep.id and result.merged_mrn == gone.mrn
    assert result.kept.email == "bob@example.com"  # filled from the merged chart
    assert [item.id for item in search(context, "smith").items] == [keep.id]
    assert dialog.banner.text.startswith(f"Merged {gone.mrn} into {keep.mrn}")


def test_the_merge_tool_refuses_non_administrators(qtbot: QtBot, context: ServiceContext) -> None:
    keep, gone = _two_smiths(context)
    runner = Runner()
    desk = ScreenContext(context.as_actor(make_actor(Role.FRONT_DESK, "fd.user")), runner)
    dialog = MergeDialog(desk)
    qtbot.addWidget(dialog)
    dialog.keep.set_patient(keep)
    dialog.gone.set_patient(gone)
    assert not dialog.merge_button.isEnabled()
    assert dialog.confirm() is None
    assert "administrator" in dialog.banner.text
    runner.wait_for_idle()


def test_the_header_reads_whole_as_soon_as_the_chart_has_loaded(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    """At 150% on a 1080p desk the header read "Ag 65 DO 03 MR MC Pho (51 Langu Span" and the
    address lost its "US" line: the fields kept the sizes they had while empty until later
    layout passes caught up. The chart is laid out with its values when it says it loaded."""
    patient = create_patient(
        context,
        PatientForm(
            first_name="María José",
            last_name="Núñez-García",
            date_of_birth="03/04/1961",
            mobile_phone="515 792 4027",
            preferred_language="Spanish",
            interpreter_needed=True,
            address_line1="2839 Park Pl",
            city="Champaign",
            state="IL",
            postal_code="61818",
            country="US",
        ),
    )
    seen: dict[str, tuple[int, int]] = {}

    def measure(_patient: PatientData) -> None:
        for label in chart.facts_box.findChildren(QLabel):
            advance = label.fontMetrics().horizontalAdvance(label.text())
            seen[label.text()] = (label.width(), advance)
        address = chart.demographics.values["address"]
        seen[address.text()] = (address.height(), address.heightForWidth(address.width()))

    with desk_style():
        chart = PatientChart(screen, patient.id)
        qtbot.addWidget(chart)
        chart.loaded.connect(measure)
        chart.resize(1040, 660)
        with qtbot.waitSignal(chart.loaded, timeout=10_000):
            chart.show()

    assert len(seen) == 11  # five captions, their values, the address
    assert "2839 Park Pl\nChampaign, IL 61818\nUS" in seen
    for text, (room, needed) in seen.items():
        assert room >= needed, text


def test_the_chart_warns_of_a_red_flag_on_an_open_request(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    """Ctrl+K said "Red flag on an open request"; the chart it opened said nothing."""
    flagged = create_request(context, maria_intake(red_flags=("bladder_bowel",)))
    calm = create_request(
        context,
        maria_intake(
            first_name="Ada", last_name="Quinlan", date_of_birth="2/2/1950", phone="(217) 555-0100"
        ),
    )
    chart = open_chart(qtbot, screen, flagged.patient_id)
    assert "Red flag on an open request" in chart.alerts()
    assert "Red flag on an open request" not in open_chart(qtbot, screen, calm.patient_id).alerts()
