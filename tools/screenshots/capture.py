"""What the screenshot modules share: wait for a screen, save its picture, open the main
window, and run one module alone on a small demo database of its own."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from frontdesk.demo import generator as demo
from frontdesk.domain.actor import Actor
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import apply_style
from frontdesk.ui.widgets.table_columns import RESIZE_PAUSE_MS

Render = Callable[[ScreenContext, Path], list[Path]]


# Long enough for every pending fit (several resize pauses) on a loaded machine.
SETTLE_SECONDS = 10 * RESIZE_PAUSE_MS / 1000


def wait_until(
    condition: Callable[[], bool] = lambda: True,
    timeout: float = 20.0,
    *,
    settle: int = 10,
    failure: str = "the screen did not finish loading",
) -> None:
    """Run Qt's events until ``condition()`` holds, then ``settle`` rounds more so layouts
    and paints are done before the picture is taken."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(failure)
        QCoreApplication.processEvents()
        time.sleep(0.005)
    # Rounds alone can finish before a short timer fires (a table's columns fit a few
    # milliseconds after a resize), so keep delivering events for a while too.
    quiet_until = time.monotonic() + SETTLE_SECONDS
    rounds = 0
    while rounds < settle or time.monotonic() < quiet_until:
        QCoreApplication.processEvents()
        time.sleep(0.005)
        rounds += 1


def save_grab(widget: QWidget, path: Path) -> Path:
    widget.grab().save(str(path))
    return path


def sized(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` for its picture, never past the screen's free area: on a 1080p
    monitor at 150% (1280x720 logical) a window is only as large as the desk allows."""
    display = QGuiApplication.primaryScreen()
    if display is not None:
        room = display.availableGeometry()
        width, height = min(width, room.width()), min(height, room.height())
    widget.resize(width, height)


def main_window(
    screen: ScreenContext, size: tuple[int, int] = (1280, 800), settings_folder: Path | None = None
) -> MainWindow:
    """A shown main window whose workstation settings live in a scratch file, never the
    desk's own."""
    folder = settings_folder or Path(tempfile.mkdtemp(prefix="frontdesk-shots-"))
    settings = QSettings(str(folder / "desk.ini"), QSettings.Format.IniFormat)
    window = MainWindow(screen, settings)
    sized(window, *size)
    window.show()
    return window


def run_alone(folder: Path, render: Render, actor: Actor, patients: int, prefix: str) -> int:
    """``python -m tools.screenshots.<area> FOLDER``: build a demo database of ``patients``
    charts in a temporary folder, render into ``folder`` and print each picture's path."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_style(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix=prefix) as home:
        database, _copy = open_for_use(f"sqlite:///{Path(home) / 'demo.sqlite3'}")
        context = make_context(database, actor)
        demo.generate(context, patients=patients, seed=1)
        runner = Runner()
        try:
            for path in render(ScreenContext(context, runner), folder):
                print(path)
        finally:
            runner.wait_for_idle()
            database.dispose()
    del app
    return 0
