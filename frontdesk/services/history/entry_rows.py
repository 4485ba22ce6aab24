"""History rows shared inside the area: rows to plain data, chart guards, who may change what.

Who may do what (issue 9's roles; checked here, not only by hiding buttons):

- Reading a history needs VIEW_PATIENTS.
- Front desk (EDIT_HISTORY_BASIC) records what patients and outside offices tell them: they
  add surgeries and imaging studies, correct or delete the entries they entered themselves,
  and on ANY entry keep the records tracking up to date (operative report requested and
  received; imaging report received, images received, where the disc is kept) and attach
  received documents.
- Clinical staff and admins (EDIT_HISTORY_FULL) may also change or delete entries someone
  else entered, and extend the practice's procedure list.

A front-desk save on someone else's entry that changes only records-tracking fields passes;
one that changes anything else is refused with PermissionDeniedError naming the rule.

Dates are partial (domain.partial_dates): stored as the earliest day plus a precision code.
Levels are stored structurally as the canonical JSON list (["L4-L5", "L5-S1"]).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, replace
from datetime import date
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from frontdesk.db.models_history import ImagingStudy, PriorSurgery, ReceivedDocument
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_requests import RequestChecklistItem
from frontdesk.domain.actor import Actor
from frontdesk.domain.errors import NotFoundError, PermissionDeniedError, RefusedError
from frontdesk.domain.history_records import DocumentInfo, ImagingData, PatientHistory, SurgeryData
from frontdesk.domain.history_summary import (
    DEFAULT_IMAGING_AGE_RULE,
    ImagingAgeRule,
    ImagingFacts,
    imaging_flags,
    summarize_history,
)
from frontdesk.domain.history_vocab import (
    BodyRegion,
    Contrast,
    FusionApproach,
    FusionStatus,
    ImagesMedium,
    ImagingModality,
    LabelledChoice,
    Outcome,
    Procedure,
    SurgicalApproach,
)
from frontdesk.domain.names import listed_name
from frontdesk.domain.partial_dates import PartialDate, sort_key_undated_first
from frontdesk.domain.permissions import Permission
from frontdesk.domain.spinal_levels import LevelSet
from frontdesk.services.history import records
from frontdesk.services.history.visit_context import visit_context
from frontdesk.services.kernel.clock import practice_today, zone_of
from frontdesk.services.kernel.context import UnitOfWork
from frontdesk.services.practice.settings import IMAGING_MAX_AGE_MONTHS, read_setting

# Fields a front-desk user may change on an entry someone else entered.
SURGERY_TRACKING_FIELDS = frozenset({"report_requested_on", "report_received_on"})


IMAGING_TRACKING_FIELDS = frozenset(
    {"report_received_on", "images_medium", "images_received_on", "disc_location"}
)


def _code(choice: LabelledChoice | None) -> str | None:
    return None if choice is None else choice.value


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def stored_date(earliest: date | None, precision: str | None) -> PartialDate | None:
    if earliest is None or precision is None:
        return None
    return PartialDate.from_stored(earliest, precision)


def _regions_from_json(text: str) -> tuple[BodyRegion, ...]:
    return tuple(BodyRegion(code) for code in json.loads(text or "[]"))


def _levels_from_json(text: str) -> LevelSet:
    return LevelSet.from_codes(json.loads(text or "[]"))


def imaging_age_rule(session: Session) -> ImagingAgeRule:
    """The practice's "imaging too old" rule: the months from Admin, the default scope
    (lumbar or cervical MRI)."""
    months = read_setting(session, IMAGING_MAX_AGE_MONTHS)
    return replace(DEFAULT_IMAGING_AGE_RULE, max_age_months=months)


def document_info(row: ReceivedDocument) -> DocumentInfo:
    return DocumentInfo(
        id=row.id,
        patient_id=row.patient_id,
        kind=row.kind,
        file_name=row.file_name,
        mime_type=row.mime_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        page_count=row.page_count,
        received_at=row.received_at,
        received_by=row.received_by,
        surgery_id=row.surgery_id,
        imaging_id=row.imaging_id,
        request_id=row.request_id,
    )


_DOCUMENT_COLUMNS = [
    getattr(ReceivedDocument, f.name) for f in fields(DocumentInfo) if f.name != "id"
]


def documents_of_patient(session: Session, patient_id: int) -> list[DocumentInfo]:
    """Every received document of a chart, oldest first, without loading the bytes."""
    rows = session.execute(
        select(ReceivedDocument.id, *_DOCUMENT_COLUMNS)
        .where(ReceivedDocument.patient_id == patient_id)
        .order_by(ReceivedDocument.received_at, ReceivedDocument.id)
    )
    return [DocumentInfo(*row) for row in rows]


def _surgery_data(
    row: PriorSurgery,
    documents: Sequence[DocumentInfo] = (),
    revises_description: str = "",
) -> SurgeryData:
    return SurgeryData(
        id=row.id,
        patient_id=row.patient_id,
        date=stored_date(row.date_earliest, row.date_precision),
        procedure=Procedure(row.procedure),
        procedure_label=row.procedure_label,
        fusion_approach=FusionApproach(row.fusion_approach) if row.fusion_approach else None,
        levels=_levels_from_json(row.levels),
        levels_note=row.levels_note,
        approach=SurgicalApproach(row.approach) if row.approach else None,
        surgeon=row.surgeon,
        facility=row.facility,
        instrumentation=row.instrumentation,
        instrumentation_description=row.instrumentation_description,
        bone_graft=row.bone_graft,
        revises_id=row.revises_id,
        revises_description=revises_description,
        outcome=Outcome(row.outcome) if row.outcome else None,
        complications=row.complications,
        fusion_status=FusionStatus(row.fusion_status) if row.fusion_status else None,
        report_requested_on=row.report_requested_on,
        report_received_on=row.report_received_on,
        report_received_by=row.report_received_by,
        notes=row.notes,
        version=row.version,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        documents=tuple(documents),
        unconfirmed=row.unconfirmed,
    )


def _imaging_data(
    row: ImagingStudy,
    today: date,
    rule: ImagingAgeRule,
    documents: Sequence[DocumentInfo] = (),
) -> ImagingData:
    regions = _regions_from_json(row.regions)
    day = stored_date(row.date_earliest, row.date_precision)
    facts = ImagingFacts(
        modality=ImagingModality(row.modality),
        regions=regions,
        date=day,
        report_received=row.report_received_on is not None,
        images_received=row.images_received_on is not None,
        modality_label=row.modality_label,
        record_id=row.id,
    )
    return ImagingData(
        id=row.id,
        patient_id=row.patient_id,
        modality=ImagingModality(row.modality),
        modality_label=row.modality_label,
        regions=regions,
        contrast=Contrast(row.contrast) if row.contrast else None,
        date=day,
        facility=row.facility,
        ordering_physician=row.ordering_physician,
        report_received_on=row.report_received_on,
        report_received_by=row.report_received_by,
        images_medium=ImagesMedium(row.images_medium) if row.images_medium else None,
        images_received_on=row.images_received_on,
        images_received_by=row.images_received_by,
        disc_location=row.disc_location,
        findings=row.findings,
        notes=row.notes,
        version=row.version,
        created_by=row.created_by,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        flags=imaging_flags(facts, today=today, rule=rule),
        documents=tuple(documents),
    )


def _by_date(items: Iterable[Any]) -> list[Any]:
    """Oldest first; undated entries first (as the summary counts them), then by id."""
    return sorted(items, key=lambda item: (sort_key_undated_first(item.date), item.id))


def _load_history(session: Session, patient: Patient, today: date) -> PatientHistory:
    rule = imaging_age_rule(session)
    documents = documents_of_patient(session, patient.id)
    by_surgery: dict[int, list[DocumentInfo]] = {}
    by_imaging: dict[int, list[DocumentInfo]] = {}
    for document in documents:
        if document.surgery_id is not None:
            by_surgery.setdefault(document.surgery_id, []).append(document)
        if document.imaging_id is not None:
            by_imaging.setdefault(document.imaging_id, []).append(document)
    # A report filed to a request's checklist item tied to a surgery or study is stored on
    # the request, and is that entry's document too: its tab must open it.
    by_id = {document.id: document for document in documents}
    for document_id, surgery_id, imaging_id in session.execute(
        select(
            RequestChecklistItem.document_id,
            RequestChecklistItem.surgery_id,
            RequestChecklistItem.imaging_id,
        ).where(
            RequestChecklistItem.patient_id == patient.id,
            RequestChecklistItem.document_id.is_not(None),
        )
    ):
        linked = by_id.get(document_id)
        for entry_id, by_entry in ((surgery_id, by_surgery), (imaging_id, by_imaging)):
            if linked is None or entry_id is None:
                continue
            shown = by_entry.setdefault(entry_id, [])
            if linked not in shown:
                shown.append(linked)
    surgery_rows = session.scalars(
        select(PriorSurgery).where(PriorSurgery.patient_id == patient.id)
    ).all()
    plain = {row.id: _surgery_data(row) for row in surgery_rows}
    surgeries = _by_date(
        _surgery_data(
            row,
            by_surgery.get(row.id, ()),
            plain[row.revises_id].description if row.revises_id in plain else "",
        )
        for row in surgery_rows
    )
    imaging = _by_date(
        _imaging_data(row, today, rule, by_imaging.get(row.id, ()))
        for row in session.scalars(
            select(ImagingStudy).where(ImagingStudy.patient_id == patient.id)
        )
    )
    summary = summarize_history(
        [s.facts for s in surgeries], [i.facts for i in imaging], today=today, rule=rule
    )
    return PatientHistory(
        patient_id=patient.id,
        mrn=patient.mrn,
        patient_name=listed_name(patient.last_name, patient.first_name, patient.middle_name),
        date_of_birth=patient.date_of_birth,
        surgeries=tuple(surgeries),
        imaging=tuple(imaging),
        summary=summary,
        today=today,
        zone=zone_of(session),
        visit=visit_context(session, patient),
    )


def _patient(session: Session, patient_id: int, *, for_change: bool = False) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFoundError(f"There is no patient chart with id {patient_id}")
    if for_change and patient.merged_into_id is not None:
        raise RefusedError(
            "This chart was merged into another one; record the history on that chart"
        )
    return patient


def chart_exists(session: Session, patient_id: int) -> Patient:
    """The chart, or NotFoundError naming the id."""
    return _patient(session, patient_id)


def chart_for_change(session: Session, patient_id: int) -> Patient:
    """The chart, refused when it was merged into another one (its history lives there)."""
    return _patient(session, patient_id, for_change=True)


def describe_entry(
    session: Session, *, surgery_id: int | None = None, imaging_id: int | None = None
) -> str:
    """'the surgery L4–S1 TLIF 2019', 'the study MRI lumbar May 2024' (for messages)."""
    description = entry_description(session, surgery_id=surgery_id, imaging_id=imaging_id)
    if not description:
        return "another record"
    return f"the {'surgery' if surgery_id is not None else 'study'} {description}"


def entry_description(
    session: Session, *, surgery_id: int | None = None, imaging_id: int | None = None
) -> str:
    """'L4–S1 TLIF 2019', 'MRI lumbar May 2024': as the chart's history shows it ('' if gone)."""
    if surgery_id is not None:
        surgery = session.get(PriorSurgery, surgery_id)
        return _surgery_data(surgery).description if surgery is not None else ""
    if imaging_id is not None:
        study = session.get(ImagingStudy, imaging_id)
        if study is not None:
            facts = _imaging_data(study, practice_today(session), DEFAULT_IMAGING_AGE_RULE).facts
            return facts.description()
    return ""


def _surgery_row(session: Session, surgery_id: int) -> PriorSurgery:
    row = session.get(PriorSurgery, surgery_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"There is no prior surgery with id {surgery_id}")
    return row


def _imaging_row(session: Session, imaging_id: int) -> ImagingStudy:
    row = session.get(ImagingStudy, imaging_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"There is no imaging study with id {imaging_id}")
    return row


def may_change_entry(actor: Actor, created_by: str) -> bool:
    """Whether ``actor`` may change every field of (or delete) an entry ``created_by`` made."""
    return actor.can(Permission.EDIT_HISTORY_FULL) or created_by == actor.username


def _require_entry_change(
    actor: Actor,
    row: PriorSurgery | ImagingStudy,
    what: str,
    changed: set[str],
    tracking: frozenset[str],
) -> None:
    if may_change_entry(actor, row.created_by) or changed <= tracking:
        return
    raise PermissionDeniedError(
        f"This {what} was entered by {row.created_by or 'someone else'}: changing its details "
        "needs clinical staff or an administrator (front desk may record reports and images "
        "received on any entry)"
    )


def _require_entry_delete(actor: Actor, row: PriorSurgery | ImagingStudy, what: str) -> None:
    if not may_change_entry(actor, row.created_by):
        raise PermissionDeniedError(
            f"This {what} was entered by {row.created_by or 'someone else'}: deleting it "
            "needs clinical staff or an administrator"
        )


def _changed_columns(row: Any) -> set[str]:
    state = inspect(row)
    changed = set()
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changed.add(attr.key)
    # Derived columns follow the fields people edit.
    if changed & {"date_earliest", "date_precision"}:
        changed |= {"date"}
    if changed & {"levels", "level_top", "level_bottom"}:
        changed |= {"levels"}
    return changed


def _delete_entry(
    uow: UnitOfWork,
    row: PriorSurgery | ImagingStudy,
    link: str,
    description: str,
    details: Mapping[str, Any] | None = None,
) -> int:
    """Delete a surgery or study with the documents attached to it (``link``: the documents'
    column naming it), release the checklist items that were its records, and record what
    it said in the audit trail. Returns how many documents went with it."""
    session = uow.session
    entry_id = row.id
    documents = session.scalars(
        select(ReceivedDocument).where(getattr(ReceivedDocument, link) == entry_id)
    ).all()
    for document in documents:
        session.delete(document)
    records.release_items(uow, **{link: entry_id})
    session.flush()
    session.delete(row)
    uow.record(
        "delete_summary",
        row.__tablename__,
        entry_id,
        patient_id=row.patient_id,
        details={
            "description": description,
            "documents_deleted": len(documents),
            **(details or {}),
        },
    )
    return len(documents)
