"""Admin on a 1080p monitor at 150% (1280x720 logical pixels): whole tab titles, every page
with the same heading and margins, handout titles that read in full (issue #16)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import QCoreApplication, QPoint, QRect, QSettings, QSize, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts import reviews
from frontdesk.services.handouts.reviews import ReviewForm
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.first_run import complete_first_run
from frontdesk.services.practice.forms import PracticeProfileForm, ProviderForm
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import apply_style
from frontdesk.ui.widgets import screen_fit
from tests.helpers.screens import open_screen

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)

SCREEN = QSize(1280, 720)  # 1920x1080 at 150%
TODAY = dt.date(2026, 12, 7)
WRAP = int(Qt.TextFlag.TextWordWrap)


@pytest.fixture
def workstation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data folder of the test's own and no keyring (Admin → Shared server reads both)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("FRONTDESK_HOME", str(home))
    monkeypatch.delenv("FRONTDESK_DATABASE_URL", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield home
    keyring.set_keyring(previous)


@pytest.fixture
def app_look(qapp: QApplication) -> Iterator[None]:
    """The app's own style, palette, stylesheet and font (10 pt at least), as on a desk; the
    test application's look is put back afterwards."""
    before = (qapp.style().name(), qapp.palette(), qapp.font(), qapp.styleSheet())
    apply_style(qapp)
    yield
    name, palette, font, sheet = before
    qapp.setStyleSheet(sheet)
    qapp.setStyle(name)
    qapp.setPalette(palette)
    qapp.setFont(font)


@pytest.fixture
def screen(context: ServiceContext, workstation: Path, app_look: None) -> Iterator[ScreenContext]:
    complete_first_run(
        context,
        PracticeProfileForm(name="Lakeside Spine Center", main_phone="217-555-0142"),
        [ProviderForm("Ana", "Lindqvist", "MD", "Orthopedic spine surgery")],
    )
    with open_screen(context) as screen:
        yield screen


def open_admin(
    qtbot: QtBot, screen: ScreenContext, monkeypatch: pytest.MonkeyPatch, width: int | None
) -> tuple[MainWindow, AdminArea]:
    """The main window as it first opens on the 1080p monitor at 150%, or ``width`` wide."""
    monkeypatch.setattr(screen_fit, "available_size", lambda _widget: QSize(SCREEN))
    home = Path(os.environ["FRONTDESK_HOME"])
    # No saved geometry: the window's first-start size.
    settings = QSettings(str(home / f"desk-{uuid.uuid4().hex}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(screen, settings)
    qtbot.addWidget(window)
    if width is not None:
        window.resize(width, SCREEN.height())
    window.show()
    qtbot.waitExposed(window)
    window.show_area("admin")
    area = window.current_area()
    assert isinstance(area, AdminArea)
    QCoreApplication.processEvents()
    return window, area


@pytest.mark.parametrize("width", [None, SCREEN.width()], ids=["first-size", "1280"])
def test_every_admin_tab_title_reads_in_full(
    qtbot: QtBot, screen: ScreenContext, monkeypatch: pytest.MonkeyPatch, width: int | None
) -> None:
    """Eleven tabs did not fit: "Shar…" and scroll arrows at 1280 pixels."""
    window, area = open_admin(qtbot, screen, monkeypatch, width)
    assert window.width() <= SCREEN.width()
    bar = area.tabs.tabBar()
    assert area.tabs.count() == 11  # an admin sees every section
    metrics = bar.fontMetrics()
    for index in range(bar.count()):
        title = bar.tabText(index).replace("&", "")
        room = bar.tabRect(index)
        assert room.width() >= metrics.horizontalAdvance(title) + 8, title
        assert bar.rect().contains(room), f"{title} is outside the bar ({window.width()} px)"
    assert bar.sizeHint().width() <= bar.width()
    assert bar.tabRect(bar.count() - 1).right() <= area.tabs.width()


def heading_at(page: QWidget, text: str) -> QPoint:
    """Where ``page``'s heading ``text`` sits inside the page."""
    for label in page.findChildren(QLabel):
        if label.objectName() == "sectionTitle" and label.text() == text:
            return label.mapTo(page, QPoint(0, 0))
    raise AssertionError(f"no heading {text!r}")


def test_the_shared_server_page_has_the_heading_and_margins_of_its_siblings(
    qtbot: QtBot, screen: ScreenContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    _window, area = open_admin(qtbot, screen, monkeypatch, SCREEN.width())
    assert area.shared_server is not None
    places = {}
    for page, heading in (
        (area.practice_rules, "Practice rules"),
        (area.inbox, "Inbox"),
        (area.shared_server, "Shared server"),
    ):
        area.tabs.setCurrentWidget(page)
        QCoreApplication.processEvents()
        places[heading] = heading_at(page, heading)
    assert places["Shared server"] == places["Practice rules"] == places["Inbox"]
    panel = area.shared_server
    # The form's fields start below the heading, inside the same margins.
    left = places["Shared server"].x()
    assert panel.current.mapTo(panel, QPoint(0, 0)).x() == left


def test_handout_titles_read_in_full_once_a_review_is_recorded(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A recorded review's date and reviewer squeezed the titles ("Cuando una fusión no sana
    (seudoartr…")."""
    library = handouts.load_library()
    for handout_id, language in (("pseudarthrosis", "es"), ("failed-back-syndrome", "en")):
        handout = library.get(handout_id, language)
        reviews.record_review(
            context,
            handout,
            ReviewForm(
                reviewer="Dr. Ana Lindqvist, MD",
                reviewed_on="12/07/2026",
                evidence="NASS patient education guidance (2024); checked line by line.",
            ),
            today=TODAY,
        )
    _window, area = open_admin(qtbot, screen, monkeypatch, SCREEN.width())
    panel = area.handout_reviews
    area.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.loaded, timeout=10_000)
    QCoreApplication.processEvents()
    model, table = panel.model, panel.table
    assert any(row.standing.review for row in model.records)
    metrics = table.fontMetrics()
    room = table.columnWidth(0) - 8  # the cell's margins
    for row in range(model.rowCount()):
        title = model.index(row, 0).data()
        needed = metrics.boundingRect(QRect(0, 0, room, 10_000), WRAP, title)
        assert needed.width() <= room, title
        assert needed.height() <= table.rowHeight(row), f"{title} is cut short"
    # The short columns read in full on one line; the evidence is whole in its tooltip.
    for column in range(1, 6):
        for row in range(model.rowCount()):
            text = model.index(row, column).data() or ""
            assert table.columnWidth(column) >= metrics.horizontalAdvance(text) + 6, text
    evidence = model.index(model.rowCount() - 1, 6)
    assert "checked line by line" in evidence.data(Qt.ItemDataRole.ToolTipRole)
