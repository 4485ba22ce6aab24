"""Where a document can be filed for one patient, best first for what it is.

An imaging report goes first to the open request's checklist item that waits for it (which
ticks it and, through the one records fact, the study), else to the study whose report is
missing; an operative report likewise; a referral to the open request's referral letter, or
it starts a new request. The chart's own documents are always offered last. When the reading
named the kind of imaging (a CT report), a study of another kind (the X-ray) is not offered
first: Enter would mark the wrong study's report received.

An operative report is matched to the chart's surgeries by the levels, procedure and date it
names: a surgery comes first only when its levels overlap the report's (or are unknown), its
procedure is of the same family (or unknown: a fusion report is not a laminectomy's), one of
the two agrees, and its year does not clearly differ; one still missing its report before one
on file, and one whose report is on file only on a full match (levels, procedure and date).
When none qualifies, nothing is pre-chosen (an L4–5 TLIF report is not the C5–C6 ACDF's, nor
the 1999 L3–L5 laminectomy's) and the list starts with a choice that files nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from frontdesk.domain.document_reading import DocumentKind
from frontdesk.domain.history_records import SurgeryData
from frontdesk.domain.history_vocab import ImagingModality, Procedure
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.domain.spinal_levels import InvalidLevels, LevelSet
from frontdesk.services.history.summary import get_history
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests.reading import get_request, requests_for_patient


@dataclass(frozen=True)
class Destination:
    """One place to file: ``where`` is request, surgery, study, new-study or new-surgery
    (created from the report, confirmed first), new-request, chart, or none (files
    nothing: the person must choose, as nothing on file agrees with the document)."""

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


NEW_SURGERY_LABEL = "A new prior surgery from this report…"
_PROCEDURES = {procedure.value for procedure in Procedure}

# The studies a report of the modality the reading found (Suggestions.modality) can be for.
_MODALITY_FAMILY = {
    "MRI": {ImagingModality.MRI},
    "CT": {ImagingModality.CT, ImagingModality.CT_MYELOGRAM},
    "X-ray": {ImagingModality.XRAY, ImagingModality.FLEXION_EXTENSION_XRAY},
}


def destinations(
    context: ServiceContext,
    patient_id: int,
    kind: DocumentKind | str,
    modality: str = "",
    surgery: Mapping[str, object] | None = None,
) -> list[Destination]:
    """``modality``: what the reading found the imaging to be ("CT"), or "". ``surgery``:
    what the reading found an operative report to describe (Suggestions.surgery), or {}."""
    what = DocumentKind(kind)
    item_study: dict[int, int] = {}
    item_surgery: dict[int, int] = {}
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
            if item.surgery_id is not None:
                item_surgery[item.id] = item.surgery_id
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
        for surgery_entry in history.surgeries:
            target = waiting if not surgery_entry.report_received else others
            state = "missing" if not surgery_entry.report_received else "on file"
            target.append(
                Destination(
                    "surgery",
                    f"Surgery {surgery_entry.description}: operative report ({state})",
                    surgery_id=surgery_entry.id,
                    waiting=not surgery_entry.report_received,
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
    if what is DocumentKind.OPERATIVE_REPORT:
        others.append(Destination("new-surgery", NEW_SURGERY_LABEL))
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
    chart = Destination("chart", "The chart's documents (no record ticked)")
    read = _SurgeryRead.of(surgery or {})
    if what is DocumentKind.OPERATIVE_REPORT and read is not None:
        return read.ranked([*waiting, *others], history.surgeries, item_surgery, chart)
    return [*waiting, *others, chart]


def _family(procedure: str) -> str:
    """The kind of operation a procedure value is, to tell a fusion report from a
    laminectomy on file; "" when unknown (an "other" surgery names itself in free text)."""
    if procedure not in _PROCEDURES or procedure == Procedure.OTHER.value:
        return ""
    known = Procedure(procedure)
    if known.is_fusion:
        return "fusion"
    return _DECOMPRESSIONS.get(known, known.value)


# Taking bone off the nerves, however much: one family.
_DECOMPRESSIONS = {
    Procedure.LAMINECTOMY: "decompression",
    Procedure.LAMINOTOMY: "decompression",
    Procedure.FORAMINOTOMY: "decompression",
}


@dataclass(frozen=True)
class _SurgeryRead:
    """What an operative report said about its surgery, to compare with the chart's."""

    levels: LevelSet
    procedure: str
    year: int | None

    @classmethod
    def of(cls, draft: Mapping[str, object]) -> _SurgeryRead | None:
        codes = draft.get("levels")
        try:
            levels = LevelSet.from_codes(
                str(code) for code in (codes if isinstance(codes, list | tuple) else ())
            )
        except InvalidLevels:
            levels = LevelSet()
        procedure = str(draft.get("procedure") or "")
        when = str(draft.get("surgery_date") or "")
        year = int(when[:4]) if when[:4].isdigit() else None
        if not levels and not procedure:
            return None  # nothing to tell one surgery from another
        return cls(levels, procedure, year)

    def agreement(self, surgery: SurgeryData) -> int:
        """How much the surgery agrees with the report; 0 is not at all. Levels both sides
        know and do not share, a known procedure of another family (a laminectomy for a
        fusion report) or a year that clearly differs rule it out; else the levels or the
        procedure must agree (a surgery on file without levels, of the same procedure, may
        still be the one)."""
        score = 0
        if self.levels and surgery.levels:
            if not set(self.levels.levels) & set(surgery.levels.levels):
                return 0
            score += 4 if self.levels == surgery.levels else 3
        ours, theirs = _family(self.procedure), _family(surgery.procedure.value)
        if ours and theirs and ours != theirs:
            return 0
        if ours and ours == theirs:
            score += 2 if self.procedure == surgery.procedure.value else 1
        if score and self.year is not None and surgery.date is not None:
            slack = 1 if surgery.date.circa else 0
            earliest = surgery.date.earliest_day().year - slack
            latest = surgery.date.latest_day().year + slack
            if not earliest <= self.year <= latest:
                return 0
            score += 1
        return score

    def matches_fully(self, surgery: SurgeryData) -> bool:
        """Levels, procedure and year all agree: only then may a surgery whose report is
        already on file be pre-chosen (a second report for it is the exception)."""
        ours = _family(self.procedure)
        return (
            self.agreement(surgery) > 0
            and bool(self.levels and surgery.levels)
            and bool(ours)
            and ours == _family(surgery.procedure.value)
            and self.year is not None
            and surgery.date is not None
        )

    def described(self) -> str:
        """'L4–L5 lumbar fusion': what the report names, as the chart would write it."""
        procedure = Procedure(self.procedure).short if self.procedure in _PROCEDURES else ""
        return " ".join(part for part in (self.levels.text(), procedure) if part)

    def ranked(
        self,
        found: list[Destination],
        surgeries: Sequence[SurgeryData],
        item_surgery: dict[int, int],
        chart: Destination,
    ) -> list[Destination]:
        by_id = {surgery.id: surgery for surgery in surgeries}

        def surgery_of(destination: Destination) -> SurgeryData | None:
            surgery_id = destination.surgery_id
            if surgery_id is None and destination.item_id is not None:
                surgery_id = item_surgery.get(destination.item_id)
            return by_id.get(surgery_id) if surgery_id is not None else None

        def score(destination: Destination) -> int:
            surgery = surgery_of(destination)
            return self.agreement(surgery) if surgery is not None else 0

        def full(destination: Destination) -> bool:
            surgery = surgery_of(destination)
            return surgery is not None and self.matches_fully(surgery)

        scores = {id(destination): score(destination) for destination in found}
        agreeing = sorted(
            (d for d in found if scores[id(d)]),
            key=lambda d: (not d.waiting, not full(d), -scores[id(d)]),
        )
        rest = [d for d in found if not scores[id(d)]]
        # Missing its report, or on file and agreeing in everything: else a second report
        # would be filed onto a surgery whose report is already there.
        if agreeing and (agreeing[0].waiting or full(agreeing[0])):
            return [*agreeing, *rest, chart]
        choose = Destination(
            "none",
            f"Choose where it goes: no surgery on file matches {self.described()}",
        )
        # The surgery the report describes is not in the history yet: adding it is the
        # likely next step, offered right under the choice.
        new = [d for d in rest if d.where == "new-surgery"]
        return [choose, *new, *agreeing, *(d for d in rest if d.where != "new-surgery"), chart]
