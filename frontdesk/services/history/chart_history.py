"""Prior spine surgeries and imaging: checked entry, records received, timeline and summary.

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
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from frontdesk.db.models import PracticeProfile
from frontdesk.db.models_history import (
    ImagingStudy,
    PriorSurgery,
    ProcedureLabel,
    ReceivedDocument,
)
from frontdesk.db.models_patients import Patient
from frontdesk.domain.actor import Actor
from frontdesk.domain.contact import InvalidValue, clean_text
from frontdesk.domain.dates import parse_date
from frontdesk.domain.errors import (
    NotFoundError,
    PermissionDeniedError,
    RefusedError,
    ValidationError,
)
from frontdesk.domain.history_records import (
    DocumentInfo,
    ImagingData,
    ImagingForm,
    PatientHistory,
    SurgeryData,
    SurgeryForm,
    TimelineEvent,
)
from frontdesk.domain.history_summary import (
    DEFAULT_IMAGING_AGE_RULE,
    HistorySummary,
    ImagingAgeRule,
    ImagingFacts,
    SurgeryFacts,
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
    surgery_entry_problems,
)
from frontdesk.domain.partial_dates import (
    PartialDate,
    history_date_problem,
    parse_partial_date,
    sort_key_undated_first,
)
from frontdesk.domain.permissions import Permission
from frontdesk.domain.spinal_levels import EMPTY, InvalidLevels, LevelSet, parse_levels
from frontdesk.services.history import records
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.practice.profile import check_version
from frontdesk.services.practice.settings import IMAGING_MAX_AGE_MONTHS, read_setting

_C = TypeVar("_C", bound=LabelledChoice)

MAX_TEXT = 200
MAX_NOTES = 20_000
HISTORY_TABLES = frozenset(
    {"prior_surgeries", "imaging_studies", "received_documents", "procedure_labels"}
)

# Fields a front-desk user may change on an entry someone else entered.
SURGERY_TRACKING_FIELDS = frozenset({"report_requested_on", "report_received_on"})
IMAGING_TRACKING_FIELDS = frozenset(
    {"report_received_on", "images_medium", "images_received_on", "disc_location"}
)


# --- what the services return ------------------------------------------------------------


@dataclass(frozen=True)
class DeletedEntry:
    """What a delete removed, in words for the confirmation banner."""

    id: int
    description: str
    documents_deleted: int
    revisions_unlinked: int


# --- small conversions -------------------------------------------------------------------


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


# --- validation --------------------------------------------------------------------------


class _Checks:
    """Collects field -> message while cleaning a form, so every problem shows at once."""

    def __init__(self, today: date, birth_date: date | None) -> None:
        self.today = today
        self.birth_date = birth_date
        self.fields: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def text(self, name: str, value: str | None, limit: int = MAX_TEXT) -> str:
        cleaned = clean_text(value)
        if len(cleaned) > limit:
            self.fail(name, f"at most {limit:,} characters")
        return cleaned

    def choice(
        self, name: str, kind: type[_C], value: _C | str | None, *, required: bool = False
    ) -> _C | None:
        if isinstance(value, kind):
            return value
        if value is None or not clean_text(str(value)):
            if required:
                self.fail(name, "required")
            return None
        try:
            return kind.from_text(str(value))
        except InvalidValue as error:
            self.fail(name, str(error))
            return None

    def partial_date(self, name: str, value: PartialDate | str | None) -> PartialDate | None:
        if value is None or (isinstance(value, str) and not clean_text(value)):
            return None
        try:
            parsed = value if isinstance(value, PartialDate) else parse_partial_date(value)
        except InvalidValue as error:
            self.fail(name, str(error))
            return None
        problem = history_date_problem(parsed, today=self.today, birth_date=self.birth_date)
        if problem:
            self.fail(name, problem)
            return None
        return parsed

    def day(
        self, name: str, value: date | str | None, *, not_before: PartialDate | None = None
    ) -> date | None:
        """A tracking date (report received ...): a real day, not in the future, not before
        the thing it is about could have happened."""
        if isinstance(value, datetime):
            value = value.date()
        if value is None or (isinstance(value, str) and not clean_text(value)):
            return None
        try:
            day = value if isinstance(value, date) else parse_date(value, today=self.today)
        except InvalidValue as error:
            self.fail(name, str(error))
            return None
        if day > self.today:
            self.fail(name, f"{day:%m/%d/%Y} is in the future")
            return None
        if not_before is not None and day < not_before.earliest_day():
            self.fail(
                name, f"{day:%m/%d/%Y} is before {not_before.display()}, the date of the entry"
            )
            return None
        return day

    def levels(self, name: str, value: LevelSet | str) -> LevelSet:
        if isinstance(value, LevelSet):
            return value
        try:
            return parse_levels(value or "")
        except InvalidLevels as error:
            self.fail(name, str(error))
            return EMPTY

    def regions(self, name: str, value: Sequence[BodyRegion | str] | str) -> tuple[BodyRegion, ...]:
        items: Iterable[BodyRegion | str]
        if isinstance(value, str):
            items = [part for part in value.replace(";", ",").replace("/", ",").split(",")]
        else:
            items = value
        found: list[BodyRegion] = []
        for item in items:
            if isinstance(item, BodyRegion):
                found.append(item)
                continue
            if not clean_text(item):
                continue
            try:
                found.append(BodyRegion.from_text(item))
            except InvalidValue as error:
                self.fail(name, str(error))
        wanted = set(found)
        return tuple(region for region in BodyRegion if region in wanted)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationError(self.fields)


def _surgery_values(form: SurgeryForm, checks: _Checks) -> dict[str, Any]:
    procedure = checks.choice("procedure", Procedure, form.procedure, required=True)
    label = checks.text("procedure_label", form.procedure_label, 120)
    if procedure is Procedure.OTHER and not label:
        checks.fail("procedure_label", "say which procedure it was")
    day = checks.partial_date("date", form.date)
    levels = checks.levels("levels", form.levels)
    fusion_approach = checks.choice("fusion_approach", FusionApproach, form.fusion_approach)
    approach = checks.choice("approach", SurgicalApproach, form.approach)
    takes_technique = procedure is not None and procedure.takes_fusion_approach
    if approach is None and fusion_approach is not None and takes_technique:
        # The technique fixes the approach (a TLIF is posterior): record it, do not ask.
        approach = fusion_approach.surgical_approach
    elif approach is None and procedure is not None:
        approach = procedure.fixed_approach
    if procedure is not None:
        for name, message in surgery_entry_problems(
            procedure, fusion_approach=fusion_approach, approach=approach, levels=levels
        ).items():
            checks.fail(name, message)
    description = checks.text(
        "instrumentation_description", form.instrumentation_description, MAX_NOTES
    )
    instrumentation = form.instrumentation
    if description and instrumentation is False:
        checks.fail(
            "instrumentation_description",
            "hardware is marked as not placed; clear the description or mark it placed",
        )
    elif description and instrumentation is None:
        instrumentation = True
    return {
        "procedure": procedure.value if procedure else "",
        "procedure_label": label,
        "date": day,
        "levels": levels,
        "fusion_approach": _code(fusion_approach),
        "levels_note": checks.text("levels_note", form.levels_note, 300),
        "approach": _code(approach),
        "surgeon": checks.text("surgeon", form.surgeon),
        "facility": checks.text("facility", form.facility),
        "instrumentation": instrumentation,
        "instrumentation_description": description,
        "bone_graft": checks.text("bone_graft", form.bone_graft),
        "revises_id": form.revises_id,
        "outcome": _code(checks.choice("outcome", Outcome, form.outcome)),
        "complications": checks.text("complications", form.complications, MAX_NOTES),
        "fusion_status": _code(checks.choice("fusion_status", FusionStatus, form.fusion_status)),
        "report_requested_on": checks.day("report_requested_on", form.report_requested_on),
        "report_received_on": checks.day(
            "report_received_on", form.report_received_on, not_before=day
        ),
        "notes": checks.text("notes", form.notes, MAX_NOTES),
    }


def _imaging_values(form: ImagingForm, checks: _Checks) -> dict[str, Any]:
    modality = checks.choice("modality", ImagingModality, form.modality, required=True)
    label = checks.text("modality_label", form.modality_label, 120)
    if modality is ImagingModality.OTHER and not label:
        checks.fail("modality_label", "say which study it was")
    day = checks.partial_date("date", form.date)
    medium = checks.choice("images_medium", ImagesMedium, form.images_medium)
    images_on = checks.day("images_received_on", form.images_received_on, not_before=day)
    if medium is not None and images_on is None and "images_received_on" not in checks.fields:
        checks.fail("images_received_on", "enter the day the images arrived")
    return {
        "modality": modality.value if modality else "",
        "modality_label": label,
        "regions": checks.regions("regions", form.regions),
        "contrast": _code(checks.choice("contrast", Contrast, form.contrast)),
        "date": day,
        "facility": checks.text("facility", form.facility),
        "ordering_physician": checks.text("ordering_physician", form.ordering_physician),
        "report_received_on": checks.day(
            "report_received_on", form.report_received_on, not_before=day
        ),
        "images_medium": _code(medium),
        "images_received_on": images_on,
        "disc_location": checks.text("disc_location", form.disc_location),
        "findings": checks.text("findings", form.findings, MAX_NOTES),
        "notes": checks.text("notes", form.notes, MAX_NOTES),
    }


def _certainly_not_before(earlier: PartialDate | None, later: PartialDate | None) -> bool:
    """True when ``earlier`` cannot be before ``later`` (both known, and even the first day
    of one is not before the last day of the other; the same exact day counts as not before)."""
    if earlier is None or later is None:
        return False
    return earlier.earliest_day() >= later.latest_day()


# --- rows <-> data -----------------------------------------------------------------------


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
    given = f"{patient.first_name} {patient.middle_name}".strip()
    return PatientHistory(
        patient_id=patient.id,
        mrn=patient.mrn,
        patient_name=f"{patient.last_name}, {given}" if given else patient.last_name,
        date_of_birth=patient.date_of_birth,
        surgeries=tuple(surgeries),
        imaging=tuple(imaging),
        summary=summary,
        today=today,
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
    if surgery_id is not None:
        surgery = session.get(PriorSurgery, surgery_id)
        if surgery is not None:
            return f"the surgery {_surgery_data(surgery).description}"
    if imaging_id is not None:
        study = session.get(ImagingStudy, imaging_id)
        if study is not None:
            facts = _imaging_data(study, practice_today(session), DEFAULT_IMAGING_AGE_RULE).facts
            return f"the study {facts.description()}"
    return "another record"


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


# --- permissions -------------------------------------------------------------------------


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


# --- reading -----------------------------------------------------------------------------


def get_history(
    context: ServiceContext,
    patient_id: int,
    *,
    today: date | None = None,
    record_view: bool = False,
) -> PatientHistory:
    """A chart's surgeries and imaging (oldest first), each with its documents and flags,
    and the summary as of ``today`` (the practice's today by default).

    ``record_view`` records the look in the audit trail (the command line; the chart's tabs
    do not, since opening the chart itself is recorded)."""
    if not record_view:
        with context.reading(Permission.VIEW_PATIENTS) as session:
            patient = _patient(session, patient_id)
            return _load_history(session, patient, today or practice_today(session))
    with context.writing(Permission.VIEW_PATIENTS) as uow:
        patient = _patient(uow.session, patient_id)
        result = _load_history(uow.session, patient, today or practice_today(uow.session))
        uow.record("view", "history", patient_id, patient_id=patient_id)
        uow.commit()
        return result


def history_summaries(
    context: ServiceContext, patient_ids: Sequence[int], *, today: date | None = None
) -> dict[int, HistorySummary]:
    """The summaries of several charts at once (the request queue, the day sheet)."""
    wanted = sorted(set(patient_ids))
    result: dict[int, HistorySummary] = {}
    if not wanted:
        return result
    with context.reading(Permission.VIEW_PATIENTS) as session:
        today = today or practice_today(session)
        rule = imaging_age_rule(session)
        surgeries: dict[int, list[SurgeryFacts]] = {pid: [] for pid in wanted}
        studies: dict[int, list[ImagingFacts]] = {pid: [] for pid in wanted}
        # Chunks keep the IN lists within every driver's parameter limit.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for row in session.scalars(
                select(PriorSurgery).where(PriorSurgery.patient_id.in_(chunk))
            ):
                surgeries[row.patient_id].append(_surgery_data(row).facts)
            for row in session.scalars(
                select(ImagingStudy).where(ImagingStudy.patient_id.in_(chunk))
            ):
                studies[row.patient_id].append(_imaging_data(row, today, rule).facts)
        for pid in wanted:
            result[pid] = summarize_history(
                sorted(
                    surgeries[pid], key=lambda s: (sort_key_undated_first(s.date), s.record_id or 0)
                ),
                sorted(
                    studies[pid], key=lambda s: (sort_key_undated_first(s.date), s.record_id or 0)
                ),
                today=today,
                rule=rule,
            )
    return result


def summary_line(context: ServiceContext, patient_id: int, *, today: date | None = None) -> str:
    """The one line for the chart header: "3 prior spine surgeries, last L4–S1 TLIF 2019 · …"."""
    return history_summaries(context, [patient_id], today=today)[patient_id].line()


# --- surgeries ---------------------------------------------------------------------------


def _apply_surgery(row: PriorSurgery, values: Mapping[str, Any]) -> None:
    day: PartialDate | None = values["date"]
    levels: LevelSet = values["levels"]
    row.date_earliest = day.earliest_day() if day else None
    row.date_precision = day.precision.value if day else None
    row.levels = json.dumps(levels.codes())
    row.level_top = levels.levels[0].sort_position if levels else None
    row.level_bottom = levels.levels[-1].sort_position if levels else None
    for name, value in values.items():
        if name not in ("date", "levels"):
            setattr(row, name, value)


def _check_revision_link(
    session: Session,
    checks: _Checks,
    patient_id: int,
    surgery_id: int | None,
    revises_id: int | None,
    day: PartialDate | None,
) -> None:
    """The revised surgery is another, earlier surgery of the same patient, and the links
    never loop; surgeries that revise this one must stay later than its (new) date."""
    if revises_id is not None:
        target = session.get(PriorSurgery, revises_id)
        if target is None or target.patient_id != patient_id:
            checks.fail("revises_id", "pick an earlier surgery of this patient")
        elif revises_id == surgery_id:
            checks.fail("revises_id", "a surgery cannot revise itself")
        else:
            target_day = stored_date(target.date_earliest, target.date_precision)
            if _certainly_not_before(target_day, day):
                described = _surgery_data(target).description
                checks.fail(
                    "revises_id",
                    f"the revised surgery ({described}) must be earlier than this one",
                )
            seen: set[int] = set()
            step: PriorSurgery | None = target
            while step is not None and step.revises_id is not None and step.id not in seen:
                seen.add(step.id)
                if step.revises_id == surgery_id:
                    checks.fail("revises_id", "these surgeries would revise each other")
                    break
                step = session.get(PriorSurgery, step.revises_id)
    if surgery_id is not None and day is not None:
        for later in session.scalars(
            select(PriorSurgery).where(PriorSurgery.revises_id == surgery_id)
        ):
            later_day = stored_date(later.date_earliest, later.date_precision)
            if _certainly_not_before(day, later_day):
                checks.fail(
                    "date",
                    f"{_surgery_data(later).description} revises this surgery, "
                    "so this one must be earlier",
                )


def add_surgery(context: ServiceContext, patient_id: int, form: SurgeryForm) -> SurgeryData:
    """Record a prior surgery (front desk and up)."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        patient = _patient(session, patient_id, for_change=True)
        checks = _Checks(practice_today(session), patient.date_of_birth)
        values = _surgery_values(form, checks)
        _check_revision_link(session, checks, patient_id, None, form.revises_id, values["date"])
        checks.raise_if_any()
        row = PriorSurgery(patient_id=patient_id)
        _apply_surgery(row, values)
        if row.report_received_on is not None:
            row.report_received_by = uow.actor.username
        uow.stamp(row, new=True)
        session.add(row)
        uow.commit()
        return _surgery_data(row)


def update_surgery(
    context: ServiceContext,
    surgery_id: int,
    form: SurgeryForm,
    expected_version: int | None,
) -> SurgeryData:
    """Save edits to a surgery opened at ``expected_version`` (see the module docstring for
    who may change what). A save over someone else's newer save is refused, naming them."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        row = _surgery_row(session, surgery_id)
        check_version(row, expected_version, "surgery")
        patient = _patient(session, row.patient_id, for_change=True)
        checks = _Checks(practice_today(session), patient.date_of_birth)
        values = _surgery_values(form, checks)
        _check_revision_link(
            session, checks, row.patient_id, row.id, form.revises_id, values["date"]
        )
        checks.raise_if_any()
        received_before = row.report_received_on
        _apply_surgery(row, values)
        changed = _changed_columns(row)
        _require_entry_change(uow.actor, row, "surgery", changed, SURGERY_TRACKING_FIELDS)
        if row.report_received_on != received_before:
            row.report_received_by = uow.actor.username if row.report_received_on else ""
        if session.is_modified(row):
            uow.stamp(row, new=False)
        uow.commit()
        return _surgery_data(row)


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


def delete_surgery(
    context: ServiceContext, surgery_id: int, expected_version: int | None
) -> DeletedEntry:
    """Delete a surgery with its attached documents; later surgeries that revised it lose
    the link. Recorded in the audit trail with what the entry said."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        row = _surgery_row(session, surgery_id)
        check_version(row, expected_version, "surgery")
        _require_entry_delete(uow.actor, row, "surgery")
        description = _surgery_data(row).description
        unlinked = 0
        for later in session.scalars(
            select(PriorSurgery).where(PriorSurgery.revises_id == surgery_id)
        ):
            later.revises_id = None
            uow.stamp(later, new=False)
            unlinked += 1
        documents = session.scalars(
            select(ReceivedDocument).where(ReceivedDocument.surgery_id == surgery_id)
        ).all()
        for document in documents:
            session.delete(document)
        records.release_items(uow, surgery_id=surgery_id)
        session.flush()
        session.delete(row)
        uow.record(
            "delete_summary",
            "prior_surgeries",
            surgery_id,
            patient_id=row.patient_id,
            details={
                "description": description,
                "documents_deleted": len(documents),
                "revisions_unlinked": unlinked,
            },
        )
        uow.commit()
        return DeletedEntry(surgery_id, description, len(documents), unlinked)


def set_operative_report_status(
    context: ServiceContext,
    surgery_id: int,
    *,
    requested_on: date | str | None,
    received_on: date | str | None,
    expected_version: int | None,
) -> SurgeryData:
    """Record when the operative report was requested and received (front desk may do this
    on any entry)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        row = session.get(PriorSurgery, surgery_id)
        if row is None:
            raise NotFoundError(f"There is no prior surgery with id {surgery_id}")
        current = _surgery_data(row)
    form = replace(current.form(), report_requested_on=requested_on, report_received_on=received_on)
    return update_surgery(context, surgery_id, form, expected_version)


# --- imaging -----------------------------------------------------------------------------


def _apply_imaging(row: ImagingStudy, values: Mapping[str, Any]) -> None:
    day: PartialDate | None = values["date"]
    row.date_earliest = day.earliest_day() if day else None
    row.date_precision = day.precision.value if day else None
    row.regions = json.dumps([region.value for region in values["regions"]])
    for name, value in values.items():
        if name not in ("date", "regions"):
            setattr(row, name, value)


def _receivers(
    uow: UnitOfWork, row: ImagingStudy, report_before: date | None, images_before: date | None
) -> None:
    if row.report_received_on != report_before:
        row.report_received_by = uow.actor.username if row.report_received_on else ""
    if row.images_received_on != images_before:
        row.images_received_by = uow.actor.username if row.images_received_on else ""


def add_imaging(context: ServiceContext, patient_id: int, form: ImagingForm) -> ImagingData:
    """Record an imaging study (front desk and up)."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        patient = _patient(session, patient_id, for_change=True)
        today = practice_today(session)
        checks = _Checks(today, patient.date_of_birth)
        values = _imaging_values(form, checks)
        checks.raise_if_any()
        row = ImagingStudy(patient_id=patient_id)
        _apply_imaging(row, values)
        _receivers(uow, row, None, None)
        uow.stamp(row, new=True)
        session.add(row)
        uow.commit()
        return _imaging_data(row, today, imaging_age_rule(session))


def update_imaging(
    context: ServiceContext,
    imaging_id: int,
    form: ImagingForm,
    expected_version: int | None,
) -> ImagingData:
    """Save edits to an imaging study opened at ``expected_version``."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        row = _imaging_row(session, imaging_id)
        check_version(row, expected_version, "imaging study")
        patient = _patient(session, row.patient_id, for_change=True)
        today = practice_today(session)
        checks = _Checks(today, patient.date_of_birth)
        values = _imaging_values(form, checks)
        checks.raise_if_any()
        report_before, images_before = row.report_received_on, row.images_received_on
        _apply_imaging(row, values)
        changed = _changed_columns(row)
        _require_entry_change(uow.actor, row, "imaging study", changed, IMAGING_TRACKING_FIELDS)
        _receivers(uow, row, report_before, images_before)
        if session.is_modified(row):
            uow.stamp(row, new=False)
        uow.commit()
        return _imaging_data(row, today, imaging_age_rule(session))


def delete_imaging(
    context: ServiceContext, imaging_id: int, expected_version: int | None
) -> DeletedEntry:
    """Delete an imaging study with its attached documents (recorded in the audit trail)."""
    with context.writing(Permission.EDIT_HISTORY_BASIC) as uow:
        session = uow.session
        row = _imaging_row(session, imaging_id)
        check_version(row, expected_version, "imaging study")
        _require_entry_delete(uow.actor, row, "imaging study")
        today = practice_today(session)
        description = _imaging_data(row, today, DEFAULT_IMAGING_AGE_RULE).description
        documents = session.scalars(
            select(ReceivedDocument).where(ReceivedDocument.imaging_id == imaging_id)
        ).all()
        for document in documents:
            session.delete(document)
        records.release_items(uow, imaging_id=imaging_id)
        session.flush()
        session.delete(row)
        uow.record(
            "delete_summary",
            "imaging_studies",
            imaging_id,
            patient_id=row.patient_id,
            details={"description": description, "documents_deleted": len(documents)},
        )
        uow.commit()
        return DeletedEntry(imaging_id, description, len(documents), 0)


def set_imaging_records_status(
    context: ServiceContext,
    imaging_id: int,
    *,
    report_received_on: date | str | None,
    images_received_on: date | str | None,
    images_medium: ImagesMedium | str | None,
    disc_location: str,
    expected_version: int | None,
) -> ImagingData:
    """Record the report and images received, and where the disc is kept (front desk may do
    this on any entry)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        row = session.get(ImagingStudy, imaging_id)
        if row is None:
            raise NotFoundError(f"There is no imaging study with id {imaging_id}")
        current = _imaging_data(row, practice_today(session), DEFAULT_IMAGING_AGE_RULE)
    form = replace(
        current.form(),
        report_received_on=report_received_on,
        images_received_on=images_received_on,
        images_medium=images_medium,
        disc_location=disc_location,
    )
    return update_imaging(context, imaging_id, form, expected_version)


# --- the practice's procedure list -------------------------------------------------------


@dataclass(frozen=True)
class ProcedureChoice:
    """One entry of the procedure picker: a built-in procedure or a practice-added label."""

    procedure: Procedure
    label: str
    practice_label: str = ""

    @property
    def is_practice_added(self) -> bool:
        return bool(self.practice_label)


def procedure_choices(context: ServiceContext) -> list[ProcedureChoice]:
    """The built-in procedures (except "other"), then the practice's active ones, then
    "Other" (which asks for the words)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        labels = session.scalars(
            select(ProcedureLabel.label)
            .where(ProcedureLabel.active.is_(True))
            .order_by(ProcedureLabel.label)
        ).all()
    built_in = [
        ProcedureChoice(procedure, procedure.label)
        for procedure in Procedure
        if procedure is not Procedure.OTHER
    ]
    added = [ProcedureChoice(Procedure.OTHER, label, label) for label in labels]
    return [*built_in, *added, ProcedureChoice(Procedure.OTHER, Procedure.OTHER.label)]


def add_procedure_label(context: ServiceContext, label: str) -> ProcedureChoice:
    """Extend the practice's procedure list (clinical staff and admins)."""
    cleaned = " ".join(clean_text(label).split())
    if not cleaned:
        raise ValidationError({"label": "type the procedure's name"})
    if len(cleaned) > 120:
        raise ValidationError({"label": "at most 120 characters"})
    folded = cleaned.casefold()
    for procedure in Procedure:
        if folded in (procedure.label.casefold(), procedure.short.casefold(), procedure.value):
            raise ValidationError({"label": f"“{procedure.label}” is already on the list"})
    with context.writing(Permission.EDIT_HISTORY_FULL) as uow:
        session = uow.session
        for row in session.scalars(select(ProcedureLabel)):
            if row.label.casefold() == folded:
                if not row.active:
                    row.active = True
                    uow.stamp(row, new=False)
                    uow.commit()
                    return ProcedureChoice(Procedure.OTHER, row.label, row.label)
                raise ValidationError({"label": f"“{row.label}” is already on the list"})
        row = ProcedureLabel(label=cleaned, active=True)
        uow.stamp(row, new=True)
        session.add(row)
        uow.commit()
        return ProcedureChoice(Procedure.OTHER, cleaned, cleaned)


def retire_procedure_label(context: ServiceContext, label: str) -> None:
    """Take a practice-added procedure off the picker; entries that use it keep their words."""
    with context.writing(Permission.EDIT_HISTORY_FULL) as uow:
        row = uow.session.scalar(select(ProcedureLabel).where(ProcedureLabel.label == label))
        if row is None:
            raise NotFoundError(f"“{label}” is not on the practice's procedure list")
        row.active = False
        uow.stamp(row, new=False)
        uow.commit()


# --- timeline ----------------------------------------------------------------------------


def surgery_events(session: Session, patient_id: int, today: date) -> Iterable[TimelineEvent]:
    for row in session.scalars(select(PriorSurgery).where(PriorSurgery.patient_id == patient_id)):
        data = _surgery_data(row)
        detail = ", ".join(part for part in (data.surgeon, data.facility) if part)
        flags = () if data.report_received else ("operative report missing",)
        levels = data.levels.text()
        title = f"{data.procedure_text} {levels}".strip()
        yield TimelineEvent("surgery", data.date, title, detail, data.id, flags=flags)


def imaging_events(session: Session, patient_id: int, today: date) -> Iterable[TimelineEvent]:
    rule = imaging_age_rule(session)
    for row in session.scalars(select(ImagingStudy).where(ImagingStudy.patient_id == patient_id)):
        data = _imaging_data(row, today, rule)
        title = f"{data.modality_text} {'/'.join(r.value for r in data.regions)}".strip()
        flags: list[str] = []
        if data.flags.report_missing:
            flags.append("report missing")
        if data.flags.images_missing:
            flags.append("images missing")
        if data.flags.too_old:
            flags.append(f"older than {rule.max_age_months} months")
        elif data.flags.possibly_too_old:
            flags.append(f"may be older than {rule.max_age_months} months")
        yield TimelineEvent("imaging", data.date, title, data.facility, data.id, flags=tuple(flags))


# --- the summary for the surgeon (PDF) ---------------------------------------------------


def surgeon_summary_pdf(
    context: ServiceContext, patient_id: int, *, today: date | None = None
) -> bytes:
    """The "history summary for the surgeon" PDF; printing it is recorded in the audit trail."""
    # ReportLab loads only when a summary is printed: the CLI and the chart start quicker.
    from frontdesk.documents.history_summary_pdf import render as render_summary_pdf
    from frontdesk.documents.letterhead import PracticeDetails

    with context.writing(Permission.VIEW_PATIENTS) as uow:
        session = uow.session
        patient = _patient(session, patient_id)
        history = _load_history(session, patient, today or practice_today(session))
        profile = session.get(PracticeProfile, 1)
        practice = (
            PracticeDetails.from_profile(profile)
            if profile is not None
            else PracticeDetails(name="Front Desk")
        )
        pdf = render_summary_pdf(history, practice)
        uow.record(
            "print",
            "history_summary",
            patient_id,
            patient_id=patient_id,
            details={"surgeries": len(history.surgeries), "imaging": len(history.imaging)},
        )
        uow.commit()
    return pdf


__all__ = [
    "HISTORY_TABLES",
    "DeletedEntry",
    "DocumentInfo",
    "ImagingData",
    "ImagingForm",
    "PatientHistory",
    "ProcedureChoice",
    "SurgeryData",
    "SurgeryForm",
    "TimelineEvent",
    "add_imaging",
    "add_procedure_label",
    "add_surgery",
    "delete_imaging",
    "delete_surgery",
    "get_history",
    "history_summaries",
    "procedure_choices",
    "set_imaging_records_status",
    "set_operative_report_status",
    "summary_line",
    "surgeon_summary_pdf",
    "update_imaging",
    "update_surgery",
]
