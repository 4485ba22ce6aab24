"""Admin → Scheduling: appointment types, weekly availability, time away and the practice's
time zone, with real widgets on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.domain.scheduling import ExceptionKind, Weekday
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.forms import LocationForm, PracticeProfileForm, ProviderForm
from frontdesk.services.practice.locations import list_locations, save_location
from frontdesk.services.practice.profile import get_profile, save_profile
from frontdesk.services.practice.providers import list_providers, save_provider
from frontdesk.services.scheduling import appointment_types, availability, time_away
from frontdesk.services.scheduling.data import (
    AppointmentTypeForm,
    AvailabilityData,
    AvailabilityForm,
)
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.admin.profile_editor import ProfileEditor
from frontdesk.ui.admin.scheduling_availability import AvailabilityDialog, AvailabilityPanel
from frontdesk.ui.admin.scheduling_away import TimeAwayDialog, TimeAwayPanel
from frontdesk.ui.admin.scheduling_types import AppointmentTypeDialog, AppointmentTypesPanel
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import make_actor
from tests.discard_question import DISCARD, KEEP, answer_discard_question

PROFILE = PracticeProfileForm(
    name="Prairie Spine Center", main_phone="(217) 555-0100", time_zone="America/Chicago"
)
OKAFOR = "Adaeze Okafor, MD"


@pytest.fixture
def set_up(context: ServiceContext) -> ServiceContext:
    """Two surgeons, two offices, the usual appointment types, no availability yet."""
    save_profile(context, PROFILE, None)
    for first, last in (("Adaeze", "Okafor"), ("Erik", "Lindqvist")):
        save_provider(context, ProviderForm(first_name=first, last_name=last, credentials="MD"))
    for name in ("Main office", "Second office"):
        save_location(context, LocationForm(name=name))
    appointment_types.install_default_types(context)
    return context


@pytest.fixture
def screen(set_up: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    hub = ChangeHub(set_up)
    hub.start()
    yield ScreenContext(set_up, runner, hub)
    hub.stop()
    runner.wait_for_idle()


def ids(context: ServiceContext) -> tuple[dict[str, int], dict[str, int]]:
    providers = {p.display_name: p.id for p in list_providers(context)}
    locations = {loc.name: loc.id for loc in list_locations(context)}
    return providers, locations


def row_texts(panel: object, row: int) -> list[str]:
    model = panel.model  # type: ignore[attr-defined]
    return [model.index(row, column).data() for column in range(model.columnCount())]


def ready(qtbot: QtBot, panel: object) -> None:
    qtbot.waitUntil(
        lambda: panel.loaded and getattr(panel, "choices", True) is not None,  # type: ignore[attr-defined]
        timeout=10_000,
    )


def pick(combo: object, text: str) -> None:
    index = combo.findText(text)  # type: ignore[attr-defined]
    assert index >= 0, text
    combo.setCurrentIndex(index)  # type: ignore[attr-defined]


PanelT = TypeVar("PanelT", bound=QWidget)


def open_panel(qtbot: QtBot, panel: PanelT) -> PanelT:
    qtbot.addWidget(panel)
    ready(qtbot, panel)
    return panel


def okafor_monday_morning(context: ServiceContext) -> AvailabilityData:
    """Dr. Okafor's weekly Monday 8:00–12:00 at the main office."""
    providers, locations = ids(context)
    return availability.save_availability(
        context, AvailabilityForm(providers[OKAFOR], locations["Main office"], 0, "8:00", "12:00")
    )


# Appointment types ----------------------------------------------------------------------


def test_a_new_appointment_type_is_saved_and_listed_with_its_colour(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    panel = open_panel(qtbot, AppointmentTypesPanel(screen))
    assert panel.model.rowCount() == 5
    panel.new_record()
    dialog = panel.dialog
    assert isinstance(dialog, AppointmentTypeDialog)
    qtbot.keyClicks(dialog.name, "Spine injection")
    qtbot.keyClicks(dialog.minutes, "30")
    dialog.colour.set_colour("#aa3311")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(dialog.minutes, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(lambda: panel.model.rowCount() == 6, timeout=10_000)
    names = [panel.model.index(r, 0).data() for r in range(6)]
    row = names.index("Spine injection")
    assert row_texts(panel, row) == ["Spine injection", "30", "#AA3311", "", "Active"]
    swatch = panel.model.index(row, 2).data(Qt.ItemDataRole.DecorationRole)
    assert swatch is not None and not swatch.isNull()
    assert "Saved appointment type “Spine injection”" in panel.banner.text
    saved = {t.name: t for t in appointment_types.list_appointment_types(set_up)}
    assert (saved["Spine injection"].duration_minutes, saved["Spine injection"].colour) == (
        30,
        "#AA3311",
    )


@pytest.mark.parametrize(
    ("minutes", "message"),
    [("0", "Between 5 and 480 minutes"), ("half an hour", "A whole number of minutes")],
)
def test_bad_minutes_are_marked_next_to_the_field_and_nothing_is_saved(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext, minutes: str, message: str
) -> None:
    panel = open_panel(qtbot, AppointmentTypesPanel(screen))
    dialog = panel.open_dialog(None)
    dialog.name.setText("Spine injection")  # type: ignore[attr-defined]
    dialog.minutes.setText(minutes)  # type: ignore[attr-defined]
    dialog.save()
    field_message = dialog.fields.message("duration_minutes")
    qtbot.waitUntil(field_message.isVisible, timeout=10_000)
    assert field_message.text() == message
    assert dialog.banner.kind == "error" and dialog.isVisible()
    assert len(appointment_types.list_appointment_types(set_up, include_inactive=True)) == 5


def test_editing_a_type_someone_else_just_changed_is_refused_and_keeps_the_text(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    panel = open_panel(qtbot, AppointmentTypesPanel(screen))
    follow_up = next(t for t in panel.model.records if t.name == "Follow-up")
    panel.table.selectRow(panel.model.row_of(follow_up.id))
    panel.edit_selected()
    dialog = panel.dialog
    assert isinstance(dialog, AppointmentTypeDialog)
    assert dialog.minutes.text() == "15"
    other = set_up.as_actor(make_actor(username="bob"))
    appointment_types.save_appointment_type(
        other,
        AppointmentTypeForm("Follow-up", 20, follow_up.colour),
        follow_up.id,
        follow_up.version,
    )
    dialog.minutes.setText("25")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.banner.kind == "error", timeout=10_000)
    assert "bob changed" in dialog.banner.text and dialog.minutes.text() == "25"
    current = {t.name: t for t in appointment_types.list_appointment_types(set_up)}
    assert current["Follow-up"].duration_minutes == 20


def test_an_empty_list_offers_the_usual_types(
    qtbot: QtBot, context: ServiceContext, backend: str
) -> None:
    runner = Runner()
    try:
        panel = AppointmentTypesPanel(ScreenContext(context, runner))
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitUntil(lambda: panel.loaded, timeout=10_000)
        assert panel.pages.currentWidget() is panel.empty
        assert panel.defaults_button.isVisible()
        qtbot.mouseClick(panel.defaults_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.model.rowCount() == 5, timeout=10_000)
        assert not panel.defaults_button.isVisible()
        assert panel.model.index(0, 0).data() == "Follow-up"
    finally:
        runner.wait_for_idle()


def test_the_types_table_model_is_a_well_behaved_qt_model(
    qtbot: QtBot, qtmodeltester: object, screen: ScreenContext
) -> None:
    panel = open_panel(qtbot, AppointmentTypesPanel(screen))
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]


# Weekly availability --------------------------------------------------------------------


def open_new_block(qtbot: QtBot, panel: AvailabilityPanel) -> AvailabilityDialog:
    panel.new_record()
    dialog = panel.dialog
    assert isinstance(dialog, AvailabilityDialog)
    return dialog


def test_a_monday_morning_block_is_saved_and_shown_for_the_provider(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    providers, locations = ids(set_up)
    panel = open_panel(qtbot, AvailabilityPanel(screen))
    assert panel.pages.currentWidget() is panel.empty
    assert panel.provider_picker is not None
    pick(panel.provider_picker, OKAFOR)
    dialog = open_new_block(qtbot, panel)
    assert dialog.provider.currentText() == OKAFOR  # the provider being looked at
    pick(dialog.weekday, "Monday")
    qtbot.keyClicks(dialog.start, "8:00")
    qtbot.keyClicks(dialog.end, "12:00")
    pick(dialog.location, "Main office")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(dialog.end, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    assert row_texts(panel, 0) == [
        OKAFOR,
        "Monday",
        "08:00–12:00",
        "Main office",
        "Every type",
        "Every week",
    ]
    (block,) = availability.list_availability(set_up)
    assert (block.provider_id, block.location_id, block.weekday) == (
        providers[OKAFOR],
        locations["Main office"],
        Weekday.MONDAY,
    )
    assert (block.start_minute, block.end_minute, block.type_ids) == (480, 720, ())

    # Another provider's list does not show it.
    pick(panel.provider_picker, "Erik Lindqvist, MD")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=10_000)


def test_an_overlapping_block_is_refused_next_to_the_start_time(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    okafor_monday_morning(set_up)
    panel = open_panel(qtbot, AvailabilityPanel(screen))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    pick(panel.provider_picker, OKAFOR)  # type: ignore[arg-type]
    dialog = open_new_block(qtbot, panel)
    pick(dialog.weekday, "Monday")
    dialog.start.setText("11:00")
    dialog.end.setText("13:00")
    pick(dialog.location, "Second office")
    dialog.save()
    message = dialog.fields.message("start")
    qtbot.waitUntil(message.isVisible, timeout=10_000)
    assert message.text() == "This provider already has availability that overlaps these hours"
    assert dialog.isVisible() and dialog.start.text() == "11:00"
    assert len(availability.list_availability(set_up)) == 1


def test_a_block_for_some_types_and_weeks_and_a_date_that_is_no_date(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    panel = open_panel(qtbot, AvailabilityPanel(screen))
    dialog = open_new_block(qtbot, panel)
    pick(dialog.provider, OKAFOR)
    pick(dialog.weekday, "Thursday")
    dialog.start.setText("1:00 pm")
    dialog.end.setText("17:00")
    pick(dialog.location, "Second office")
    dialog.every_type.setChecked(False)
    assert dialog.types.isEnabled()
    dialog.valid_from.setText("2027-02-30")
    dialog.save()
    # Nothing ticked and an impossible date: both marked at once, nothing sent.
    types_message = dialog.fields.message("types")
    qtbot.waitUntil(types_message.isVisible, timeout=10_000)
    assert types_message.text() == "Tick at least one type, or accept every type"
    assert "not a real date" in dialog.fields.message("valid_from").text()
    assert availability.list_availability(set_up) == []

    new_consultation = next(t for t in panel.choices.types if t.name == "New consultation")  # type: ignore[union-attr]
    dialog.set_types({new_consultation.id})
    dialog.valid_from.setText("1/7/2027")
    dialog.valid_until.setText("6/24/2027")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    assert row_texts(panel, 0)[2:] == [
        "13:00–17:00",
        "Second office",
        "New consultation",
        "01/07/2027–06/24/2027",
    ]
    (block,) = availability.list_availability(set_up)
    assert block.type_ids == (new_consultation.id,)
    assert (block.valid_from, block.valid_until) == (date(2027, 1, 7), date(2027, 6, 24))


def test_deleting_a_block_asks_naming_it_and_removes_it(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    okafor_monday_morning(set_up)
    panel = open_panel(qtbot, AvailabilityPanel(screen))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    panel.table.selectRow(0)
    assert panel.delete_button.isEnabled()
    questions: list[str] = []
    answers = [False, True]

    def answer(record: object) -> bool:
        questions.append(panel.delete_question(record))  # type: ignore[arg-type]
        return answers.pop(0)

    monkeypatch.setattr(panel, "confirm_delete", answer)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)  # Delete key: asks; "Cancel" keeps it
    assert len(questions) == 1
    assert len(availability.list_availability(set_up)) == 1
    assert panel.delete_button.isEnabled()
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=10_000)
    assert questions[0] == questions[1]
    assert (
        f"Delete {OKAFOR}'s weekly availability, Monday 08:00–12:00 at Main office?"
        in (questions[0])
    )
    assert "stay booked" in questions[0]
    assert availability.list_availability(set_up) == []
    assert panel.banner.kind == "success"


def test_deleting_a_block_another_desk_already_deleted_says_so_and_refreshes(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    block = okafor_monday_morning(set_up)
    panel = open_panel(qtbot, AvailabilityPanel(screen))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    panel.table.selectRow(0)
    availability.delete_availability(set_up.as_actor(make_actor(username="bob")), block.id)
    monkeypatch.setattr(panel, "confirm_delete", lambda _record: True)
    panel.delete_selected()
    qtbot.waitUntil(lambda: panel.banner.kind == "error", timeout=10_000)
    assert panel.banner.text.startswith("Not deleted. There is no availability block")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=10_000)


# Time away ------------------------------------------------------------------------------


def test_a_vacation_and_a_part_day_surgery_day_are_saved_and_listed(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    first = date.today() + timedelta(days=30)
    last = first + timedelta(days=4)
    panel = open_panel(qtbot, TimeAwayPanel(screen))
    assert "No time away ahead" in panel.empty.title.text()
    pick(panel.provider_picker, OKAFOR)  # type: ignore[arg-type]
    panel.new_record()
    dialog = panel.dialog
    assert isinstance(dialog, TimeAwayDialog)
    assert dialog.provider.currentText() == OKAFOR
    assert not dialog.start.isEnabled()  # whole days until unticked
    qtbot.keyClicks(dialog.starts_on, f"{first:%m/%d/%Y}")
    qtbot.keyClicks(dialog.ends_on, f"{last:%m/%d/%Y}")
    dialog.note.setPlainText("Family trip")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(dialog.ends_on, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    assert row_texts(panel, 0) == [
        OKAFOR,
        "Vacation",
        f"{first:%m/%d/%Y}–{last:%m/%d/%Y}",
        "Whole days",
        "Family trip",
    ]

    panel.new_record()
    surgery = panel.dialog
    assert isinstance(surgery, TimeAwayDialog)
    pick(surgery.kind, "Surgery day")
    surgery.starts_on.setText(f"{last + timedelta(days=3):%Y-%m-%d}")
    surgery.whole_days.setChecked(False)
    surgery.start.setText("13:00")
    surgery.save()
    message = surgery.fields.message("end")
    qtbot.waitUntil(message.isVisible, timeout=10_000)
    assert "give both times" in message.text().lower()
    surgery.end.setText("17:00")
    with qtbot.waitSignal(surgery.saved, timeout=10_000):
        surgery.save()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=10_000)
    assert row_texts(panel, 1)[1:4] == [
        "Surgery day",
        f"{last + timedelta(days=3):%a %m/%d/%Y}",
        "13:00–17:00 each day",
    ]
    saved = time_away.list_exceptions(set_up)
    assert [(e.kind, e.start_minute, e.end_minute) for e in saved] == [
        (ExceptionKind.VACATION, None, None),
        (ExceptionKind.SURGERY_DAY, 780, 1020),
    ]


def test_a_last_day_before_the_first_is_marked_and_nothing_is_saved(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    panel = open_panel(qtbot, TimeAwayPanel(screen))
    dialog = panel.open_dialog(None)
    assert isinstance(dialog, TimeAwayDialog)
    dialog.starts_on.setText("7/10/2027")
    dialog.ends_on.setText("7/6/2027")
    dialog.save()
    message = dialog.fields.message("ends_on")
    qtbot.waitUntil(message.isVisible, timeout=10_000)
    assert message.text() == "The last day is before the first"
    assert time_away.list_exceptions(set_up) == []


# Time zone ------------------------------------------------------------------------------


def test_the_practice_time_zone_is_saved_and_an_unknown_zone_is_refused_in_place(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    editor = ProfileEditor(screen)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.version is not None, timeout=10_000)
    zone = editor.fields.time_zone
    assert zone.zone() == "America/Chicago"

    zone.setEditText("Mars/Olympus_Mons")
    editor.save()
    message = editor.fields.fields.message("time_zone")
    qtbot.waitUntil(message.isVisible, timeout=10_000)
    assert message.text() == "'Mars/Olympus_Mons' is not a time zone (for example America/Chicago)"
    saved = get_profile(set_up)
    assert saved is not None and saved.time_zone == "America/Chicago"

    # Typed rather than picked (typing would open the completer's popup, which the
    # offscreen platform warns about).
    zone.setEditText("America/Denver")
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.keyClick(zone.lineEdit(), Qt.Key.Key_Return)  # type: ignore[arg-type]
    assert not message.isVisible()
    saved = get_profile(set_up)
    assert saved is not None and saved.time_zone == "America/Denver"


def test_typing_part_of_a_zone_offers_the_matching_zones(qtbot: QtBot) -> None:
    from frontdesk.ui.admin.scheduling_zone import TimeZoneCombo

    combo = TimeZoneCombo()
    qtbot.addWidget(combo)
    completer = combo.completer()
    completer.setCompletionPrefix("chicago")
    matches = [
        completer.completionModel().index(row, 0).data()
        for row in range(completer.completionCount())
    ]
    assert "America/Chicago" in matches
    assert all("chicago" in match.lower() for match in matches)


def test_the_service_refuses_an_unknown_time_zone_for_the_time_zone_field(
    set_up: ServiceContext,
) -> None:
    profile = get_profile(set_up)
    assert profile is not None
    with pytest.raises(ValidationError) as refused:
        save_profile(
            set_up,
            PracticeProfileForm(name=profile.name, main_phone="217-555-0100", time_zone="Chicago"),
            profile.version,
        )
    assert set(refused.value.fields) == {"time_zone"}
    blank = save_profile(
        set_up,
        PracticeProfileForm(name=profile.name, main_phone="217-555-0100", time_zone=" "),
        profile.version,
    )
    assert blank.time_zone == ""  # blank: the computer's own zone


# Who may edit ---------------------------------------------------------------------------


def test_front_desk_staff_see_the_scheduling_setup_read_only(
    qtbot: QtBot, set_up: ServiceContext
) -> None:
    okafor_monday_morning(set_up)
    desk = set_up.as_actor(make_actor(Role.FRONT_DESK, "desk"))
    runner = Runner()
    try:
        area = AdminArea(ScreenContext(desk, runner))
        qtbot.addWidget(area)
        area.show()
        area.tabs.setCurrentWidget(area.scheduling)
        setup = area.scheduling
        for panel in (setup.types, setup.availability, setup.away):
            ready(qtbot, panel)
            assert panel.new_button.isHidden() and panel.edit_button.isHidden()
            assert "Only an administrator" in panel.banner.text
        for panel in (setup.availability, setup.away):
            assert panel.delete_button.isHidden()
        assert setup.types.model.rowCount() == 5
        qtbot.waitUntil(lambda: setup.availability.model.rowCount() == 1)
        setup.tabs.setCurrentWidget(setup.availability)
        setup.availability.table.selectRow(0)
        assert area.new_item() is True
        setup.availability.edit_selected()
        setup.availability.delete_selected()
        assert setup.availability.dialog is None
        assert len(availability.list_availability(set_up)) == 1
        qtbot.waitUntil(lambda: area.profile.version is not None, timeout=10_000)
        assert not area.profile.fields.time_zone.isEnabled()
    finally:
        runner.wait_for_idle()


def test_escape_on_an_edited_block_asks_before_discarding(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    panel = open_panel(qtbot, AvailabilityPanel(screen))
    dialog = panel.open_dialog(None)
    assert isinstance(dialog, AvailabilityDialog)
    qtbot.keyClicks(dialog.start, "9:00")
    qtbot.keyClick(dialog.start, Qt.Key.Key_Escape)
    answer_discard_question(dialog, KEEP)
    assert dialog.isVisible() and dialog.start.text() == "9:00"
    qtbot.keyClick(dialog.start, Qt.Key.Key_Escape)
    with qtbot.waitSignal(dialog.finished) as finished:
        answer_discard_question(dialog, DISCARD)
    assert finished.args == [QDialog.DialogCode.Rejected.value]


def test_messages_under_the_fields_make_the_editor_taller_not_overlapping(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    """At 150% an overlap message pushed the types list under its own hint: the window kept
    its height and the rows ran into each other. Messages now make the window grow."""
    panel = open_panel(qtbot, AvailabilityPanel(screen))
    dialog = open_new_block(qtbot, panel)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.resize(dialog.width(), dialog.minimumSizeHint().height())
    refusal = ValidationError(
        {
            "start": "This provider already has availability that overlaps these hours",
            "end": "The end must be after the start",
            "types": "Tick at least one appointment type, or every type",
            "valid_from": "Not a date: try 3/4/2027",
        }
    )
    dialog.save_error(refusal)
    qtbot.waitUntil(lambda: dialog.fields.message("types").isVisible())
    shown = [
        widget
        for widget in dialog.findChildren(QWidget)
        if widget.isVisible() and widget.parentWidget() is dialog
    ]
    boxes = {widget: widget.geometry() for widget in shown}
    overlapping = [
        (a.objectName() or type(a).__name__, b.objectName() or type(b).__name__)
        for a in shown
        for b in shown
        if a is not b and boxes[a].intersects(boxes[b]) and id(a) < id(b)
    ]
    assert overlapping == []
    assert dialog.height() >= dialog.layout().totalHeightForWidth(dialog.width())
