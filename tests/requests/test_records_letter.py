"""The records-request letter: its text (extracted from the real PDF), audit, requested dates."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import RefusedError
from frontdesk.domain.history_records import SurgeryForm
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.history.summary import get_history
from frontdesk.services.history.surgeries import update_surgery
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import referrers
from frontdesk.services.patients.referrers import ReferrerData, ReferrerForm
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
    # Each record as the history knows it: date and study.
    assert "Report: May 2024; MRI lumbar" in text
    assert "Images (disc or secure link): May 2024; MRI lumbar" in text
    assert "Operative report" not in text  # those are asked of the referring office
    assert "(217) 555-0143" in text
    # Signed by a named person with the practice's phone and fax; purpose; confidentiality.
    assert "test.admin for Lakeside Spine Center Phone (217) 555-0142 · Fax (217) 555-0143" in (
        text
    )
    assert "for treatment" in text and "Purpose: treatment" in text
    assert "Confidentiality notice" in text
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
    # The history knows no more than "two operations, the last in 2021": one line asks for
    # every operative report, saying what the patient told us (never "surgery 1" alone).
    assert (
        "Operative reports of every spine operation you hold for this patient (we were told "
        "of: surgery 1 of 2; last surgery (2021))" in text
    )


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
    # The holders arrive from the history: the centre's records are ticked, with their dates.
    qtbot.waitUntil(lambda: bool(dialog.holders), timeout=10_000)
    assert dialog.addressee.currentText() == "Valley Imaging Center"
    texts = [dialog.items.item(row).text() for row in range(dialog.items.count())]
    assert "Report: May 2024; MRI lumbar — Valley Imaging Center" in texts
    ticked = set(dialog.chosen_ids())
    held = {item.id for item in dialog.holders[0].items}
    assert ticked == held and len(ticked) == 2
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


def test_one_letter_per_holder_each_naming_the_operation_and_its_holder(
    context: ServiceContext, profile: None, patel: ReferrerData, tmp_path: Path
) -> None:
    data = intake.create_request(context, maria_intake(referrer_id=patel.id))
    history = get_history(context, data.patient_id)
    last = next(s for s in history.surgeries if s.date is not None)
    update_surgery(
        context,
        last.id,
        SurgeryForm(
            procedure="lumbar fusion",
            fusion_approach="TLIF",
            date="June 2021",
            levels="L4-S1",
            surgeon="Dr. Priya Raman",
            facility="St. Mary's Hospital",
        ),
        last.version,
    )
    # The hospital's records office is in the directory under its name.
    referrers.save_referrer(
        context,
        ReferrerForm(
            last_name="Records",
            practice_name="St. Mary’s Hospital",
            fax="(217) 555-0190",
            address="1 Hospital Way\nSpringfield, IL 62702",
        ),
    )
    folder = tmp_path / "letters"
    folder.mkdir()
    saved = letters.save_letters(context, data.id, folder)
    by_holder = {
        result.addressee: " ".join(all_text(path.read_bytes()).split()) for path, result in saved
    }
    assert set(by_holder) == {"Valley Imaging Center", "St. Mary's Hospital", "Dr. Anil Patel"}
    hospital = by_holder["St. Mary's Hospital"]
    assert "Operative report: June 2021; TLIF L4–S1; surgeon Dr. Priya Raman" in hospital
    assert "1 Hospital Way" in hospital and "Fax (217) 555-0190" in hospital
    assert "MRI" not in hospital and "Referral letter" not in hospital
    office = by_holder["Dr. Anil Patel"]
    assert "Referral letter" in office and "surgery 1 of 2" in office
    assert "June 2021" not in office
    assert sorted(path.name for path, _result in saved) == sorted(p.name for p in folder.iterdir())
    assert all(path.name.startswith(f"records-request-{data.id}-") for path, _ in saved)
    with context.reading(None) as session:
        printed = session.scalars(
            select(AuditEntry.details).where(AuditEntry.entity == "records_request_letter")
        ).all()
    assert len(printed) == 3 and all("file records-request-" in d for d in printed)
    after = reading.get_request(context, data.id)
    assert all(item.requested_on is not None for item in after.missing)
