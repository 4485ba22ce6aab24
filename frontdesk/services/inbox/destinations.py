"""Where a document can be filed for one patient, best first for what it is.

An imaging report goes first to the open request's checklist item that waits for it (which
ticks it and, through the one records fact, the study), else to the study whose report is
missing; an operative report likewise; a referral to the open request's referral letter, or
it starts a new request. The chart's own documents are always offered last. When the reading
named the kind of imaging (a CT report), a study of another kind (the X-ray) is not offered
first: Enter would mark the wrong study's report received.
"""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.domain.document_reading import DocumentKind
from frontdesk.domain.history_vocab import ImagingModality
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.history.summary import get_history
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests.reading import get_request, requests_for_patient


@dataclass(frozen=True)
class Destination:
    """One place to file: ``where`` is request, surgery, study, new-study (created from the
    report, confirmed first), new-request or chart."""

    where: str
    label: str
    request_id: int | None = None
    item_id: int | None = None
    surgery_id: int | None = None
    study_id: int | None = None
    # Whether the record there is still missing (filing ticks it).
    waiting: bool = False


_ITEM_FOR = {
    DocumentKind.IMAGING_REPORT: (ChecklistKind.IMAGING_REPORT, ChecklistKind.IMAGING_FILES),
    DocumentKind.OPERATIVE_REPORT: (ChecklistKind.OPERATIVE_REPORT,),
    DocumentKind.REFERRAL: (ChecklistKind.REFERRAL_LETTER,),
    DocumentKind.RECORDS_REPLY: (
        ChecklistKind.OPERATIVE_REPORT,
        ChecklistKind.IMAGING_REPORT,
        ChecklistKind.IMAGING_FILES,
    ),
}


# The studies a report of the modality the reading found (Suggestions.modality) can be for.
_MODALITY_FAMILY = {
    "MRI": {ImagingModality.MRI},
    "CT": {ImagingModality.CT, ImagingModality.CT_MYELOGRAM},
    "X-ray": {ImagingModality.XRAY, ImagingModality.FLEXION_EXTENSION_XRAY},
}


def destinations(
    context: ServiceContext, patient_id: int, kind: DocumentKind | str, modality: str = ""
) -> list[Destination]:
    """``modality``: what the reading found the imaging to be ("CT"), or ""."""
    what = DocumentKind(kind)
    item_study: dict[int, int] = {}
    wanted = _ITEM_FOR.get(what, ())
    waiting: list[Destination] = []
    others: list[Destination] = []
    open_requests = [r for r in requests_for_patient(context, patient_id) if r.state.is_open]
    for request in open_requests:
        detail = get_request(context, request.id)
        for item in detail.checklist:
            if item.received or item.kind not in wanted:
                continue
            label = f"Request {request.id}: {item.label} (missing; filing ticks it)"
            if item.imaging_id is not None:
                item_study[item.id] = item.imaging_id
            waiting.append(
                Destination("request", label, request_id=request.id, item_id=item.id, waiting=True)
            )
        if what is DocumentKind.REFERRAL:
            others.append(
                Destination(
                    "request", f"Request {request.id}: referral letter", request_id=request.id
                )
            )
    history = get_history(context, patient_id)
    if what in (DocumentKind.OPERATIVE_REPORT, DocumentKind.RECORDS_REPLY):
        for surgery in history.surgeries:
            target = waiting if not surgery.report_received else others
            state = "missing" if not surgery.report_received else "on file"
            target.append(
                Destination(
                    "surgery",
                    f"Surgery {surgery.description}: operative report ({state})",
                    surgery_id=surgery.id,
                    waiting=not surgery.report_received,
                )
            )
    if what in (DocumentKind.IMAGING_REPORT, DocumentKind.RECORDS_REPLY):
        for study in history.imaging:
            target = waiting if not study.report_received else others
            state = "missing" if not study.report_received else "on file"
            target.append(
                Destination(
                    "study",
                    f"Imaging {study.description}: report ({state})",
                    study_id=study.id,
                    waiting=not study.report_received,
                )
            )
    if what is DocumentKind.IMAGING_REPORT:
        others.append(Destination("new-study", "A new imaging study from this report…"))
    if what is DocumentKind.REFERRAL and not open_requests:
        waiting.append(Destination("new-request", "A new consultation request from this referral"))
    elif what is DocumentKind.REFERRAL:
        others.append(Destination("new-request", "A new consultation request from this referral"))
    family = _MODALITY_FAMILY.get(modality)
    if family is not None:
        kinds = {study.id: study.modality for study in history.imaging}

        def other_kind(destination: Destination) -> bool:
            study_id = destination.study_id
            if study_id is None and destination.item_id is not None:
                study_id = item_study.get(destination.item_id)
            return study_id is not None and kinds.get(study_id) not in family

        waiting.sort(key=other_kind)  # stable: otherwise in the order above
    return [*waiting, *others, Destination("chart", "The chart's documents (no record ticked)")]
