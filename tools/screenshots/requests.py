"""Screenshots of the Requests area: the work queue with a request open, and the intake form.

``render(screen, folder)`` is the hook the app's screenshot command calls with its demo
database; ``python -m tools.screenshots.requests FOLDER`` builds a small demo
database itself and writes the PNGs there.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.requests import linking
from frontdesk.services.requests.data import IntakeForm
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.requests.linked_chart import LinkedChartDialog
from frontdesk.ui.screen_context import ScreenContext
from tools.screenshots.capture import main_window, run_alone, save_grab, sized, wait_until

STORY_PATIENT = "Núñez-García, María José"  # scenario 1's caller, in every demo database


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """Write requests-queue.png, request-intake.png, request-intake-red-flag.png,
    request-linked-chart.png and request-linked-chart-red-flag.png."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    window = main_window(screen)
    window.show_area("requests")
    area = window.current_area()
    assert isinstance(area, RequestsArea)
    wait_until(lambda: area.model.rowCount() > 0 and bool(area.counts))
    written.append(save_grab(window, folder / "requests-queue-empty-detail.png"))
    story = next(
        (row for row, item in enumerate(area.model.rows) if item.patient_name == STORY_PATIENT),
        0,
    )
    area.table.selectRow(story)
    wait_until(lambda: area.detail.detail is not None)
    written.append(save_grab(window, folder / "requests-queue.png"))

    dialog = IntakeDialog(screen, window)
    sized(dialog, 1160, 800)
    dialog.show()
    dialog.last_name.setText("Núñez-García")
    dialog.first_name.setText("María José")
    dialog.date_of_birth.setText("03/04/1961")
    dialog._look_up()
    wait_until(lambda: dialog.matches.count() > 0)
    dialog.phone.setText("(217) 555-0188")
    dialog.caller_relationship.setText("self")
    dialog.reason.setPlainText("Pain worse than before the second operation; cannot sit long")
    dialog.category.setCurrentIndex(dialog.category.findData("failed_back"))
    dialog.regions_box("lumbar").setChecked(True)
    dialog.prior_surgery.setCurrentIndex(2)
    dialog.surgery_count.setText("2")
    dialog.surgery_year.setText("2021")
    first_kind, first_levels, first_year = dialog.surgery_rows[0]
    first_kind.setCurrentIndex(first_kind.findData("lumbar_fusion"))
    first_levels.setText("L4-L5")
    first_year.setText("2019")
    dialog.surgery_rows[1][1].setText("L3-L4")
    dialog.surgery_rows[1][2].setText("2021")
    dialog.imaging_modality.setCurrentIndex(dialog.imaging_modality.findData("mri"))
    dialog.imaging_when.setText("May 2024")
    dialog.imaging_where.setText("Valley Imaging Center")
    dialog.language.setText("Spanish")
    dialog.interpreter.setChecked(True)
    dialog.phone.setText("")
    dialog.red_flags.all_asked.setChecked(True)
    dialog.save()
    wait_until(lambda: dialog.fields.message("phone").isVisible())
    written.append(save_grab(dialog, folder / "request-intake.png"))
    dialog.red_flags.all_asked.setChecked(False)
    next(iter(dialog.red_flags.boxes.values())).setChecked(True)
    wait_until(lambda: dialog.red_flags.instruction_frame.isVisible())
    written.append(save_grab(dialog, folder / "request-intake-red-flag.png"))
    # Unticked again: the instruction stays, the note says what saving records now.
    next(iter(dialog.red_flags.boxes.values())).setChecked(False)
    wait_until()
    written.append(save_grab(dialog, folder / "request-intake-red-flag-unticked.png"))
    dialog.mark_clean()  # nothing to ask about when it closes
    dialog.close()

    # The same caller again, from a new number: her open request and the chart's phone.
    patient_id = area.model.rows[story].patient_id
    call = IntakeForm(patient_id=patient_id, phone="(217) 555-0199", reason="Did my MRI arrive?")
    question = LinkedChartDialog(
        linking.check_link(screen.services, patient_id, call), STORY_PATIENT, window
    )
    question.show()
    written.append(save_grab(question, folder / "request-linked-chart.png"))
    question.close()
    # With a red flag ticked the call cannot join the open request: only a new urgent one.
    flagged = replace(call, red_flags=("bladder_bowel",))
    question = LinkedChartDialog(
        linking.check_link(screen.services, patient_id, flagged), STORY_PATIENT, window
    )
    question.show()
    written.append(save_grab(question, folder / "request-linked-chart-red-flag.png"))
    question.close()
    window.close()
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs/screenshots").absolute()
    actor = Actor(username="demo", role=Role.ADMIN, workstation="screenshots")
    return run_alone(folder, render, actor, 2_000, "frontdesk-request-shots-")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
