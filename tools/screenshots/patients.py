"""Screenshots of the Patients area, the chart and the form, on a demo database.

``render(screen, folder)`` is the hook the app's screenshot command can call with its own
demo database; ``python -m tools.screenshots.patients FOLDER`` builds a small demo
database itself and writes the PNGs there.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.patients.search import search
from frontdesk.ui.patients.area import PatientsArea
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.editor import PatientEditor
from frontdesk.ui.screen_context import ScreenContext
from tools.screenshots.capture import main_window, run_alone, save_grab, sized, wait_until

SEARCH_TEXT = "garc"
STORY_PATIENT = "nunez maria jose"  # scenario 1's caller, in every demo database
DEMO_PATIENTS = 5_000


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """Write patients.png, patient-chart.png, patient-form.png and patient-duplicates.png."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    window = main_window(screen)
    window.show_area("patients")
    area = window.current_area()
    assert isinstance(area, PatientsArea)
    shown: list[str] = []
    area.results_shown.connect(shown.append)
    area.search_box.setText(SEARCH_TEXT)
    wait_until(lambda: SEARCH_TEXT in shown)
    area.table.selectRow(2)
    written.append(save_grab(window, folder / "patients.png"))

    story = search(screen.services, STORY_PATIENT, limit=1).items
    patient_id = story[0].id if story else area.model.summary(0).id
    chart = PatientChart(screen, patient_id)
    sized(chart, 1100, 780)
    chart.show()
    wait_until(lambda: chart.patient is not None)
    written.append(save_grab(chart, folder / "patient-chart.png"))

    assert chart.patient is not None
    editor = PatientEditor(screen, chart.patient)
    sized(editor, 1100, 800)
    editor.show()
    editor.fields.edits["mobile_phone"].setText("555-12")
    editor.fields.edits["email"].setText("maria.nunez@")
    editor.save()
    wait_until(lambda: not editor.saving)
    written.append(save_grab(editor, folder / "patient-form.png"))

    editor.mark_clean()  # nothing to discard: close quietly
    editor.close()

    # Story 1: a caller who may already have a chart.
    new = PatientEditor(screen, None)
    new.show()
    new.fields.edits["first_name"].setText("Maria")
    new.fields.edits["last_name"].setText("Núñez")
    new.fields.edits["date_of_birth"].setText("4/3/1961")
    new.save()
    wait_until(lambda: new.duplicates is not None and new.duplicates.isVisible())
    assert new.duplicates is not None
    written.append(save_grab(new.duplicates, folder / "patient-duplicates.png"))
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
    actor = Actor("maria.lopez", Role.ADMIN, workstation="front-desk-1", display_name="Maria Lopez")
    return run_alone(folder, render, actor, DEMO_PATIENTS, "frontdesk-shots-")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
