"""Screenshots of the Requests area: the work queue with a request open, and the intake form.

``render(screen, folder)`` is the hook the app's screenshot command calls with its demo
database; ``python -m tools.screenshots.requests FOLDER`` builds a small demo
database itself and writes the PNGs there.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication, QWidget

from frontdesk.demo import generator as demo
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import apply_style

STORY_PATIENT = "Núñez-García, María José"  # scenario 1's caller, in every demo database


def _wait(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not finish loading")
        QCoreApplication.processEvents()
        time.sleep(0.005)
    for _ in range(10):  # let layouts and paints settle
        QCoreApplication.processEvents()


def _save(widget: QWidget, path: Path) -> Path:
    widget.grab().save(str(path))
    return path


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """Write requests-queue.png, request-intake.png and request-intake-red-flag.png."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    settings_file = Path(tempfile.mkdtemp(prefix="frontdesk-shots-")) / "desk.ini"
    window = MainWindow(screen, QSettings(str(settings_file), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    window.show_area("requests")
    area = window.current_area()
    assert isinstance(area, RequestsArea)
    _wait(lambda: area.model.rowCount() > 0 and bool(area.counts))
    written.append(_save(window, folder / "requests-queue-empty-detail.png"))
    story = next(
        (row for row, item in enumerate(area.model.rows) if item.patient_name == STORY_PATIENT),
        0,
    )
    area.table.selectRow(story)
    _wait(lambda: area.detail.detail is not None)
    written.append(_save(window, folder / "requests-queue.png"))

    dialog = IntakeDialog(screen, window)
    dialog.resize(1160, 800)
    dialog.show()
    dialog.last_name.setText("Núñez-García")
    dialog.first_name.setText("María José")
    dialog.date_of_birth.setText("03/04/1961")
    dialog._look_up()
    _wait(lambda: dialog.matches.count() > 0)
    dialog.phone.setText("(217) 555-0188")
    dialog.caller_relationship.setText("self")
    dialog.reason.setPlainText("Pain worse than before the second operation; cannot sit long")
    dialog.category.setCurrentIndex(dialog.category.findData("failed_back"))
    dialog.regions_box("lumbar").setChecked(True)
    dialog.prior_surgery.setCurrentIndex(2)
    dialog.surgery_count.setText("2")
    dialog.surgery_year.setText("2021")
    dialog.imaging_modality.setCurrentIndex(dialog.imaging_modality.findData("mri"))
    dialog.imaging_when.setText("May 2024")
    dialog.imaging_where.setText("Valley Imaging Center")
    dialog.language.setText("Spanish")
    dialog.interpreter.setChecked(True)
    dialog.phone.setText("")
    dialog.save()
    _wait(lambda: dialog.fields.message("phone").isVisible())
    written.append(_save(dialog, folder / "request-intake.png"))
    next(iter(dialog.red_flags.boxes.values())).setChecked(True)
    _wait(lambda: dialog.red_flags.instruction_frame.isVisible())
    written.append(_save(dialog, folder / "request-intake-red-flag.png"))
    dialog.mark_clean()  # nothing to ask about when it closes
    dialog.close()
    window.close()
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs/screenshots").absolute()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_style(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="frontdesk-request-shots-") as home:
        database, _copy = open_for_use(f"sqlite:///{Path(home) / 'demo.sqlite3'}")
        actor = Actor(username="demo", role=Role.ADMIN, workstation="screenshots")
        context = make_context(database, actor)
        demo.generate(context, patients=2_000, seed=1)
        runner = Runner()
        try:
            for path in render(ScreenContext(context, runner), folder):
                print(path)
        finally:
            runner.wait_for_idle()
            database.dispose()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
