"""The day sheet: its rows (DOB, phone, type, reason, records arrived), the PDF's text and
pages, and the audit entries of printing and saving it, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.documents.page_images import PdfPages, pixel_size
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.domain.request_states import ChecklistKind, RequestState
from frontdesk.domain.scheduling import CancelledBy
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import update_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.requests import checklist, intake, states
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.scheduling import booking, day_sheet, status
from frontdesk.services.scheduling.data import BookingForm
from frontdesk.ui.handouts.printing import MAX_PRINT_DPI
from frontdesk.ui.runner import Runner
from frontdesk.ui.scheduling.day_sheet import DaySheetDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.documents.pdfs import fills, printed_images
from tests.scheduling.conftest import Practice, at, next_weekday

MONDAY = next_weekday(0)
QT_NOISE = (
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    # A name wrapped in its cell reads back over two lines.
    return " ".join(unicodedata.normalize("NFC", text).split())


def book(clinic: Practice, patient: int, hour: int, minute: int = 0, **changes: object) -> int:
    values: dict[str, object] = {
        "patient_id": clinic.patients[patient].id,
        "provider_id": clinic.okafor,
        "type_id": clinic.type_id("Follow-up"),
        "start": at(MONDAY, hour, minute),
        "reason": "Leg pain after L4-L5 fusion",
    }
    values.update(changes)
    return booking.book(clinic.context, BookingForm(**values)).id  # type: ignore[arg-type]


@pytest.fixture
def monday(clinic: Practice) -> dict[str, int]:
    """Monday at Okafor's: María José (MRI report in, images not), Seán (booked from a
    request still missing its referral letter), Hoa (cancelled: not on the sheet); and
    Lindqvist sees Zoë."""
    context = clinic.context
    maria, sean = clinic.patients[0].id, clinic.patients[1].id
    add_imaging(
        context,
        maria,
        ImagingForm(modality="mri", regions="lumbar", date="2/2025", report_received_on="3/1/2025"),
    )
    add_surgery(context, maria, SurgeryForm(procedure="microdiscectomy", date="2019"))
    request = intake.create_request(
        context,
        IntakeForm(
            patient_id=sean,
            phone="(217) 555-0142",
            reason="Neck pain",
            category="second_opinion",
        ),
    )
    checklist.add_checklist_item(context, request.id, ChecklistKind.REFERRAL_LETTER)
    states.transition(context, request.id, RequestState.READY_TO_SCHEDULE)
    ids = {
        "maria": book(clinic, 0, 8),
        "sean": book(
            clinic,
            1,
            9,
            request_id=request.id,
            type_id=clinic.type_id("New consultation"),
            reason="Second opinion <neck> & arm",
        ),
        "hoa": book(clinic, 2, 10),
        "zoe": book(clinic, 3, 9, provider_id=clinic.lindqvist),
    }
    status.cancel(context, ids["hoa"], by=CancelledBy.PATIENT, reason="Feeling better")
    return ids


def test_rows_carry_what_the_desk_needs_and_skip_cancelled(
    clinic: Practice, monday: dict[str, int]
) -> None:
    sheet = day_sheet.day_sheet(clinic.context, MONDAY, [clinic.okafor])
    assert [section.provider_name for section in sheet.sections] == ["Adaeze Okafor, MD"]
    rows = sheet.sections[0].rows
    assert [row.appointment_id for row in rows] == [monday["maria"], monday["sean"]]
    maria, sean = rows
    assert maria.patient_name == "Núñez-García, María José"
    assert f"{maria.date_of_birth:%m/%d/%Y}" == "03/04/1961"
    assert maria.phone == "(217) 555-0188"
    assert maria.type_name == "Follow-up"
    assert maria.records.startswith("MRI lumbar February 2025: report ✓, images missing")
    assert "Missing: op report (microdiscectomy 2019)" in maria.records
    assert not maria.records_complete
    assert "Missing: referral letter" in sean.records
    assert sean.reason == "Second opinion <neck> & arm"
    # Every provider with appointments, each in a section of their own.
    everyone = day_sheet.day_sheet(clinic.context, MONDAY)
    assert [len(section.rows) for section in everyone.sections] == [1, 2]
    assert everyone.sections[0].provider_name == "Erik Lindqvist, MD"


def test_records_text_says_complete_when_nothing_is_missing() -> None:
    assert day_sheet.records_text(None) == ("no imaging or surgery recorded", True)
    assert day_sheet.records_text(
        None, [(ChecklistKind.INSURANCE_AUTHORIZATION, "Insurance authorization")]
    ) == ("Missing: insurance authorization", False)


def test_the_pdf_prints_names_exactly_with_page_numbers(
    clinic: Practice, monday: dict[str, int], tmp_path: Path
) -> None:
    printed = day_sheet.print_day_sheet(clinic.context, MONDAY, None, printer="Front desk")
    text = pdf_text(printed.pdf)
    for expected in (
        "Núñez-García, María José",
        "O'Connor, Seán",
        "03/04/1961",
        "(217) 555-0142",
        "Second opinion <neck> & arm",
        "MRI lumbar February 2025: report ✓, images missing",
        "referral letter",
        "Erik Lindqvist, MD",
        "Adaeze Okafor, MD",
        "Page 1 of 2",
        "Page 2 of 2",
    ):
        assert expected in text, expected
    assert "Nguyễn" not in text  # Hoa cancelled: not on the sheet
    reader = PdfReader(io.BytesIO(printed.pdf))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape


def test_a_vietnamese_name_prints_with_its_marks(clinic: Practice) -> None:
    book(clinic, 2, 11)
    text = pdf_text(day_sheet.preview_day_sheet(clinic.context, MONDAY).pdf)
    assert "Nguyễn Thị, Hoa" in text
    assert "no imaging or surgery recorded" in text


def test_printing_and_saving_are_recorded_per_chart_and_preview_is_not(
    clinic: Practice, monday: dict[str, int], tmp_path: Path
) -> None:
    def entries() -> list[AuditEntry]:
        with clinic.context.reading(None) as session:
            return list(
                session.scalars(
                    select(AuditEntry)
                    .where(AuditEntry.entity == "day_sheet")
                    .order_by(AuditEntry.id)
                )
            )

    day_sheet.preview_day_sheet(clinic.context, MONDAY, [clinic.okafor])
    assert entries() == []
    day_sheet.print_day_sheet(clinic.context, MONDAY, [clinic.okafor], printer="Front desk")
    printed = entries()
    assert {entry.action for entry in printed} == {"print"}
    assert sorted(entry.patient_id for entry in printed) == sorted(
        [clinic.patients[0].id, clinic.patients[1].id]
    )
    assert "Front desk" in printed[0].details
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "sheet.pdf"
    saved = day_sheet.save_day_sheet(clinic.context, MONDAY, [clinic.okafor], target)
    assert target.read_bytes() == saved.pdf
    assert len(entries()) == 4
    assert "sheet.pdf" in entries()[-1].details
    assert [p.name for p in folder.iterdir()] == ["sheet.pdf"]  # no leftover temporary


def test_saving_into_a_missing_folder_is_refused_and_writes_nothing(
    clinic: Practice, monday: dict[str, int], tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="no folder"):
        day_sheet.save_day_sheet(clinic.context, MONDAY, None, tmp_path / "nope" / "s.pdf")
    with clinic.context.reading(None) as session:
        assert session.scalar(select(AuditEntry.id).where(AuditEntry.entity == "day_sheet")) is None


def test_an_empty_day_says_so(clinic: Practice) -> None:
    text = pdf_text(day_sheet.preview_day_sheet(clinic.context, MONDAY).pdf)
    assert "No appointments on this day" in text
    text = pdf_text(day_sheet.preview_day_sheet(clinic.context, MONDAY, [clinic.okafor]).pdf)
    assert "Adaeze Okafor, MD · 0 appointments" in text


def test_the_sheet_renders_to_page_images(
    clinic: Practice, monday: dict[str, int], without_pdftoppm: None
) -> None:
    pages = PdfPages(day_sheet.preview_day_sheet(clinic.context, MONDAY).pdf)
    assert pages.page_count == 2
    width, height = pixel_size(pages, 1, 60)
    assert width > height  # landscape
    assert pages.render(1, width, height).width == width
    pages.close()


# --- the dialog ---------------------------------------------------------------------------


@pytest.fixture
def screen(
    qtbot: QtBot, context: ServiceContext, without_pdftoppm: None
) -> Iterator[ScreenContext]:
    runner = Runner()
    yield ScreenContext(context, runner)
    runner.wait_for_idle()
    QCoreApplication.processEvents()


def open_dialog(
    qtbot: QtBot, screen: ScreenContext, provider_ids: list[int] | None
) -> DaySheetDialog:
    dialog = DaySheetDialog(screen, MONDAY, provider_ids)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview.shown, timeout=20_000):
        dialog.show()
    return dialog


@pytest.mark.qt_log_ignore(*QT_NOISE)
def test_the_dialog_previews_the_chosen_providers(
    qtbot: QtBot, screen: ScreenContext, clinic: Practice, monday: dict[str, int]
) -> None:
    dialog = open_dialog(qtbot, screen, None)
    assert dialog.view.page_count() == 2  # a page per provider with appointments
    assert dialog.chosen_providers() is None
    okafor = next(
        dialog.providers.item(row)
        for row in range(dialog.providers.count())
        if dialog.providers.item(row).text() == "Adaeze Okafor, MD"
    )
    with qtbot.waitSignal(dialog.preview.shown, timeout=20_000) as shown:
        okafor.setCheckState(Qt.CheckState.Checked)
    assert dialog.chosen_providers() == [clinic.okafor]
    assert dialog.view.page_count() == 1
    assert shown.args[0].data.appointment_count == 2
    assert "2 appointments" in dialog.view.accessibleDescription()


@pytest.mark.qt_log_ignore(*QT_NOISE)
def test_the_dialog_saves_and_prints_and_both_are_recorded(
    qtbot: QtBot,
    screen: ScreenContext,
    clinic: Practice,
    monday: dict[str, int],
    tmp_path: Path,
) -> None:
    dialog = open_dialog(qtbot, screen, [clinic.okafor])
    target = tmp_path / "out" / "monday.pdf"
    target.parent.mkdir()
    with qtbot.waitSignal(dialog.printed, timeout=20_000):
        dialog.save_to(target)
    assert "Núñez-García" in pdf_text(target.read_bytes())
    assert "Saved to monday.pdf" in dialog.banner.text
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    with qtbot.waitSignal(dialog.printed, timeout=60_000):
        dialog.print_to(printer)
    assert "Sent to the printer" in dialog.banner.text
    # One page, drawn for the printer: a PDF printer says 1200 dpi, pages are drawn at
    # MAX_PRINT_DPI across its printable area.
    (images,) = printed_images(tmp_path / "printed.pdf")
    assert printer.resolution() == 1200
    scale = 1200 // MAX_PRINT_DPI
    assert fills(images, round(printer.width() / scale), round(printer.height() / scale))
    with clinic.context.reading(None) as session:
        details = list(
            session.scalars(select(AuditEntry.details).where(AuditEntry.entity == "day_sheet"))
        )
    assert len(details) == 4  # two charts, saved once and printed once
    assert sum("PDF file" in text for text in details) == 2


def test_the_chart_s_language_and_interpreter_need_are_on_the_sheet(clinic: Practice) -> None:
    hoa = clinic.patients[2]
    update_patient(
        clinic.context,
        hoa.id,
        PatientForm(
            first_name="Hoa",
            last_name="Nguyễn Thị",
            date_of_birth="11/30/1975",
            mobile_phone="(217) 555-0177",
            preferred_language="Vietnamese",
            interpreter_needed=True,
        ),
        hoa.version,
    )
    book(clinic, 2, 11)
    book(clinic, 3, 10)
    sheet = day_sheet.day_sheet(clinic.context, MONDAY, [clinic.okafor])
    languages = {row.patient_name: row.language_text for row in sheet.sections[0].rows}
    assert languages == {"Nguyễn Thị, Hoa": "Interpreter: Vietnamese", "Adams, Zoë": ""}
    text = pdf_text(day_sheet.preview_day_sheet(clinic.context, MONDAY).pdf)
    assert "Interpreter: Vietnamese" in text
