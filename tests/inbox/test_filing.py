"""Filing from the inbox: to a request's checklist (ticked), a surgery, the chart; discard."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.demo.faxes import mri_lines, operative_lines, referral_lines, text_pdf
from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.received_documents import list_documents
from frontdesk.services.history.summary import get_history
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.inbox import arrivals, filing, listing, reading
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.requests.checklist import add_checklist_item
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.requests.intake import create_request
from frontdesk.services.requests.reading import get_request
from tests.inbox.conftest import JOHN, MARIA


def arrived(context: ServiceContext, lines: list[str], name: str) -> int:
    arrival = arrivals.receive(context, text_pdf(lines), name, source="folder", origin="/fax")
    assert arrival.document_id is not None
    reading.read_document(context, arrival.document_id)
    return arrival.document_id


def maria_request(context: ServiceContext, maria: PatientData) -> int:
    request = create_request(
        context,
        IntakeForm(
            patient_id=maria.id, phone="(503) 201-3344", reason="back pain", category="failed_back"
        ),
    )
    return request.id


def test_an_mri_report_filed_to_the_request_ticks_its_checklist_item(
    database: Database, front_desk: ServiceContext, maria: PatientData
) -> None:
    request_id = maria_request(front_desk, maria)
    item = add_checklist_item(front_desk, request_id, ChecklistKind.IMAGING_REPORT, "MRI lumbar")
    document_id = arrived(front_desk, mri_lines(MARIA), "mri.pdf")
    row, suggestions = listing.one(front_desk, document_id)
    assert suggestions.patient is not None and suggestions.patient.patient_id == maria.id
    filed = filing.file_to_request(
        front_desk,
        document_id,
        request_id,
        as_kind=suggestions.kind,
        patient_id=suggestions.patient.patient_id,
        expected_version=row.version,
    )
    assert "Filed to request" in filed.message
    detail = get_request(front_desk, request_id)
    ticked = next(entry for entry in detail.checklist if entry.id == item.id)
    assert ticked.received and ticked.document_id is not None
    assert listing.unfiled(front_desk) == []
    assert [doc.file_name for doc in list_documents(front_desk, maria.id)] == ["mri.pdf"]
    with database.read_sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "file").order_by(AuditEntry.id.desc())
        ).first()
    assert entry is not None and entry.username == "desk.anna"
    details = json.loads(entry.details) if isinstance(entry.details, str) else entry.details
    assert details["patient_as_suggested"] is True and details["kind_as_suggested"] is True


def test_an_operative_report_filed_to_its_surgery_marks_it_received(
    context: ServiceContext, front_desk: ServiceContext, maria: PatientData
) -> None:
    surgery = add_surgery(
        context, maria.id, SurgeryForm(procedure="lumbar fusion", date="2019", levels="L4-L5")
    )
    document_id = arrived(front_desk, operative_lines(MARIA), "op.pdf")
    filed = filing.file_to_history(
        front_desk, document_id, surgery_id=surgery.id, patient_id=maria.id
    )
    assert "operative report" in filed.ticked
    history = get_history(front_desk, maria.id)
    assert history.surgeries[0].report_received


def test_filing_to_another_patients_record_is_refused_and_nothing_moves(
    front_desk: ServiceContext, maria: PatientData, maria_twin_birthday: PatientData
) -> None:
    request_id = maria_request(front_desk, maria)
    document_id = arrived(front_desk, mri_lines(MARIA), "mri.pdf")
    with pytest.raises(ValidationError, match="another patient"):
        filing.file_to_request(
            front_desk,
            document_id,
            request_id,
            as_kind="imaging-report",
            patient_id=maria_twin_birthday.id,
        )
    assert [row.id for row in listing.unfiled(front_desk)] == [document_id]
    assert list_documents(front_desk, maria.id) == []


def test_a_document_filed_on_one_desk_cannot_be_filed_again_on_another(
    front_desk: ServiceContext, maria: PatientData
) -> None:
    request_id = maria_request(front_desk, maria)
    document_id = arrived(front_desk, mri_lines(MARIA), "mri.pdf")
    filing.file_to_chart(front_desk, document_id, maria.id, as_kind="imaging-report")
    with pytest.raises(ConflictError, match=r"already filed by desk\.anna"):
        filing.file_to_request(front_desk, document_id, request_id, as_kind="imaging-report")


def test_discarding_needs_a_reason_and_is_recorded(
    database: Database, front_desk: ServiceContext
) -> None:
    document_id = arrived(front_desk, ["CHEAP CRUISES", "Call now"], "junk.pdf")
    with pytest.raises(ValidationError, match="say why"):
        filing.discard(front_desk, document_id, "   ")
    filing.discard(front_desk, document_id, "junk fax")
    assert listing.unfiled(front_desk) == []
    with database.read_sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "discard")).one()
    assert "junk fax" in str(entry.details)


def test_a_referral_for_a_new_patient_becomes_a_request_with_its_letter(
    front_desk: ServiceContext,
) -> None:
    document_id = arrived(front_desk, referral_lines(JOHN), "referral.pdf")
    _row, suggestions = listing.one(front_desk, document_id)
    draft = suggestions.intake
    form = IntakeForm(
        first_name=draft["first_name"],
        last_name=draft["last_name"],
        date_of_birth=draft["date_of_birth"],
        reason=draft["reason"],
        phone="(503) 201-9999",
        category="herniated_disc",
        channel="referral_fax",
    )
    request, filed = filing.file_as_new_request(front_desk, document_id, form)
    detail = get_request(front_desk, request.id)
    letters = [item for item in detail.checklist if item.kind is ChecklistKind.REFERRAL_LETTER]
    assert letters and letters[0].received
    assert filed.patient_id == detail.request.patient_id
    assert listing.unfiled(front_desk) == []


def test_an_imaging_report_for_a_study_the_chart_lacks_creates_it_from_the_report(
    front_desk: ServiceContext, maria: PatientData
) -> None:
    document_id = arrived(front_desk, mri_lines(MARIA), "mri.pdf")
    _row, suggestions = listing.one(front_desk, document_id)
    assert suggestions.study["modality"] == "mri"
    assert suggestions.study["regions"] == ["lumbar"]
    assert suggestions.study["exam_date"] == "2024-05-12"
    assert "L4-5" in str(suggestions.study["findings"])
    form = ImagingForm(modality="mri", regions="lumbar", date="05/12/2024", facility="Valley")
    filed = filing.file_as_new_study(front_desk, document_id, maria.id, form)
    assert filed.patient_id == maria.id
    [study] = get_history(front_desk, maria.id).imaging
    assert study.report_received and "MRI" in study.description


def test_an_mri_report_filed_to_its_request_item_opens_from_the_study(
    front_desk: ServiceContext, maria: PatientData
) -> None:
    """Enter filed the MRI report to the request's "MRI report" item: the Imaging tab said
    the report was on file, but its Files column was empty and View documents greyed; the
    message said "Ticked imaging report: mri lumbar."."""
    request_id = maria_request(front_desk, maria)
    study = add_imaging(
        front_desk, maria.id, ImagingForm(modality="MRI", regions="lumbar", date="05/2024")
    )
    item = add_checklist_item(
        front_desk, request_id, ChecklistKind.IMAGING_REPORT, "mri lumbar", imaging_id=study.id
    )
    document_id = arrived(front_desk, mri_lines(MARIA), "mri.pdf")
    filed = filing.file_to_request(
        front_desk, document_id, request_id, as_kind="imaging-report", item_id=item.id
    )
    shown = next(
        entry for entry in get_history(front_desk, maria.id).imaging if entry.id == study.id
    )
    assert shown.report_received
    assert [doc.file_name for doc in shown.documents] == ["mri.pdf"]
    assert shown.documents[0].id == filed_document(front_desk, request_id, item.id)
    # The chart's own name for the study, not the item's words lower-cased.
    assert f"Ticked imaging report: {shown.description}." in filed.message
    assert "MRI lumbar" in filed.message and "mri lumbar" not in filed.message


def filed_document(context: ServiceContext, request_id: int, item_id: int) -> int | None:
    detail = get_request(context, request_id)
    return next(entry.document_id for entry in detail.checklist if entry.id == item_id)


def test_an_operative_report_for_a_surgery_not_on_file_creates_it(
    front_desk: ServiceContext, maria: PatientData
) -> None:
    add_surgery(front_desk, maria.id, SurgeryForm(procedure="acdf", levels="C5-C6", date="2024"))
    document_id = arrived(front_desk, operative_lines(MARIA), "op.pdf")
    row, _suggestions = listing.one(front_desk, document_id)
    filed = filing.file_as_new_surgery(
        front_desk,
        document_id,
        maria.id,
        SurgeryForm(procedure="lumbar_fusion", levels="L4-L5", date="2025"),
        expected_version=row.version,
    )
    assert "Filed to the surgery L4–L5" in filed.message
    history = get_history(front_desk, maria.id)
    fusion = next(s for s in history.surgeries if s.procedure.value == "lumbar_fusion")
    assert fusion.report_received and [d.file_name for d in fusion.documents] == ["op.pdf"]
    assert listing.unfiled(front_desk) == []
