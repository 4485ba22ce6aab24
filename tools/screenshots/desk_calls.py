"""Screenshots of the desk's phone work: Ctrl+K's quick search, logging a call on a chart,
and Today's calls to return.

``render(screen, folder)`` writes the PNGs using the screen's database (it logs a few calls
on scenario 1's patient and two others); ``python -m tools.screenshots.desk_calls FOLDER``
builds a small demo database itself first.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from frontdesk.db.models_patients import PhoneNote
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.domain.phone_notes import PhoneNoteForm
from frontdesk.services.kernel.clock import today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.phone_notes import calls_to_return, log_call
from frontdesk.services.patients.search import search
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.patients.phone_note_dialog import PhoneNoteDialog
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.today.area import TodayArea
from tools.screenshots.capture import main_window, run_alone, save_grab, sized, wait_until

STORY_PATIENT = "nunez maria jose"
QUICK_FIND_TEXT = "nun"
DEMO_PATIENTS = 2_000


def prepare(context: ServiceContext, patient_id: int) -> None:
    """A few calls to return: one due today, one overdue, and one for next week."""
    if calls_to_return(context).items:
        return
    now = today(context)
    log_call(
        context,
        patient_id,
        PhoneNoteForm(
            "Daughter (Lucía)",
            "Did the MRI from Valley Imaging arrive?",
            promised="Call her back once it is in",
            follow_up_on=now,
        ),
    )
    others = [item.id for item in search(context, "a", limit=3).items if item.id != patient_id]
    if others:
        late = log_call(
            context,
            others[0],
            PhoneNoteForm(
                "Dr Patel's office",
                "Needs the consult note faxed",
                promised="Fax it once Dr Okafor signs",
                follow_up_on=now,
            ),
        )
        # Logged last week: its call-back is overdue now (a new note cannot be dated back).
        with context.writing(None) as uow:
            row = uow.session.get(PhoneNote, late.id)
            if row is not None:
                row.follow_up_on = now - timedelta(days=2)
                uow.commit()
    if len(others) > 1:
        log_call(
            context,
            others[1],
            PhoneNoteForm("The patient", "Refill question", follow_up_on=now + timedelta(7)),
        )


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """Write quick-find.png, phone-note.png, phone-note-message.png and today-calls.png."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    story = search(screen.services, STORY_PATIENT, limit=1).items
    if not story:
        return written
    patient_id = story[0].id
    prepare(screen.services, patient_id)

    window = main_window(screen)
    window.show_area("today")
    area = window.current_area()
    assert isinstance(area, TodayArea)
    wait_until(lambda: area.snapshot is not None and area.calls.calls is not None)

    finder = window.open_quick_find()
    finder.query.setText(QUICK_FIND_TEXT)
    shown: list[bool] = []
    finder.shown.connect(lambda: shown.append(True))
    finder.search_now()
    wait_until(lambda: bool(shown))
    written.append(save_grab(finder, folder / "quick-find.png"))
    finder.reject()

    area.tabs.setCurrentWidget(area.calls)
    wait_until()
    written.append(save_grab(window, folder / "today-calls.png"))

    chart = PatientChart(screen, patient_id)
    sized(chart, 1100, 780)
    chart.show()
    wait_until(lambda: chart.patient is not None)
    dialog = chart.log_call()
    assert isinstance(dialog, PhoneNoteDialog)
    dialog.caller.setText("Spouse")
    dialog.subject.setText("Asks if the surgery date can move")
    dialog.promised.setPlainText("Ask Dr Okafor's scheduler and call back")
    dialog.follow_up.setText("+2")
    wait_until()
    written.append(save_grab(dialog, folder / "phone-note.png"))
    dialog.follow_up.setText("soon")
    dialog.subject.clear()
    dialog.save()
    wait_until(lambda: not dialog.saving and dialog.fields.message("subject").isVisible())
    written.append(save_grab(dialog, folder / "phone-note-message.png"))
    dialog.mark_clean()
    dialog.reject()
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
