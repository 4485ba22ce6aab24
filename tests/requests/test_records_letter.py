"""The records-request letter: its text (extracted from the real PDF), audit, requested dates."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import RefusedError
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.referrers import ReferrerData
from frontdesk.services.practice.forms import PracticeProfileForm
from frontdesk.services.practice.profile import save_profile
from frontdesk.services.requests import intake, letters, reading
from frontdesk.ui.requests.letter import RecordsLetterDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.documents.pdfs import all_text, fills, page_texts, printed_images
from tests.requests.conftest import maria_intake


@pytest.fixture
def profile(context: ServiceContext) -> None:
    save_profile(
        context,
        PracticeProfileForm(
            name="Lakeside Spine Center",
            address="100 Main St\nSpringfield, IL 62701",
            main_phone="(217) 555-0142",
            fax="(217) 555-0143",
        ),
        None,
    )


def test_the_letter_to_the_imaging_centre_names_the_patient_and_what_is_needed(
    context: ServiceContext, profile: None, patel: ReferrerData
) -> None:
    data = intake.create_request(context, maria_intake(referrer_id=patel.id))
    detail = reading.get_request(context, data.id)
    assert letters.letter_addressees(detail) == ["Valley Imaging Center", "Dr. Anil Patel"]
    result = letters.records_request_letter(context, data.id)
    text = " ".join(all_text(result.pdf).split())
    assert "Lakeside Spine Center" in text
    assert "Request for medical records" in text
    assert "Valley Imaging Center" in text
    assert "Núñez-García, María José" in text and "03/04/1961" in text
    assert "Imaging report: MRI May 2024" in text and "Imaging disc or files" in text
    assert "Operative report" not in text  # those are asked of the referring office
    assert "(217) 555-0143" in text
    after = reading.get_request(context, data.id)
    asked = {item.kind for item in after.checklist if item.requested_on is not None}
    assert asked == {ChecklistKind.IMAGING_REPORT, ChecklistKind.IMAGING_FILES}
    with context.reading(None) as session:
        printed = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "records_request_letter")
        ).all()
    assert [entry.patient_id for entry in printed] == [data.patient_id]


def test_the_letter_to_the_referring_office_carries_its_address(
    context: ServiceContext, profile: None, patel: ReferrerData
) -> None:
    data = intake.create_request(context, maria_intake(referrer_id=patel.id))
    result = letters.records_request_letter(context, data.id, addressee="Dr. Anil Patel")
    text = " ".join(all_text(result.pdf).split())
    assert "12 River Road" in text and "Fax (217) 555-0100" in text
    assert "Operative report: surgery 1 of 2" in text
    assert "Operative report: last surgery (2021)" in text


def test_nothing_missing_means_no_letter(context: ServiceContext, profile: None) -> None:
    data = intake.create_request(
        context, maria_intake(prior_surgery=False, imaging_modality="", imaging_when="")
    )
    with pytest.raises(RefusedError, match="nothing to ask for"):
        letters.records_request_letter(context, data.id, addressee="Someone")


def test_the_letter_is_saved_from_the_request(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, profile: None, tmp_path: Path
) -> None:
    data = intake.create_request(context, maria_intake())
    dialog = RecordsLetterDialog(screen, reading.get_request(context, data.id))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.addressee.currentText() == "Valley Imaging Center"
    target = tmp_path / "letter.pdf"
    with qtbot.waitSignal(dialog.done_with, timeout=20_000):
        dialog.save_to(target)
    assert "Valley Imaging Center" in all_text(target.read_bytes())
    assert "Saved to letter.pdf" in dialog.banner.text


def test_the_letter_prints_every_page_without_poppler(
    qtbot: QtBot,
    screen: ScreenContext,
    context: ServiceContext,
    profile: None,
    tmp_path: Path,
    without_pdftoppm: None,
) -> None:
    data = intake.create_request(context, maria_intake())
    dialog = RecordsLetterDialog(screen, reading.get_request(context, data.id))
    qtbot.addWidget(dialog)
    dialog.show()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(150)
    with qtbot.waitSignal(dialog.done_with, timeout=20_000) as done:
        dialog.print_to(printer)
    assert "Sent to the printer" in dialog.banner.text, dialog.banner.text
    printed = printed_images(tmp_path / "printed.pdf")
    assert len(printed) == len(page_texts(done.args[0].pdf))
    assert all(fills(images, printer.width(), printer.height()) for images in printed)
