"""The Admin area: the practice profile, locations and providers, on both databases."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.practice.first_run import complete_first_run
from frontdesk.services.practice.forms import LocationForm, PracticeProfileForm, ProviderForm
from frontdesk.services.practice.locations import list_locations, save_location
from frontdesk.services.practice.profile import get_profile, save_profile
from frontdesk.services.practice.providers import list_providers, save_provider
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.admin.locations import LocationDialog, LocationsPanel
from frontdesk.ui.admin.profile_editor import ProfileEditor
from frontdesk.ui.admin.providers import ProviderDialog, ProvidersPanel
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.conftest import make_actor
from tests.discard_question import DISCARD, KEEP, answer_discard_question

# The offscreen platform used by the tests warns when a window's size limits change.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PROFILE = PracticeProfileForm(
    name="Lakeside Spine Center",
    address="100 Main St\nSpringfield, IL 62701",
    main_phone="217-555-0142",
    website="lakeside-spine.example.com",
)
SURGEON = ProviderForm(first_name="Ana", last_name="Lindqvist", credentials="MD")


@pytest.fixture
def set_up(context: ServiceContext) -> ServiceContext:
    complete_first_run(context, PROFILE, [SURGEON])
    return context


@pytest.fixture
def screen(set_up: ServiceContext) -> Iterator[ScreenContext]:
    runner = Runner()
    hub = ChangeHub(set_up)
    hub.start()
    yield ScreenContext(set_up, runner, hub)
    hub.stop()
    runner.wait_for_idle()


@pytest.fixture
def other_desk(database_url: str) -> Iterator[ServiceContext]:
    """Another workstation: its own connection to the same database, its own user."""
    database, _copy = open_for_use(database_url)
    yield make_context(database, make_actor(username="bob"))
    database.dispose()


def loaded_editor(qtbot: QtBot, screen: ScreenContext) -> ProfileEditor:
    editor = ProfileEditor(screen)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.version is not None)
    return editor


def test_the_profile_editor_shows_and_saves_the_profile(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    editor = loaded_editor(qtbot, screen)
    fields = editor.fields
    assert fields.name.text() == "Lakeside Spine Center"
    assert fields.main_phone.text() == "(217) 555-0142"
    assert fields.address.toPlainText() == PROFILE.address

    fields.fax.setFocus()
    qtbot.keyClicks(fields.fax, "217 555 0143")
    assert editor.has_unsaved_changes()
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.keyClick(fields.fax, Qt.Key.Key_Return)  # Enter saves
    assert editor.banner.kind == "success" and editor.banner.text.startswith("Saved")
    assert fields.fax.text() == "(217) 555-0143"
    assert not editor.has_unsaved_changes()
    saved = get_profile(set_up)
    assert saved is not None and saved.fax == "+12175550143"


def test_a_bad_field_is_marked_in_place_and_nothing_changes(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    editor = loaded_editor(qtbot, screen)
    editor.fields.website.setText("not a web site")
    editor.save()
    message = editor.fields.fields.message("website")
    qtbot.waitUntil(message.isVisible)
    assert "web address" in message.text()
    assert editor.banner.kind == "error"
    assert editor.fields.website.text() == "not a web site"
    saved = get_profile(set_up)
    assert saved is not None and saved.website == "https://lakeside-spine.example.com"


def test_a_save_after_another_workstation_saved_shows_the_conflict_and_keeps_the_text(
    qtbot: QtBot, screen: ScreenContext, other_desk: ServiceContext
) -> None:
    editor = loaded_editor(qtbot, screen)
    loaded_version = editor.version
    theirs = get_profile(other_desk)
    assert theirs is not None
    save_profile(
        other_desk,
        PracticeProfileForm(**{**PROFILE.__dict__, "name": "Lakeside Spine & Pain"}),
        theirs.version,
    )

    editor.fields.name.setText("Lakeside Spine Centre")
    editor.save()
    qtbot.waitUntil(lambda: editor.banner.kind == "error", timeout=10_000)
    assert "bob changed this practice profile" in editor.banner.text
    assert "Your text is still in the form" in editor.banner.text
    assert editor.fields.name.text() == "Lakeside Spine Centre"
    assert editor.version == loaded_version
    current = get_profile(other_desk)
    assert current is not None and current.name == "Lakeside Spine & Pain"

    # The banner offers their version; taking it shows what is saved now.
    assert editor.banner.action.text() == "Load their version"
    qtbot.mouseClick(editor.banner.action, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.fields.name.text() == "Lakeside Spine & Pain")
    assert editor.version == current.version


def test_locations_start_empty_and_ctrl_n_adds_one(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    area = AdminArea(screen)
    qtbot.addWidget(area)
    area.show()
    area.tabs.setCurrentWidget(area.locations)
    panel = area.locations
    qtbot.waitUntil(lambda: panel.loaded)
    assert panel.pages.currentWidget() is panel.empty
    assert "No locations yet" in panel.empty.title.text()

    assert area.new_item()
    dialog = panel.dialog
    assert isinstance(dialog, LocationDialog)
    qtbot.waitExposed(dialog)
    dialog.name.setFocus()
    qtbot.keyClicks(dialog.name, "Main office")
    qtbot.keyClicks(dialog.spanish_name, "Oficina principal")
    qtbot.keyClicks(dialog.phone, "217-555-0100")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert panel.pages.currentWidget() is panel.table
    row = [panel.model.index(0, column).data() for column in range(4)]
    assert row == ["Main office", "", "(217) 555-0100", "Active"]
    assert [loc.name for loc in list_locations(set_up)] == ["Main office"]
    # Spanish letters and handouts print the Spanish name the practice entered.
    (saved,) = list_locations(set_up)
    assert (saved.name_in("es"), saved.name_in("en")) == ("Oficina principal", "Main office")


def test_a_duplicate_location_name_is_marked_next_to_the_name(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    save_location(set_up, LocationForm(name="Main office"))
    panel = LocationsPanel(screen)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    dialog = panel.open_dialog(None)
    dialog.name.setText("MAIN Office")
    dialog.save()
    message = dialog.fields.message("name")
    qtbot.waitUntil(message.isVisible)
    assert message.text() == "Another location already has this name"
    assert dialog.isVisible()
    assert len(list_locations(set_up)) == 1


def test_editing_a_provider_someone_else_just_changed_is_refused_in_place(
    qtbot: QtBot, screen: ScreenContext, other_desk: ServiceContext
) -> None:
    panel = ProvidersPanel(screen)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    panel.table.selectRow(0)
    panel.edit_selected()
    dialog = panel.dialog
    assert isinstance(dialog, ProviderDialog)
    assert dialog.last_name.text() == "Lindqvist"

    (theirs,) = list_providers(other_desk)
    save_provider(
        other_desk,
        ProviderForm(first_name="Ana", last_name="Lindqvist", credentials="MD, PhD"),
        theirs.id,
        theirs.version,
    )
    dialog.specialty.setText("Spine surgery")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.banner.kind == "error", timeout=10_000)
    assert "bob changed this provider" in dialog.banner.text
    assert dialog.isVisible() and dialog.specialty.text() == "Spine surgery"
    (current,) = list_providers(other_desk)
    assert (current.credentials, current.specialty) == ("MD, PhD", "")


ADD_PROVIDER = """
import sys
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.practice.forms import ProviderForm
from frontdesk.services.practice.providers import save_provider
from frontdesk.services.platform.bootstrap import make_context, open_for_use
database, _copy = open_for_use(sys.argv[1])
desk = make_context(database, Actor(username="bob", role=Role.ADMIN))
save_provider(desk, ProviderForm(first_name="Seán", last_name="O'Connor"))
database.dispose()
"""


def test_another_workstations_change_appears_without_reloading(
    qtbot: QtBot, screen: ScreenContext, database_url: str
) -> None:
    hub = screen.changes
    assert isinstance(hub, ChangeHub)
    assert hub.wait_until_watching(10)
    panel = ProvidersPanel(screen)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    # A separate process, as another workstation is (this process ignores its own echoes).
    subprocess.run([sys.executable, "-c", ADD_PROVIDER, database_url], check=True, timeout=60)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=15_000)
    assert panel.model.index(1, 0).data() == "O'Connor"


def test_names_that_look_like_markup_are_shown_as_typed(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    panel = ProvidersPanel(screen)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    dialog = panel.open_dialog(None)
    dialog.first_name.setText("<b>Bold</b>")
    dialog.last_name.setText("<i>Zed</i>")
    with qtbot.waitSignal(panel.model.modelReset, timeout=10_000):
        dialog.save()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    last_names = {panel.model.index(row, 0).data() for row in range(2)}
    assert last_names == {"<i>Zed</i>", "Lindqvist"}
    assert panel.banner.label.textFormat() == Qt.TextFormat.PlainText
    assert "<b>Bold</b> <i>Zed</i>" in panel.banner.text
    labels = panel.findChildren(QLabel)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_the_records_table_model_is_a_well_behaved_qt_model(
    qtbot: QtBot, qtmodeltester: object, screen: ScreenContext, set_up: ServiceContext
) -> None:
    save_provider(set_up, ProviderForm(first_name="Seán", last_name="O'Connor"))
    panel = ProvidersPanel(screen)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)
    qtmodeltester.check(panel.model)  # type: ignore[attr-defined]
    assert panel.model.rowCount(panel.model.index(0, 0)) == 0
    assert panel.model.data(QModelIndex()) is None


def test_front_desk_staff_see_the_admin_data_but_cannot_change_it(
    qtbot: QtBot, set_up: ServiceContext
) -> None:
    desk = set_up.as_actor(make_actor(Role.FRONT_DESK, "desk"))
    runner = Runner()
    try:
        screen = ScreenContext(desk, runner)
        area = AdminArea(screen)
        qtbot.addWidget(area)
        qtbot.waitUntil(lambda: area.profile.version is not None)
        assert area.profile.fields.name.text() == "Lakeside Spine Center"
        assert area.profile.fields.name.isReadOnly()
        assert not area.profile.fields.time_zone.isEnabled()
        assert area.profile.fields.logo.choose_button.isHidden()
        assert area.profile.save_button.isHidden()
        assert "Only an administrator" in area.profile.banner.text
        qtbot.waitUntil(lambda: area.providers.model.rowCount() == 1)
        assert area.providers.new_button.isHidden()
        area.tabs.setCurrentWidget(area.providers)
        assert area.new_item() is True
        assert area.providers.dialog is None
    finally:
        runner.wait_for_idle()


def test_escape_in_an_editor_asks_only_when_something_was_changed(
    qtbot: QtBot, screen: ScreenContext
) -> None:
    panel = LocationsPanel(screen)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.loaded)
    untouched = panel.open_dialog(None)
    with qtbot.waitSignal(untouched.rejected):  # closes at once: nothing to ask about
        qtbot.keyClick(untouched.name, Qt.Key.Key_Escape)

    edited = panel.open_dialog(None)
    qtbot.keyClicks(edited.name, "Annex")
    qtbot.keyClick(edited.name, Qt.Key.Key_Escape)
    answer_discard_question(edited, KEEP)
    assert edited.isVisible() and edited.name.text() == "Annex"
    qtbot.keyClick(edited.name, Qt.Key.Key_Escape)
    with qtbot.waitSignal(edited.rejected):
        answer_discard_question(edited, DISCARD)


def test_enter_on_the_active_checkbox_saves_the_editor(
    qtbot: QtBot, screen: ScreenContext, set_up: ServiceContext
) -> None:
    panel = ProvidersPanel(screen)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    panel.table.selectRow(0)
    dialog = panel.open_dialog(panel.selected())
    dialog.active.setFocus()
    qtbot.keyClick(dialog.active, Qt.Key.Key_Space)  # untick: no longer sees patients
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.keyClick(dialog.active, Qt.Key.Key_Return)
    assert list_providers(set_up) == []
    qtbot.waitUntil(lambda: panel.model.index(0, 4).data() == "Inactive")
