"""Screenshots of the Patients area, the chart and the form, on a demo database.

``render(screen, folder)`` is the hook the app's screenshot command can call with its own
demo database; ``python -m tools.screenshots.patients FOLDER`` builds a small demo
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
from frontdesk.services.patients.search import search
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.patients.area import PatientsArea
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.editor import PatientEditor
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext

SEARCH_TEXT = "garc"
STORY_PATIENT = "nunez maria jose"  # scenario 1's caller, in every demo database
DEMO_PATIENTS = 5_000


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
    """Write patients.png, patient-chart.png, patient-form.png and patient-duplicates.png."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    settings_file = Path(tempfile.mkdtemp(prefix="frontdesk-shots-")) / "desk.ini"
    window = MainWindow(screen, QSettings(str(settings_file), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    window.show_area("patients")
    area = window.current_area()
    assert isinstance(area, PatientsArea)
    shown: list[str] = []
    area.results_shown.connect(shown.append)
    area.search_box.setText(SEARCH_TEXT)
    _wait(lambda: SEARCH_TEXT in shown)
    area.table.selectRow(2)
    written.append(_save(window, folder / "patients.png"))

    story = search(screen.services, STORY_PATIENT, limit=1).items
    patient_id = story[0].id if story else area.model.summary(0).id
    chart = PatientChart(screen, patient_id)
    chart.resize(1100, 780)
    chart.show()
    _wait(lambda: chart.patient is not None)
    written.append(_save(chart, folder / "patient-chart.png"))

    assert chart.patient is not None
    editor = PatientEditor(screen, chart.patient)
    editor.resize(1100, 800)
    editor.show()
    editor.fields.edits["mobile_phone"].setText("555-12")
    editor.fields.edits["email"].setText("maria.nunez@")
    editor.save()
    _wait(lambda: not editor.saving)
    written.append(_save(editor, folder / "patient-form.png"))

    editor.mark_clean()  # nothing to discard: close quietly
    editor.close()

    # Story 1: a caller who may already have a chart.
    new = PatientEditor(screen, None)
    new.show()
    new.fields.edits["first_name"].setText("Maria")
    new.fields.edits["last_name"].setText("Núñez")
    new.fields.edits["date_of_birth"].setText("4/3/1961")
    new.save()
    _wait(lambda: new.duplicates is not None and new.duplicates.isVisible())
    assert new.duplicates is not None
    written.append(_save(new.duplicates, folder / "patient-duplicates.png"))
    new.duplicates.reject()
    new.mark_clean()
    new.close()
    chart.close()
    window.close()
    screen.runner.wait_for_idle()
    QCoreApplication.processEvents()
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs/screenshots")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from frontdesk.ui.style import apply_style

    apply_style(app)  # type: ignore[arg-type]
    with tempfile.TemporaryDirectory(prefix="frontdesk-shots-") as home:
        database, _backup = open_for_use(f"sqlite:///{Path(home) / 'demo.sqlite3'}")
        context = make_context(
            database,
            Actor(
                "maria.lopez", Role.ADMIN, workstation="front-desk-1", display_name="Maria Lopez"
            ),
        )
        demo.generate(context, patients=DEMO_PATIENTS, seed=1)
        runner = Runner()
        try:
            for path in render(ScreenContext(context, runner), folder):
                print(path)
        finally:
            runner.wait_for_idle()
            database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
