"""Screenshots of the Handouts area with a personalized preview, Give handouts, the chart's
"Handouts given" tab and the Pre-visit packets dialog with a personal note, on a demo database.

``render(screen, folder)`` is the hook `make screenshots` calls with its own demo database;
``python -m tools.screenshots.handouts FOLDER`` builds a small demo database itself.
Saved handouts go to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QWidget

from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.handouts import handout_prints
from frontdesk.services.patients.search import search
from frontdesk.services.scheduling import calendars
from frontdesk.ui.handouts.area import HandoutsArea
from frontdesk.ui.handouts.given_tab import HandoutsGivenTab
from frontdesk.ui.handouts.packets_dialog import PacketsDialog
from frontdesk.ui.screen_context import ScreenContext
from tools.screenshots import schedule
from tools.screenshots.capture import main_window, run_alone, save_grab, sized, wait_until

STORY_PATIENT = "nunez maria jose"  # scenario 1's caller, in every demo database
NOTE = "Traiga el disco de su resonancia de mayo de 2024 y la lista de sus medicinas."
PERSONAL_NOTES = {
    "es": "Traiga su andador, por favor: la rampa está a la izquierda de la entrada.",
    "en": "Please bring your walker: the ramp is to the left of the entrance.",
}


_wait = partial(wait_until, timeout=30.0)


def packets_dialog(screen: ScreenContext) -> PacketsDialog:
    """The Pre-visit packets dialog on a busy day of the demo, its patients listed and one of
    them (a Spanish speaker where there is one) given a personal note."""
    day, provider_ids = schedule.prepare(screen.services)
    booked = calendars.day_appointments(screen.services, day, provider_ids, include_inactive=False)
    busiest = max(provider_ids, key=lambda pid: sum(1 for a in booked if a.provider_id == pid))
    dialog = PacketsDialog(screen, day, busiest)
    dialog.show()
    _wait(lambda: bool(dialog.patients.records) and not dialog._patients_loading)
    records = dialog.patients.records
    chosen = next((p for p in records if p.language == "es"), records[min(1, len(records) - 1)])
    dialog.set_personal_note(chosen.id, PERSONAL_NOTES.get(chosen.language, PERSONAL_NOTES["en"]))
    dialog.patient_table.selectRow(dialog.patients.row_of(chosen.id))
    dialog.patient_table.setFocus()
    _wait()
    return dialog


def close_packets_dialog(dialog: PacketsDialog) -> None:
    dialog.mark_clean()  # nothing to ask about when it closes
    dialog.close()


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """Write handouts.png, handouts-give.png, patient-handouts-given.png,
    handouts-packets.png and handouts-packets-personal-note.png."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    scratch = Path(tempfile.mkdtemp(prefix="frontdesk-handout-shots-"))
    try:
        found = search(screen.services, STORY_PATIENT, limit=1).items
        if not found:
            raise LookupError("the demo database has no scenario patient")
        summary = found[0]
        window = main_window(screen, settings_folder=scratch)
        window.show_area("handouts")
        area = window.current_area()
        assert isinstance(area, HandoutsArea)
        _wait(lambda: area.model.rowCount() > 0)
        area.set_patient(summary)
        _wait(lambda: area.selected_summary() is not None)
        for row, record in enumerate(area.model.records):
            if record.id == "failed-back-syndrome" and record.language == "es":
                area.table.selectRow(row)
        area.options.note.setPlainText(NOTE)
        area.preview.refresh_now()
        _wait(lambda: area.pages.page_count() > 0 and not area.preview.pending)
        written.append(save_grab(window, folder / "handouts.png"))
        window.close()

        # Something given before, so the chart's tab has a history to show.
        rendered = handout_prints.prepare(
            screen.services, "preparing-for-consultation", "es", summary.id, note=NOTE
        )
        handout_prints.save_given(screen.services, rendered, scratch / "preparing.pdf")
        tab = HandoutsGivenTab(screen, summary.id)
        sized(tab, 1000, 360)
        tab.show()
        _wait(lambda: bool(tab.records))
        written.append(save_grab(tab, folder / "patient-handouts-given.png"))

        opened: list[QWidget] = []
        tab.dialog_opened.connect(opened.append)
        tab.give_handouts()
        _wait(lambda: bool(opened))
        dialog = opened[0]
        _wait(lambda: dialog.list.count() > 0)  # type: ignore[attr-defined]
        dialog.tick("failed-back-syndrome")  # type: ignore[attr-defined]
        dialog.tick("mri-ct-scan")  # type: ignore[attr-defined]
        _wait(lambda: dialog.pages.page_count() > 0)  # type: ignore[attr-defined]
        written.append(save_grab(dialog, folder / "handouts-give.png"))
        dialog.done(0)  # type: ignore[attr-defined]
        tab.close()
        screen.runner.wait_for_idle()

        packets = packets_dialog(screen)
        written.append(save_grab(packets, folder / "handouts-packets.png"))
        editor = packets.edit_personal_note()
        assert editor is not None
        _wait()
        written.append(save_grab(editor, folder / "handouts-packets-personal-note.png"))
        editor.done(0)
        close_packets_dialog(packets)
        screen.runner.wait_for_idle()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return written


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "docs/screenshots").absolute()
    actor = Actor("maria.lopez", Role.ADMIN, workstation="front-desk-1")
    return run_alone(folder, render, actor, 300, "frontdesk-shots-")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
