"""Received documents: real files checked, stored on both databases, marking items received."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject
from sqlalchemy import func, select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.db.models_history import ReceivedDocument
from frontdesk.domain.errors import PermissionDeniedError, ValidationError
from frontdesk.domain.history_records import ImagingData, ImagingForm, SurgeryData, SurgeryForm
from frontdesk.services.history import received_documents
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.received_documents import MAX_DOCUMENT_BYTES
from frontdesk.services.history.summary import get_history
from frontdesk.services.history.surgeries import add_surgery, delete_surgery
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from tests.history.conftest import make_image, make_pdf

WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(4000)


def surgery(context: ServiceContext, patient: PatientData) -> SurgeryData:
    return add_surgery(
        context,
        patient.id,
        SurgeryForm(procedure="lumbar fusion", fusion_approach="TLIF", date="2019", levels="L4-L5"),
    )


def study(context: ServiceContext, patient: PatientData) -> ImagingData:
    return add_imaging(
        context, patient.id, ImagingForm(modality="MRI", regions="lumbar", date="May 2024")
    )


def document_count(database: Database) -> int:
    with database.read_sessions() as session:
        return int(session.scalar(select(func.count()).select_from(ReceivedDocument)) or 0)


def test_a_pdf_report_is_stored_and_marks_the_operative_report_received(
    database: Database, context: ServiceContext, front_desk: ServiceContext, maria: PatientData
) -> None:
    entry = surgery(context, maria)  # entered by the admin, attached by the front desk
    pdf = make_pdf("Operative report", "L4-L5 TLIF", pages=3)
    result = received_documents.attach_document(
        front_desk, pdf, "C:\\scans\\op report.pdf", surgery_id=entry.id
    )
    info = result.document
    assert not result.already_attached
    assert info.file_name == "op report.pdf"
    assert info.mime_type == "application/pdf" and info.page_count == 3
    assert info.size_bytes == len(pdf)
    assert info.sha256 == hashlib.sha256(pdf).hexdigest()
    assert info.received_by == "desk.anna" and info.kind == "operative_report"
    assert result.marked_received.startswith("operative report received")
    shown = get_history(context, maria.id).surgery(entry.id)
    assert shown.report_received_on == get_history(context, maria.id).today
    assert shown.report_received_by == "desk.anna"
    assert [d.id for d in shown.documents] == [info.id]
    assert not get_history(context, maria.id).summary.missing
    content = received_documents.document_content(context, info.id)
    assert content.data == pdf
    with database.read_sessions() as session:
        views = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "received_documents", AuditEntry.action == "view"
            )
        ).all()
    assert [(v.entity_id, v.patient_id) for v in views] == [(str(info.id), maria.id)]


def test_attaching_to_a_study_marks_its_report_received_but_keeps_an_earlier_date(
    context: ServiceContext, maria: PatientData
) -> None:
    scan = study(context, maria)
    result = received_documents.attach_document(
        context, make_image("JPEG"), "mri.jpg", imaging_id=scan.id
    )
    assert result.document.mime_type == "image/jpeg"
    received = get_history(context, maria.id).imaging[0]
    assert received.report_received and not received.images_received
    earlier = add_imaging(
        context,
        maria.id,
        ImagingForm(modality="CT", regions="lumbar", date="2023", report_received_on="2/1/2024"),
    )
    again = received_documents.attach_document(
        context, make_pdf("CT report"), "ct.pdf", imaging_id=earlier.id
    )
    assert again.marked_received == ""
    shown = next(i for i in get_history(context, maria.id).imaging if i.id == earlier.id)
    assert shown.report_received_on == date(2024, 2, 1)


def test_a_multi_page_fax_tiff_is_accepted(context: ServiceContext, maria: PatientData) -> None:
    pages = [Image.new("1", (200, 260), 1) for _ in range(2)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:], compression="group4")
    result = received_documents.attach_document(
        context, buffer.getvalue(), "fax.TIF", surgery_id=surgery(context, maria).id
    )
    assert result.document.mime_type == "image/tiff" and result.document.page_count == 2


def test_the_same_file_twice_is_recognized_and_stored_once(
    database: Database, context: ServiceContext, maria: PatientData
) -> None:
    entry = surgery(context, maria)
    pdf = make_pdf("Operative report")
    first = received_documents.attach_document(context, pdf, "report.pdf", surgery_id=entry.id)
    second = received_documents.attach_document(context, pdf, "report (1).pdf", surgery_id=entry.id)
    assert second.already_attached and second.document.id == first.document.id
    assert "already attached" in second.message
    assert document_count(database) == 1
    # The same file on another entry of the chart is stored there and the overlap named.
    elsewhere = received_documents.attach_document(
        context, pdf, "report.pdf", imaging_id=study(context, maria).id
    )
    assert not elsewhere.already_attached
    assert elsewhere.also_attached_to == ("the surgery L4–L5 TLIF 2019",)
    assert document_count(database) == 2


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (WINDOWS_PROGRAM, "report.pdf", "is not a PDF: it looks like a Windows program"),
        (WINDOWS_PROGRAM, "scan.png", "it looks like a Windows program"),
        (b"\x7fELF\x02\x01\x01" + bytes(100), "scan.jpg", "it looks like a program"),
        (b"PK\x03\x04" + bytes(100), "letter.pdf", "a ZIP archive"),
        (make_pdf("x"), "setup.exe", "not a document we can attach"),
        (make_pdf("x"), "notes", "not a document we can attach"),
        (make_pdf("Operative report")[:700], "cut off.pdf", "damaged PDF"),
        (b"%PDF-1.4\n" + bytes(range(256)) * 20, "junk.pdf", "damaged PDF"),
        (make_image("PNG"), "photo.jpg", "really a PNG"),
        (make_image("PNG")[:60], "half.png", "damaged image"),
        (make_image("GIF"), "anim.png", "not a PDF, PNG, JPEG or TIFF"),
        (b"", "empty.pdf", "is empty"),
    ],
)
def test_a_file_that_is_not_what_its_name_claims_is_refused(
    database: Database,
    context: ServiceContext,
    maria: PatientData,
    data: bytes,
    name: str,
    words: str,
) -> None:
    entry = surgery(context, maria)
    with pytest.raises(ValidationError) as caught:
        received_documents.attach_document(context, data, name, surgery_id=entry.id)
    assert words in caught.value.fields["file"]
    assert document_count(database) == 0
    assert not get_history(context, maria.id).surgery(entry.id).report_received


def test_a_file_over_50_megabytes_is_refused_before_it_is_read(
    database: Database, context: ServiceContext, maria: PatientData, tmp_path: Path
) -> None:
    entry = surgery(context, maria)
    too_big = b"%PDF-1.4\n" + bytes(MAX_DOCUMENT_BYTES + 1 - 9)
    assert len(too_big) == MAX_DOCUMENT_BYTES + 1
    with pytest.raises(ValidationError, match="the limit is 50 MB"):
        received_documents.attach_document(context, too_big, "huge.pdf", surgery_id=entry.id)
    sparse = tmp_path / "huge.pdf"
    with sparse.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(ValidationError, match=r"50\.0 MB; the limit is 50 MB"):
        received_documents.attach_file(context, sparse, surgery_id=entry.id)
    assert document_count(database) == 0


@pytest.mark.slow
def test_a_document_just_under_the_limit_round_trips_on_both_databases(
    context: ServiceContext, maria: PatientData
) -> None:
    # A page whose content stream is 45 MB: the size of a long scanned report.
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    stream = DecodedStreamObject()
    stream.set_data(b"% " + os.urandom(22_500_000).hex().encode() + b"\n")
    page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf = buffer.getvalue()
    assert 40 * 1024 * 1024 < len(pdf) <= MAX_DOCUMENT_BYTES
    result = received_documents.attach_document(
        context, pdf, "scan.pdf", surgery_id=surgery(context, maria).id
    )
    assert received_documents.document_content(context, result.document.id).data == pdf


def test_attach_file_reads_from_disk(
    context: ServiceContext, maria: PatientData, tmp_path: Path
) -> None:
    path = tmp_path / "Informe de resonancia.pdf"
    path.write_bytes(make_pdf("MRI report"))
    result = received_documents.attach_file(context, path, imaging_id=study(context, maria).id)
    assert result.document.file_name == "Informe de resonancia.pdf"
    with pytest.raises(ValidationError, match="cannot be read"):
        received_documents.attach_file(context, tmp_path / "missing.pdf", imaging_id=1)


def test_deleting_an_entry_deletes_its_documents(
    database: Database, context: ServiceContext, maria: PatientData
) -> None:
    entry = surgery(context, maria)
    received_documents.attach_document(context, make_pdf("a"), "a.pdf", surgery_id=entry.id)
    current = get_history(context, maria.id).surgery(entry.id)
    deleted = delete_surgery(context, entry.id, current.version)
    assert deleted.documents_deleted == 1
    assert document_count(database) == 0


def test_only_the_attacher_or_clinical_staff_remove_a_document(
    context: ServiceContext,
    front_desk: ServiceContext,
    other_front_desk: ServiceContext,
    clinical: ServiceContext,
    maria: PatientData,
) -> None:
    entry = surgery(context, maria)
    one = received_documents.attach_document(
        front_desk, make_pdf("1"), "1.pdf", surgery_id=entry.id
    )
    two = received_documents.attach_document(
        front_desk, make_pdf("2"), "2.pdf", surgery_id=entry.id
    )
    with pytest.raises(PermissionDeniedError, match=r"attached by desk\.anna"):
        received_documents.remove_document(other_front_desk, one.document.id)
    received_documents.remove_document(front_desk, one.document.id)
    received_documents.remove_document(clinical, two.document.id)
    assert received_documents.list_documents(context, maria.id) == []


def test_documents_follow_a_merged_chart(context: ServiceContext, maria: PatientData) -> None:
    from frontdesk.services.patients.edit import create_patient
    from frontdesk.services.patients.forms import PatientForm
    from frontdesk.services.patients.merge import merge_patients

    other = create_patient(
        context,
        PatientForm(first_name="Maria", last_name="Nunez", date_of_birth="3/4/1961"),
        allow_duplicates=True,
    )
    attached = received_documents.attach_document(
        context, make_pdf("x"), "x.pdf", surgery_id=surgery(context, other).id
    )
    merge_patients(context, maria.id, other.id)
    assert [d.id for d in received_documents.list_documents(context, maria.id)] == [
        attached.document.id
    ]


def test_pages_are_rendered_in_memory_for_the_viewer(
    context: ServiceContext,
    maria: PatientData,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.chdir(scratch)
    monkeypatch.setenv("TMPDIR", str(scratch))
    entry = surgery(context, maria)
    pdf = received_documents.attach_document(
        context, make_pdf("Operative report", pages=3), "op.pdf", surgery_id=entry.id
    )
    shown = received_documents.document_pages(context, pdf.document.id)
    assert shown.total_pages == 3
    last = shown.pages.render(2, 850, 1100)  # any page on demand, at the size asked
    assert (last.width, last.height) == (850, 1100) and len(last.pixels) >= 850 * 1100 * 3
    shown.pages.close()
    image = received_documents.attach_document(
        context, make_image("JPEG"), "x.jpg", surgery_id=entry.id
    )
    opened = received_documents.document_pages(context, image.document.id)
    assert opened.total_pages == 1 and opened.pages.render(0, 40, 30).width == 40
    opened.pages.close()
    assert list(scratch.iterdir()) == []  # no page of the record was written to disk
