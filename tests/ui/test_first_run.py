"""First-run setup: the practice profile and providers, keyboard first, messages in place."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QSettings, QSize, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.domain.permissions import Role
from frontdesk.domain.scheduling import Weekday
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.first_run import (
    complete_first_run,
    create_first_admin,
    needs_first_run,
)
from frontdesk.services.practice.forms import NewUserForm, PracticeProfileForm, ProviderForm
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.practice.profile import get_profile
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.scheduling import availability, find
from frontdesk.services.scheduling.appointment_types import list_appointment_types
from frontdesk.services.scheduling.data import SlotSearch
from frontdesk.ui.app import Launcher
from frontdesk.ui.first_run import FirstRunDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets import screen_fit
from tests.discard_question import DISCARD, KEEP, answer_discard_question

# The offscreen platform used by the tests warns when a window's size limits change.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def screen(context: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()


@pytest.fixture
def dialog(qtbot: QtBot, screen: ScreenContext) -> FirstRunDialog:
    widget = FirstRunDialog(screen)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def type_into(qtbot: QtBot, widget: object, text: str) -> None:
    widget.setFocus()  # type: ignore[attr-defined]
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:  # QTest can only press keys for ASCII characters; paste the rest
        widget.insert(text)  # type: ignore[attr-defined]


def fill_practice(qtbot: QtBot, dialog: FirstRunDialog, main_phone: str = "217-555-0142") -> None:
    profile = dialog.profile
    type_into(qtbot, profile.name, "Lakeside Spine Center")
    type_into(qtbot, profile.address, "100 Main St")
    type_into(qtbot, profile.main_phone, main_phone)
    type_into(qtbot, profile.toll_free_phone, "1-800-555-0199")
    type_into(qtbot, profile.website, "lakeside-spine.example.com")


def fill_provider(qtbot: QtBot, dialog: FirstRunDialog, row: int, *values: str) -> None:
    edits = dialog.providers.rows[row].edits
    for key, value in zip(
        ("first_name", "last_name", "credentials", "specialty"), values, strict=False
    ):
        if value:
            type_into(qtbot, edits[key], value)


def press_enter(qtbot: QtBot, widget: object) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_a_bad_phone_is_marked_next_to_its_field_and_nothing_is_written(
    qtbot: QtBot, dialog: FirstRunDialog, context: ServiceContext
) -> None:
    fill_practice(qtbot, dialog, main_phone="555-01")
    press_enter(qtbot, dialog.profile.website)

    message = dialog.profile.fields.message("main_phone")
    assert message.isVisible()
    assert "phone" in message.text().lower()
    assert dialog.profile.main_phone.hasFocus()
    assert dialog.profile.main_phone.accessibleDescription() == message.text()
    assert not dialog.profile.fields.message("name").isVisible()
    assert dialog.step == 0
    assert get_profile(context) is None
    assert needs_first_run(context)


def test_messages_only_the_service_finds_send_the_user_back_to_the_field(
    qtbot: QtBot, dialog: FirstRunDialog, context: ServiceContext
) -> None:
    fill_practice(qtbot, dialog)
    dialog.profile.address.setPlainText("x" * 1001)  # longer than an address may be
    press_enter(qtbot, dialog.profile.website)
    assert dialog.step == 1
    fill_provider(qtbot, dialog, 0, "Ana", "Lindqvist", "MD", "Spine")
    press_enter(qtbot, dialog.providers.rows[0].edits["specialty"])
    assert dialog.step == 2
    press_enter(qtbot, dialog.hours.location_name)

    message = dialog.profile.fields.message("address")
    qtbot.waitUntil(message.isVisible)
    assert dialog.step == 0
    assert message.text() == "At most 1000 characters"
    assert dialog.banner.kind == "error"
    assert get_profile(context) is None
    assert list_providers(context) == []


def test_a_provider_message_appears_on_that_providers_row(
    qtbot: QtBot, dialog: FirstRunDialog, context: ServiceContext
) -> None:
    fill_practice(qtbot, dialog)
    press_enter(qtbot, dialog.profile.name)
    fill_provider(qtbot, dialog, 0, "Ana", "Lindqvist", "MD", "Spine")
    qtbot.mouseClick(dialog.providers.add_button, Qt.MouseButton.LeftButton)
    fill_provider(qtbot, dialog, 1, "", "O'Connor", "PA-C", "")
    press_enter(qtbot, dialog.providers.rows[1].edits["last_name"])
    press_enter(qtbot, dialog.hours.location_name)

    second = dialog.providers.rows[1]
    qtbot.waitUntil(second.messages["first_name"].isVisible)
    assert second.messages["first_name"].text() == "Required"
    assert not dialog.providers.rows[0].messages["first_name"].isVisible()
    assert second.edits["first_name"].hasFocus()
    assert dialog.step == 1
    assert needs_first_run(context)


def test_tab_from_the_last_providers_specialty_reaches_add_another_provider(
    qtbot: QtBot, dialog: FirstRunDialog
) -> None:
    """Story 8 by keyboard: Tab after a provider's last field, Space adds the next row
    (Tab used to leave for Cancel, and Space asked to discard the whole setup)."""
    fill_practice(qtbot, dialog)
    press_enter(qtbot, dialog.profile.name)
    providers = dialog.providers
    fill_provider(qtbot, dialog, 0, "Ruth", "Okonkwo", "MD", "Spine surgery")
    qtbot.keyClick(providers.rows[0].edits["specialty"], Qt.Key.Key_Tab)
    assert providers.add_button.hasFocus()

    qtbot.keyClick(providers.add_button, Qt.Key.Key_Space)
    assert len(providers.rows) == 2
    assert providers.rows[1].edits["first_name"].hasFocus()
    fill_provider(qtbot, dialog, 1, "Daniel", "Berg", "PA-C", "Spine")
    qtbot.keyClick(providers.rows[1].edits["specialty"], Qt.Key.Key_Tab)
    assert providers.add_button.hasFocus()
    # In reading order: the first row, then the second row's Remove beside its title.
    providers.rows[0].edits["specialty"].setFocus()
    qtbot.keyClick(providers.rows[0].edits["specialty"], Qt.Key.Key_Tab)
    assert providers.rows[1].remove_button.hasFocus()
    qtbot.keyClick(providers.rows[1].remove_button, Qt.Key.Key_Tab)
    assert providers.rows[1].edits["first_name"].hasFocus()
    assert dialog.isVisible()


def test_a_complete_setup_saves_everything_and_opens_the_main_window(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, tmp_path: Path
) -> None:
    launcher = Launcher(screen, QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat))
    launcher.start()
    # A new database opens on the welcome: Enter there is "Set up my practice".
    welcome = launcher.welcome
    assert welcome is not None
    qtbot.addWidget(welcome)
    qtbot.waitUntil(welcome.isActiveWindow)
    qtbot.keyClick(welcome, Qt.Key.Key_Return)
    dialog = launcher.first_run
    assert isinstance(dialog, FirstRunDialog)
    assert launcher.first_screen is dialog and launcher.welcome is None
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.isActiveWindow)

    fill_practice(qtbot, dialog)
    press_enter(qtbot, dialog.profile.website)
    fill_provider(qtbot, dialog, 0, "Ana", "Lindqvist", "MD", "Spine surgery")
    qtbot.keyClick(dialog, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    # A button's shortcut shows the button pressed for a moment before it acts.
    qtbot.waitUntil(lambda: len(dialog.providers.rows) == 2)
    fill_provider(qtbot, dialog, 1, "Seán", "Ó Briain", "DO", "")
    qtbot.mouseClick(dialog.providers.add_button, Qt.MouseButton.LeftButton)  # left blank
    press_enter(qtbot, dialog.providers.rows[1].edits["credentials"])
    # The location and usual hours come filled in: Enter takes them as they are.
    assert dialog.step == 2
    assert dialog.hours.location_name.text() == "Main office"
    press_enter(qtbot, dialog.hours.location_name)
    # No account exists yet: the last step creates the first admin, saved with the practice.
    assert dialog.step == 3
    account = dialog.account
    type_into(qtbot, account.username, "maria.lopez")
    type_into(qtbot, account.display_name, "Maria Lopez")
    type_into(qtbot, account.passwords.password, "violet canoe morning")
    type_into(qtbot, account.passwords.confirm, "violet canoe morning")
    with qtbot.waitSignal(launcher.window_shown, timeout=10_000) as shown:
        press_enter(qtbot, account.passwords.confirm)

    window = shown.args[0]
    qtbot.addWidget(window)
    assert window.isVisible()
    assert window.screen.services.actor.username == "maria.lopez"
    assert not dialog.isVisible()
    assert "Lakeside Spine Center" in window.windowTitle()
    profile = get_profile(context)
    assert profile is not None
    assert (profile.main_phone, profile.toll_free_phone) == ("+12175550142", "+18005550199")
    assert profile.website == "https://lakeside-spine.example.com"
    names = [p.display_name for p in list_providers(context)]
    assert names == ["Ana Lindqvist, MD", "Seán Ó Briain, DO"]
    assert not needs_first_run(context)
    # #16: the practice starts with a location and both surgeons' usual hours, so the first
    # find-next finds times.
    [location] = list_locations(context)
    assert location.name == "Main office"
    blocks = availability.list_availability(context)
    assert {(b.provider_name, b.weekday, b.start_minute, b.end_minute) for b in blocks} == {
        (name, day, 8 * 60, 17 * 60) for name in names for day in Weekday if day < 5
    }
    assert {b.location_id for b in blocks} == {location.id}
    kind = next(t for t in list_appointment_types(context) if t.name == "New consultation")
    assert find.find_slots(context, SlotSearch(type_id=kind.id))


def test_a_practice_already_set_up_opens_the_main_window_after_sign_in(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, tmp_path: Path
) -> None:
    complete_first_run(
        context,
        PracticeProfileForm(name="Hillside Spine", main_phone="217-555-0100"),
        [ProviderForm(first_name="Ana", last_name="Lindqvist")],
    )
    create_first_admin(context, NewUserForm("ana.admin", "violet canoe morning", Role.ADMIN))
    launcher = Launcher(screen, QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat))
    launcher.start()
    sign_in = launcher.sign_in
    assert sign_in is not None
    qtbot.addWidget(sign_in)
    sign_in.form.username.setText("ana.admin")
    sign_in.form.password.setText("violet canoe morning")
    with qtbot.waitSignal(launcher.window_shown, timeout=10_000) as shown:
        sign_in.form.submit()
    window = shown.args[0]
    qtbot.addWidget(window)
    assert launcher.first_run is None
    qtbot.waitUntil(lambda: "Hillside Spine" in window.windowTitle())


def test_the_usual_hours_are_edited_checked_in_place_and_saved(
    qtbot: QtBot, dialog: FirstRunDialog, context: ServiceContext
) -> None:
    fill_practice(qtbot, dialog)
    press_enter(qtbot, dialog.profile.name)
    fill_provider(qtbot, dialog, 0, "Ana", "Lindqvist", "MD")
    press_enter(qtbot, dialog.providers.rows[0].edits["first_name"])
    page = dialog.hours
    assert dialog.step == 2 and page.location_name.hasFocus()
    assert [day for day, box in page.day_boxes.items() if box.isChecked()] == list(Weekday)[:5]
    assert (page.start.text(), page.end.text()) == ("8:00", "17:00")
    page.location_name.selectAll()
    type_into(qtbot, page.location_name, "Springfield clinic")
    page.day_boxes[Weekday.FRIDAY].setChecked(False)
    page.end.selectAll()
    type_into(qtbot, page.end, "7:30")
    with qtbot.waitSignal(dialog.completed, timeout=10_000):
        press_enter(qtbot, page.end)
        message = page.fields.message("hours.start")
        qtbot.waitUntil(message.isVisible)
        assert "end after it starts" in message.text()
        assert dialog.step == 2 and dialog.isVisible()
        assert get_profile(context) is None
        page.end.selectAll()
        type_into(qtbot, page.end, "12:30")
        press_enter(qtbot, page.end)
    [location] = list_locations(context)
    assert location.name == "Springfield clinic"
    blocks = availability.list_availability(context)
    assert [(b.weekday, b.start_minute, b.end_minute) for b in blocks] == [
        (day, 8 * 60, 12 * 60 + 30) for day in list(Weekday)[:4]
    ]


def test_without_the_usual_hours_only_the_location_is_saved(
    qtbot: QtBot, dialog: FirstRunDialog, context: ServiceContext
) -> None:
    fill_practice(qtbot, dialog)
    press_enter(qtbot, dialog.profile.name)
    fill_provider(qtbot, dialog, 0, "Ana", "Lindqvist")
    press_enter(qtbot, dialog.providers.rows[0].edits["first_name"])
    qtbot.keyClick(dialog.hours.use_hours, Qt.Key.Key_Space)
    assert not dialog.hours.use_hours.isChecked()
    assert not dialog.hours.start.isEnabled()
    with qtbot.waitSignal(dialog.completed, timeout=10_000):
        press_enter(qtbot, dialog.hours.location_name)
    assert [location.name for location in list_locations(context)] == ["Main office"]
    assert availability.list_availability(context) == []


def test_escape_asks_before_discarding_what_was_typed(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    type_into(qtbot, dialog.profile.name, "Lakeside")
    qtbot.keyClick(dialog.profile.name, Qt.Key.Key_Escape)
    answer_discard_question(dialog, KEEP)
    assert dialog.isVisible()
    assert dialog.profile.name.text() == "Lakeside"
    qtbot.keyClick(dialog.profile.name, Qt.Key.Key_Escape)
    with qtbot.waitSignal(dialog.rejected):
        answer_discard_question(dialog, DISCARD)


def test_escape_on_an_untouched_form_closes_without_asking(
    qtbot: QtBot, dialog: FirstRunDialog
) -> None:
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.profile.name, Qt.Key.Key_Escape)
    assert dialog.discard_question is None


def png_bytes(size: tuple[int, int] = (120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (47, 102, 144)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_logo_is_previewed_checked_and_saved(
    qtbot: QtBot, dialog: FirstRunDialog, context: ServiceContext, tmp_path: Path
) -> None:
    not_an_image = tmp_path / "logo.png"
    not_an_image.write_bytes(b"MZ\x90\x00 this is a program, not a picture")
    picker = dialog.profile.logo
    assert not picker.load_file(not_an_image)
    message = dialog.profile.fields.message("logo")
    assert message.isVisible() and "not a readable" in message.text()
    assert picker.logo is None and picker.preview.pixmap().isNull()

    logo = tmp_path / "lakeside.png"
    logo.write_bytes(png_bytes())
    assert picker.load_file(logo)
    assert not message.isVisible()
    assert not picker.preview.pixmap().isNull()

    fill_practice(qtbot, dialog)
    press_enter(qtbot, dialog.profile.name)
    fill_provider(qtbot, dialog, 0, "Ana", "Lindqvist")
    press_enter(qtbot, dialog.providers.rows[0].edits["first_name"])
    with qtbot.waitSignal(dialog.completed, timeout=10_000):
        qtbot.mouseClick(dialog.finish_button, Qt.MouseButton.LeftButton)
    profile = get_profile(context)
    assert profile is not None
    assert profile.logo == logo.read_bytes() and profile.logo_mime == "image/png"


def test_every_field_has_an_accessible_name(dialog: FirstRunDialog) -> None:
    profile = dialog.profile
    for widget in (*profile.text_widgets(), profile.logo.choose_button):
        assert widget.accessibleName()
    row = dialog.providers.rows[0]
    assert row.edits["first_name"].accessibleName() == "Provider 1 first name"


def test_a_long_specialty_reads_in_full(qtbot: QtBot, dialog: FirstRunDialog) -> None:
    """Issue #16 screenshots: "Orthopedic spine surgery" scrolled out of its box."""
    fill_practice(qtbot, dialog)
    dialog.next_step()
    dialog.resize(820, dialog.height())
    qtbot.waitUntil(lambda: dialog.providers.isVisible())
    specialty = dialog.providers.rows[0].edits["specialty"]
    type_into(qtbot, specialty, "Orthopedic spine surgery")
    qtbot.wait(50)
    needed = specialty.fontMetrics().horizontalAdvance(specialty.text()) + 24  # frame, margins
    assert needed <= specialty.width(), (needed, specialty.width())


def right_edge(widget: QWidget, dialog: FirstRunDialog) -> int:
    return widget.mapTo(dialog, QPoint(widget.width(), 0)).x()


def test_every_steps_fields_reach_the_right_edge_of_the_buttons(
    qtbot: QtBot, screen: ScreenContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #16 screenshots: the practice's fields stopped short of Next (a width cap of their
    own), and so did the providers' (room kept beside them for Remove)."""
    monkeypatch.setattr(screen_fit, "available_size", lambda _widget: QSize(1280, 720))
    dialog = FirstRunDialog(screen, create_admin=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    fill_practice(qtbot, dialog)
    for step in range(dialog.last_step + 1):
        if step == 1:
            fill_provider(qtbot, dialog, 0, "Ana", "Lindqvist")
            dialog.providers.add_row()
        qtbot.waitUntil(lambda step=step: dialog.step == step)
        qtbot.wait(20)  # the new page's layout
        page = dialog.pages.currentWidget()
        fields = [
            widget
            for kind in (QLineEdit, QPlainTextEdit, QComboBox)
            for widget in page.findChildren(kind)
            if widget.isVisible() and not isinstance(widget.parentWidget(), QComboBox)
        ]
        assert fields, f"step {step + 1} has no fields"
        button = dialog.finish_button if step == dialog.last_step else dialog.next_button
        edge = right_edge(button, dialog)
        widest = max(right_edge(field, dialog) for field in fields)
        assert abs(widest - edge) <= 2, f"step {step + 1}: fields end at {widest}, {edge} buttons"
        if step == 1:  # every provider's row, not just the longest one
            for row in dialog.providers.rows:
                specialty = row.edits["specialty"]
                assert abs(right_edge(specialty, dialog) - edge) <= 2, row.number
        if step < dialog.last_step:
            dialog.next_step()
