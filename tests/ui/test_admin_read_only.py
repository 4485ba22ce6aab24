"""Admin → Practice rules, Inbox and Practice profile for a receptionist: the fields look
read-only (not a white box to type in), one line says why, and typing changes nothing; for an
administrator the same fields are white boxes that take typing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.first_run import complete_first_run
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.admin.profile_editor import ProfileEditor
from frontdesk.ui.style import PANEL
from frontdesk.ui.widgets.form import FormFields, focus_target
from frontdesk.ui.widgets.settings_form import ADMIN_ONLY, SettingsFormPanel
from tests.conftest import make_actor
from tests.helpers.screens import desk_style, open_screen
from tests.ui.test_admin import PROFILE, SURGEON

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)

WAIT_MS = 15_000
ADMIN_PREFIX = ADMIN_ONLY.split(" change ")[0]  # "Only an administrator can"


@pytest.fixture
def admin_area(
    qtbot: QtBot, context: ServiceContext, request: pytest.FixtureRequest
) -> Iterator[AdminArea]:
    """The Admin area as ``request.param``'s role sees it, in the desk's style."""
    role: Role = request.param
    complete_first_run(context, PROFILE, [SURGEON])
    actor = context.as_actor(make_actor(role, f"{role.value}.anna"))
    with desk_style(), open_screen(actor) as screen:
        area = AdminArea(screen)
        qtbot.addWidget(area)
        area.resize(1100, 900)
        area.show()
        for panel in (area.practice_rules, area.inbox):
            area.tabs.setCurrentWidget(panel)
            qtbot.waitUntil(lambda panel=panel: panel.loaded, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: area.profile.version is not None, timeout=WAIT_MS)
        yield area


def panels(area: AdminArea) -> tuple[tuple[SettingsFormPanel | ProfileEditor, FormFields], ...]:
    """The Admin panels with a form, each with its fields."""
    return (
        (area.practice_rules, area.practice_rules.fields),
        (area.inbox, area.inbox.fields),
        (area.profile, area.profile.fields.fields),
    )


def text_fields(fields: FormFields) -> list[QWidget]:
    """The boxes of text and numbers a person could try to type into."""
    kinds = (QAbstractScrollArea, QLineEdit, QAbstractSpinBox)
    found = [focus_target(fields.widget(key)) for key in list(fields.keys())]
    return [field for field in found if isinstance(field, kinds)]


def background(field: QWidget) -> QColor:
    """The colour most of the field is painted in (its text and frame are a few pixels)."""
    shown = field.viewport() if isinstance(field, QAbstractScrollArea) else field
    image = shown.grab().toImage()
    counts = Counter(
        image.pixel(x, y)
        for x in range(2, image.width() - 2, 3)
        for y in range(2, image.height() - 2, 3)
    )
    return QColor.fromRgb(counts.most_common(1)[0][0])


def typed_text(field: QWidget) -> str:
    if isinstance(field, QAbstractScrollArea):
        return field.toPlainText()  # type: ignore[attr-defined]
    return field.text()  # type: ignore[attr-defined]


def try_typing(qtbot: QtBot, field: QWidget) -> None:
    field.setFocus(Qt.FocusReason.TabFocusReason)
    target = field.viewport() if isinstance(field, QAbstractScrollArea) else field
    qtbot.keyClicks(target, "7x")
    qtbot.keyClick(target, Qt.Key.Key_Up)


@pytest.mark.parametrize("admin_area", [Role.FRONT_DESK], indirect=True)
def test_front_desk_sees_fields_that_look_read_only_and_take_no_typing(
    qtbot: QtBot, admin_area: AdminArea
) -> None:
    for panel, form in panels(admin_area):
        admin_area.tabs.setCurrentWidget(panel)
        assert panel.banner.isVisible() and panel.banner.text.startswith(ADMIN_PREFIX)
        fields = text_fields(form)
        assert len(fields) >= 3
        before = panel.snapshot()
        for field in fields:
            name = field.accessibleName()
            assert background(field) != QColor(PANEL), f"{name} looks like a box to type in"
            shown = typed_text(field)
            try_typing(qtbot, field)
            assert typed_text(field) == shown, f"{name} took typing"
        assert panel.snapshot() == before and not panel.has_unsaved_changes()


@pytest.mark.parametrize("admin_area", [Role.ADMIN], indirect=True)
def test_an_administrator_sees_no_note_and_white_fields_that_take_typing(
    qtbot: QtBot, admin_area: AdminArea
) -> None:
    for panel, form in panels(admin_area):
        admin_area.tabs.setCurrentWidget(panel)
        assert panel.banner.isHidden()
        for field in text_fields(form):
            assert background(field) == QColor(PANEL), field.accessibleName()
        first = text_fields(form)[0]
        shown = typed_text(first)
        try_typing(qtbot, first)
        assert typed_text(first) != shown
        assert panel.has_unsaved_changes()
        panel.undo()
