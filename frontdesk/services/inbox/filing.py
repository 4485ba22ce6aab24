"""Filing an inbox document where it belongs, or discarding it with a reason.

Filing stores the document as a received document of the chart (a request's referral or
checklist record, a surgery's operative report, a study's report) and marks the inbox
document filed, in one transaction: it is never in both places or in neither. What the
person chose is recorded beside what the reading suggested.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Literal

from sqlalchemy.orm import Session

from frontdesk.db.models_history import ImagingStudy, PriorSurgery
from frontdesk.db.models_inbox import InboxDocument
from frontdesk.db.models_requests import ConsultationRequest, RequestChecklistItem
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text
from frontdesk.domain.document_reading import DocumentKind
from frontdesk.domain.errors import ConflictError, FrontDeskError, NotFoundError, ValidationError
from frontdesk.domain.history_records import ImagingData, ImagingForm, SurgeryData, SurgeryForm
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.history import received_documents
from frontdesk.services.history.entry_rows import chart_for_change, describe_entry
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.received_documents import FileCheck
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.practice.settings import INBOX_DISCARD_KEEP_DAYS, read_setting
from frontdesk.services.requests import checklist
from frontdesk.services.requests.data import IntakeForm, RequestData
from frontdesk.services.requests.intake import create_request

MAX_REASON = 500
# The checklist record a document ticks when filed to a request, by what it is.
_CHECKLIST_KIND = {
    DocumentKind.REFERRAL: ChecklistKind.REFERRAL_LETTER,
    DocumentKind.IMAGING_REPORT: ChecklistKind.IMAGING_REPORT,
    DocumentKind.OPERATIVE_REPORT: ChecklistKind.OPERATIVE_REPORT,
}


@dataclass(frozen=True)
class Filed:
    document_id: int
    patient_id: int
    filed_to: str
    # What filing ticked or marked received ("MRI report received"), or "".
    ticked: str
    already_there: bool

    @property
    def message(self) -> str:
        if self.already_there:
            return f"The same file was already attached to {self.filed_to}; filed there."
        text = f"Filed to {self.filed_to}."
        return f"{text} Ticked {self.ticked}." if self.ticked else text


def _unfiled(session: Session, document_id: int, expected_version: int | None) -> InboxDocument:
    row = session.get(InboxDocument, document_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"There is no inbox document with id {document_id}")
    check_version(row, expected_version, "inbox document")
    if row.state != "unfiled":
        by = f" by {row.filed_by}" if row.filed_by else ""
        raise ConflictError(f"{row.file_name} was already {row.state}{by}; it left the inbox")
    return row


def _finish(
    uow: UnitOfWork,
    row: InboxDocument,
    *,
    patient_id: int,
    as_kind: DocumentKind,
    filed_to: str,
    received_document_id: int | None,
) -> None:
    suggested = json.loads(row.suggestion or "{}")
    suggested_patient = row.suggested_patient_id
    row.state = "filed"
    row.patient_id = patient_id
    row.filed_as = as_kind.value
    row.filed_to = filed_to[:300]
    row.received_document_id = received_document_id
    row.filed_at = utcnow()
    row.filed_by = uow.actor.username
    uow.stamp(row, new=False)
    uow.record(
        "file",
        "inbox_documents",
        row.id,
        patient_id=patient_id,
        details={
            "filed_to": filed_to,
            "as": as_kind.value,
            "suggested_patient_id": suggested_patient,
            "suggested_kind": suggested.get("kind", ""),
            "patient_as_suggested": suggested_patient == patient_id,
            "kind_as_suggested": suggested.get("kind", "") == as_kind.value,
        },
    )


def _same_patient(chosen: int | None, owner: int, what: str) -> None:
    if chosen is not None and chosen != owner:
        raise ValidationError({"patient": f"{what} belongs to another patient's chart"})


def _check(row: InboxDocument) -> FileCheck:
    return FileCheck(row.mime_type, row.page_count)


def file_to_request(
    context: ServiceContext,
    document_id: int,
    request_id: int,
    *,
    as_kind: DocumentKind | str,
    item_id: int | None = None,
    patient_id: int | None = None,
    expected_version: int | None = None,
) -> Filed:
    """File to a consultation request: its referral letter, or the record a checklist item
    waits for (the named item, or the first missing one of that kind), which it ticks."""
    kind = DocumentKind(as_kind)
    checklist_kind = _CHECKLIST_KIND.get(kind)
    if item_id is None and checklist_kind is None:
        raise ValidationError({"as": f"a {kind.label.lower()} is filed to a chart, not a request"})
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        session = uow.session
        row = _unfiled(session, document_id, expected_version)
        request = session.get(ConsultationRequest, request_id)
        if request is None:
            raise NotFoundError(f"There is no consultation request with id {request_id}")
        _same_patient(patient_id, request.patient_id, f"request {request_id}")
        if item_id is not None:
            item = session.get(RequestChecklistItem, item_id)
            if item is None or item.request_id != request_id:
                raise ValidationError({"item": "that record is not on this request's checklist"})
            checklist_kind = ChecklistKind(item.kind)
        assert checklist_kind is not None
        result = checklist.attach_in(
            uow,
            request_id,
            bytes(row.content),
            row.file_name,
            _check(row),
            checklist_kind,
            item_id=item_id,
        )
        where = f"request {request_id}"
        _finish(
            uow,
            row,
            patient_id=request.patient_id,
            as_kind=kind,
            filed_to=where,
            received_document_id=result.document_id,
        )
        uow.commit()
    return Filed(document_id, request.patient_id, where, result.ticked, result.already_attached)


def file_to_history(
    context: ServiceContext,
    document_id: int,
    *,
    surgery_id: int | None = None,
    study_id: int | None = None,
    patient_id: int | None = None,
    expected_version: int | None = None,
) -> Filed:
    """File as a prior surgery's operative report or an imaging study's report (marked
    received, which also ticks every request's checklist item about that entry)."""
    if (surgery_id is None) == (study_id is None):
        raise ValidationError({"to": "name one surgery or one imaging study"})
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        row = _unfiled(session, document_id, expected_version)
        owner = (
            session.get(PriorSurgery, surgery_id)
            if surgery_id is not None
            else session.get(ImagingStudy, study_id)
        )
        if owner is not None:
            _same_patient(patient_id, owner.patient_id, "that history entry")
        result = received_documents.attach_in(
            uow,
            bytes(row.content),
            row.file_name,
            _check(row),
            surgery_id=surgery_id,
            imaging_id=study_id,
        )
        entry = (
            session.get(PriorSurgery, surgery_id)
            if surgery_id is not None
            else session.get(ImagingStudy, study_id)
        )
        assert entry is not None  # attach_in found it
        kind = (
            DocumentKind.OPERATIVE_REPORT if surgery_id is not None else DocumentKind.IMAGING_REPORT
        )
        where = describe_entry(session, surgery_id=surgery_id, imaging_id=study_id)
        _finish(
            uow,
            row,
            patient_id=entry.patient_id,
            as_kind=kind,
            filed_to=where,
            received_document_id=result.document.id,
        )
        uow.commit()
    return Filed(
        document_id, entry.patient_id, where, result.marked_received, result.already_attached
    )


def discard(
    context: ServiceContext, document_id: int, reason: str, *, expected_version: int | None = None
) -> None:
    """Take a document out of the inbox (a junk fax, a wrong number) with the reason; the
    file itself is kept for the retention period."""
    why = clean_text(reason)
    if not why:
        raise ValidationError({"reason": "say why it is discarded (for example: junk fax)"})
    if len(why) > MAX_REASON:
        raise ValidationError({"reason": f"keep the reason under {MAX_REASON} characters"})
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        row = _unfiled(uow.session, document_id, expected_version)
        row.state = "discarded"
        row.discard_reason = why
        row.filed_at = utcnow()
        row.filed_by = uow.actor.username
        kept = read_setting(uow.session, INBOX_DISCARD_KEEP_DAYS)
        row.keep_until = practice_today(uow.session) + timedelta(days=kept)
        uow.stamp(row, new=False)
        uow.record("discard", "inbox_documents", row.id, details={"reason": why})
        uow.commit()


def file_to_chart(
    context: ServiceContext,
    document_id: int,
    patient_id: int,
    *,
    as_kind: DocumentKind | str = DocumentKind.OTHER,
    expected_version: int | None = None,
) -> Filed:
    """File as another document of the chart (not a request's or a history entry's record):
    it leaves the inbox and is listed with the chart's documents."""
    kind = DocumentKind(as_kind)
    with context.writing(Permission.EDIT_PATIENTS) as uow:
        session = uow.session
        row = _unfiled(session, document_id, expected_version)
        chart_for_change(session, patient_id)
        where = "the chart's documents"
        _finish(
            uow,
            row,
            patient_id=patient_id,
            as_kind=kind,
            filed_to=where,
            received_document_id=None,
        )
        uow.commit()
    return Filed(document_id, patient_id, where, "", False)


def file_as_new_request(
    context: ServiceContext,
    document_id: int,
    form: IntakeForm,
    *,
    allow_duplicates: bool = False,
    expected_version: int | None = None,
) -> tuple[RequestData, Filed]:
    """A referral for a new consultation: the request is created from the intake the
    receptionist completed, then the referral is filed as its referral letter.

    Two transactions (creating a request has its own); if filing fails after the request
    was saved, the request stays, the document stays in the inbox, and the error says so.
    """
    with context.reading(Permission.EDIT_REQUESTS) as session:
        _unfiled(session, document_id, expected_version)
    created = create_request(context, form, allow_duplicates=allow_duplicates)
    try:
        filed = file_to_request(
            context,
            document_id,
            created.id,
            as_kind=DocumentKind.REFERRAL,
            expected_version=expected_version,
        )
    except FrontDeskError as error:
        raise FrontDeskError(
            f"Request {created.id} was saved, but the referral stayed in the inbox: {error}"
        ) from error
    return created, filed


def _create_then_file(
    context: ServiceContext,
    document_id: int,
    patient_id: int,
    create: Callable[[], ImagingData | SurgeryData],
    *,
    noun: Literal["study", "surgery"],
    expected_version: int | None,
) -> Filed:
    """Create the history entry a report describes, then file the report to it.

    Two transactions (adding an entry has its own); if filing fails after the entry was
    saved, the entry stays, the report stays in the inbox, and the error says so."""
    with context.reading(Permission.EDIT_HISTORY_BASIC) as session:
        _unfiled(session, document_id, expected_version)
    entry = create()
    try:
        return file_to_history(
            context,
            document_id,
            study_id=entry.id if noun == "study" else None,
            surgery_id=entry.id if noun == "surgery" else None,
            patient_id=patient_id,
            expected_version=expected_version,
        )
    except FrontDeskError as error:
        raise FrontDeskError(
            f"The {noun} {entry.description} was saved, but the report stayed in the inbox: {error}"
        ) from error


def file_as_new_study(
    context: ServiceContext,
    document_id: int,
    patient_id: int,
    form: ImagingForm,
    *,
    expected_version: int | None = None,
) -> Filed:
    """An imaging report for a study the chart does not have yet: the study is created from
    what the person confirmed, then the report is filed to it (marked received)."""
    return _create_then_file(
        context,
        document_id,
        patient_id,
        partial(add_imaging, context, patient_id, form),
        noun="study",
        expected_version=expected_version,
    )


def file_as_new_surgery(
    context: ServiceContext,
    document_id: int,
    patient_id: int,
    form: SurgeryForm,
    *,
    expected_version: int | None = None,
) -> Filed:
    """An operative report for a surgery the chart does not have yet (an L4-5 TLIF when
    the history holds only an ACDF): the surgery is created from what the person
    confirmed, then the report is filed to it (marked received)."""
    return _create_then_file(
        context,
        document_id,
        patient_id,
        partial(add_surgery, context, patient_id, form),
        noun="surgery",
        expected_version=expected_version,
    )
