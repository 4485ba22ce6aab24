"""Screenshots of a chart with a rich surgery and imaging history, its form and its viewer.

``render(screen, folder)`` writes the PNGs using the screen's database (it adds a few entries
to scenario 1's patient); ``python -m tools.screenshots.history FOLDER`` builds a
small demo database itself first.
"""

from __future__ import annotations

import io
import sys
from datetime import date, timedelta
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from frontdesk.domain.actor import Actor
from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.domain.permissions import Role
from frontdesk.services.history import received_documents
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.summary import get_history
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.patients.search import search
from frontdesk.ui.history.dialogs import SurgeryDialog
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.screen_context import ScreenContext
from tools.screenshots.capture import run_alone, save_grab, sized, wait_until

STORY_PATIENT = "nunez maria jose"


def _faxed_report() -> bytes:
    """A one-page "faxed" MRI report (invented)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    lines = [
        ("Helvetica-Bold", 16, "Lakeview Imaging Center"),
        ("Helvetica", 10, "Fax received 05/28/2024 14:02  ·  Page 1 of 1"),
        ("Helvetica-Bold", 12, "MRI LUMBAR SPINE WITHOUT CONTRAST"),
        ("Helvetica", 11, "Patient: NUNEZ-GARCIA, MARIA JOSE   DOB 03/04/1961"),
        ("Helvetica", 11, "Ordering: Anil Patel, MD"),
        ("Helvetica-Bold", 11, "Findings:"),
        ("Helvetica", 11, "Postsurgical changes L3-L5 with pedicle screws; no loosening."),
        ("Helvetica", 11, "L2-L3: adjacent segment degeneration with moderate stenosis."),
        ("Helvetica", 11, "L5-S1: mild disc bulge, no neural compression."),
        ("Helvetica-Bold", 11, "Impression:"),
        ("Helvetica", 11, "Adjacent segment disease at L2-L3 above the fusion."),
    ]
    y = 760
    for font, size, text in lines:
        canvas.setFont(font, size)
        canvas.drawString(60, y, text)
        y -= size + 12
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def enrich_history(screen: ScreenContext, patient_id: int) -> None:
    """Scenario 1's patient after the records arrived, plus a revision and older studies."""
    context = screen.services
    shown = get_history(context, patient_id)
    first = shown.surgeries[0] if shown.surgeries else None
    add_surgery(
        context,
        patient_id,
        SurgeryForm(
            procedure="revision fusion",
            fusion_approach="posterolateral",
            date="3/15/2023",
            levels="L3-S1",
            surgeon="Dr. Priya Raman",
            facility="University Hospital",
            instrumentation=True,
            instrumentation_description="revision screws L3-S1, S1 screws replaced",
            revises_id=first.id if first else None,
            outcome="worse",
            fusion_status="unknown",
            complications="dural tear, repaired",
            report_requested_on=date.today() - timedelta(days=12),
        ),
    )
    add_imaging(
        context,
        patient_id,
        ImagingForm(
            modality="CT",
            regions="lumbar",
            date="2022",
            facility="St. Mary's Radiology",
            report_received_on="1/5/2023",
            images_medium="disc",
            images_received_on="1/5/2023",
            disc_location="records room, shelf 2",
            findings="lucency around the S1 screws",
        ),
    )
    add_imaging(
        context,
        patient_id,
        ImagingForm(
            modality="flexion-extension X-ray",
            regions="lumbar",
            date="about 2020",
            facility="Riverside Radiology",
        ),
    )
    add_imaging(
        context,
        patient_id,
        ImagingForm(
            modality="EMG/NCS",
            date="September 2023",
            facility="Prairie Neurology",
            report_received_on="10/2/2023",
        ),
    )
    mri = next(
        (
            study
            for study in get_history(context, patient_id).imaging
            if study.modality.value == "mri"
        ),
        None,
    )
    if mri is not None:
        received_documents.attach_document(
            context, _faxed_report(), "MRI report Lakeview 2024-05.pdf", imaging_id=mri.id
        )


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """Write history-surgeries.png, history-imaging.png, history-timeline.png,
    history-surgery-form.png and history-document.png."""
    folder.mkdir(parents=True, exist_ok=True)
    found = search(screen.services, STORY_PATIENT, limit=1).items
    if not found:
        raise RuntimeError("scenario 1's patient is not in this database; load the demo first")
    patient_id = found[0].id
    enrich_history(screen, patient_id)
    written: list[Path] = []
    chart = PatientChart(screen, patient_id)
    sized(chart, 1280, 720)
    chart.show()
    wait_until(
        lambda: (
            chart.patient is not None
            and chart.surgery_history.loaded
            and chart.imaging.loaded
            and chart.timeline.loaded
            and bool(chart.history_summary.text())
        )
    )
    chart.tabs.setCurrentWidget(chart.surgery_history)
    chart.surgery_history.table.selectRow(0)
    wait_until(lambda: True)
    written.append(save_grab(chart, folder / "history-surgeries.png"))
    chart.tabs.setCurrentWidget(chart.imaging)
    chart.imaging.table.selectRow(0)
    wait_until(lambda: True)
    written.append(save_grab(chart, folder / "history-imaging.png"))
    chart.tabs.setCurrentWidget(chart.timeline)
    wait_until(lambda: True)
    written.append(save_grab(chart, folder / "history-timeline.png"))

    chart.tabs.setCurrentWidget(chart.surgery_history)
    dialog = chart.surgery_history.add_entry()
    assert isinstance(dialog, SurgeryDialog)
    wait_until(lambda: dialog.isVisible())
    dialog.date.setText("about 2017")
    dialog.procedure.setCurrentIndex(dialog.procedure.findText("Microdiscectomy"))
    dialog.levels.setText("L5/S1")
    dialog.surgeon.setText("Dr. Tomasz Nowak")
    dialog.report_received_on.setText("13/40/2024")
    wait_until(lambda: True)
    written.append(save_grab(dialog, folder / "history-surgery-form.png"))
    dialog.mark_clean()
    dialog.close()

    chart.tabs.setCurrentWidget(chart.imaging)
    with_documents = [
        row
        for row in range(chart.imaging.model.rowCount())
        if chart.imaging.model.record(row).documents
    ]
    if with_documents:
        chart.imaging.table.selectRow(with_documents[0])
        viewer = chart.imaging.view_documents()
        assert viewer is not None
        sized(viewer, 820, 900)
        wait_until(
            lambda: viewer.pages.page_count() > 0 and not viewer.pages.page_pixmap(0).isNull()
        )
        written.append(save_grab(viewer, folder / "history-document.png"))
        viewer.close()
    chart.close()
    screen.runner.wait_for_idle()
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tools.screenshots.history FOLDER", file=sys.stderr)
        return 2
    actor = Actor("office.manager", Role.ADMIN, workstation="desk-1", display_name="Office Manager")
    return run_alone(Path(argv[0]), render, actor, 500, "frontdesk-history-shots-")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
