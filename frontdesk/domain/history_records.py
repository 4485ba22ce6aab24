"""A chart's history as plain data: surgery and imaging forms as typed, entries as stored.

What the history services take and return, and what the history summary PDF and the packets
read: frozen dataclasses over the domain's vocabularies, levels and partial dates, with no
database or service behind them (the services in services.history build them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.history_summary import (
    HistorySummary,
    ImagingFacts,
    ImagingFlags,
    SurgeryFacts,
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
from frontdesk.domain.partial_dates import PartialDate, sort_key_undated_first
from frontdesk.domain.spinal_levels import LevelSet


def _code(choice: LabelledChoice | None) -> str | None:
    return None if choice is None else choice.value


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# --- what people type --------------------------------------------------------------------


@dataclass(frozen=True)
class SurgeryForm:
    """One prior surgery as typed. Choices may be the enum, its code or its label; dates and
    levels may be text ("about 2019", "L4-S1") or already parsed values."""

    procedure: Procedure | str
    date: PartialDate | str | None = None
    levels: LevelSet | str = ""
    procedure_label: str = ""
    fusion_approach: FusionApproach | str | None = None
    levels_note: str = ""
    approach: SurgicalApproach | str | None = None
    surgeon: str = ""
    facility: str = ""
    instrumentation: bool | None = None
    instrumentation_description: str = ""
    bone_graft: str = ""
    revises_id: int | None = None
    outcome: Outcome | str | None = None
    complications: str = ""
    fusion_status: FusionStatus | str | None = None
    report_requested_on: date | str | None = None
    report_received_on: date | str | None = None
    notes: str = ""


@dataclass(frozen=True)
class ImagingForm:
    """One imaging study as typed; ``regions`` may be text ("lumbar, cervical")."""

    modality: ImagingModality | str
    regions: Sequence[BodyRegion | str] | str = ()
    date: PartialDate | str | None = None
    modality_label: str = ""
    contrast: Contrast | str | None = None
    facility: str = ""
    ordering_physician: str = ""
    report_received_on: date | str | None = None
    images_medium: ImagesMedium | str | None = None
    images_received_on: date | str | None = None
    disc_location: str = ""
    findings: str = ""
    notes: str = ""


# --- what the history services return -----------------------------------------------------


@dataclass(frozen=True)
class DocumentInfo:
    """A received document without its bytes (services.history.received_documents gives those)."""

    id: int
    patient_id: int
    kind: str
    file_name: str
    mime_type: str
    size_bytes: int
    sha256: str
    page_count: int | None
    received_at: datetime
    received_by: str
    surgery_id: int | None
    imaging_id: int | None
    request_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "page_count": self.page_count,
            "received_at": self.received_at.isoformat(),
            "received_by": self.received_by,
        }


# How a surgery drafted from a caller's words is marked wherever it is shown, until confirmed.
UNCONFIRMED_SURGERY = "unconfirmed: as the caller said at intake"


@dataclass(frozen=True)
class SurgeryData:
    id: int
    patient_id: int
    date: PartialDate | None
    procedure: Procedure
    procedure_label: str
    fusion_approach: FusionApproach | None
    levels: LevelSet
    levels_note: str
    approach: SurgicalApproach | None
    surgeon: str
    facility: str
    instrumentation: bool | None
    instrumentation_description: str
    bone_graft: str
    revises_id: int | None
    revises_description: str
    outcome: Outcome | None
    complications: str
    fusion_status: FusionStatus | None
    report_requested_on: date | None
    report_received_on: date | None
    report_received_by: str
    notes: str
    version: int
    created_by: str
    updated_at: datetime
    updated_by: str
    documents: tuple[DocumentInfo, ...] = ()
    # A draft from what a caller said at intake, until staff check it and save (confirm).
    unconfirmed: bool = False

    @property
    def facts(self) -> SurgeryFacts:
        return SurgeryFacts(
            procedure=self.procedure,
            date=self.date,
            levels=self.levels,
            fusion_approach=self.fusion_approach,
            procedure_label=self.procedure_label,
            operative_report_received=self.report_received_on is not None,
            record_id=self.id,
        )

    @property
    def procedure_text(self) -> str:
        return self.facts.procedure_text()

    @property
    def description(self) -> str:
        """'L4–S1 TLIF 2019'."""
        return self.facts.description()

    @property
    def report_received(self) -> bool:
        return self.report_received_on is not None

    def form(self) -> SurgeryForm:
        """The entry as a form, to edit and save back."""
        return SurgeryForm(
            procedure=self.procedure,
            date=self.date,
            levels=self.levels,
            procedure_label=self.procedure_label,
            fusion_approach=self.fusion_approach,
            levels_note=self.levels_note,
            approach=self.approach,
            surgeon=self.surgeon,
            facility=self.facility,
            instrumentation=self.instrumentation,
            instrumentation_description=self.instrumentation_description,
            bone_graft=self.bone_graft,
            revises_id=self.revises_id,
            outcome=self.outcome,
            complications=self.complications,
            fusion_status=self.fusion_status,
            report_requested_on=self.report_requested_on,
            report_received_on=self.report_received_on,
            notes=self.notes,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date.to_edtf() if self.date else None,
            "date_display": self.date.display() if self.date else "",
            "date_precision": self.date.precision.value if self.date else None,
            "procedure": self.procedure.value,
            "procedure_label": self.procedure_label,
            "procedure_text": self.procedure_text,
            "fusion_approach": _code(self.fusion_approach),
            "levels": self.levels.codes(),
            "levels_text": self.levels.text(),
            "levels_note": self.levels_note,
            "approach": _code(self.approach),
            "surgeon": self.surgeon,
            "facility": self.facility,
            "instrumentation": self.instrumentation,
            "instrumentation_description": self.instrumentation_description,
            "bone_graft": self.bone_graft,
            "revises_id": self.revises_id,
            "outcome": _code(self.outcome),
            "complications": self.complications,
            "fusion_status": _code(self.fusion_status),
            "operative_report": {
                "requested_on": _iso(self.report_requested_on),
                "received": self.report_received,
                "received_on": _iso(self.report_received_on),
                "received_by": self.report_received_by,
            },
            "notes": self.notes,
            "documents": [document.to_json() for document in self.documents],
            "version": self.version,
        }


@dataclass(frozen=True)
class ImagingData:
    id: int
    patient_id: int
    modality: ImagingModality
    modality_label: str
    regions: tuple[BodyRegion, ...]
    contrast: Contrast | None
    date: PartialDate | None
    facility: str
    ordering_physician: str
    report_received_on: date | None
    report_received_by: str
    images_medium: ImagesMedium | None
    images_received_on: date | None
    images_received_by: str
    disc_location: str
    findings: str
    notes: str
    version: int
    created_by: str
    updated_at: datetime
    updated_by: str
    flags: ImagingFlags
    documents: tuple[DocumentInfo, ...] = ()

    @property
    def facts(self) -> ImagingFacts:
        return ImagingFacts(
            modality=self.modality,
            regions=self.regions,
            date=self.date,
            report_received=self.report_received,
            images_received=self.images_received,
            modality_label=self.modality_label,
            record_id=self.id,
        )

    @property
    def report_received(self) -> bool:
        return self.report_received_on is not None

    @property
    def images_received(self) -> bool:
        return self.images_received_on is not None

    @property
    def description(self) -> str:
        """'MRI lumbar May 2024'."""
        return self.facts.description()

    @property
    def modality_text(self) -> str:
        return self.facts.modality_text()

    @property
    def regions_text(self) -> str:
        return ", ".join(region.value for region in self.regions)

    def form(self) -> ImagingForm:
        return ImagingForm(
            modality=self.modality,
            regions=self.regions,
            date=self.date,
            modality_label=self.modality_label,
            contrast=self.contrast,
            facility=self.facility,
            ordering_physician=self.ordering_physician,
            report_received_on=self.report_received_on,
            images_medium=self.images_medium,
            images_received_on=self.images_received_on,
            disc_location=self.disc_location,
            findings=self.findings,
            notes=self.notes,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "modality": self.modality.value,
            "modality_label": self.modality_label,
            "modality_text": self.modality_text,
            "regions": [region.value for region in self.regions],
            "contrast": _code(self.contrast),
            "date": self.date.to_edtf() if self.date else None,
            "date_display": self.date.display() if self.date else "",
            "date_precision": self.date.precision.value if self.date else None,
            "facility": self.facility,
            "ordering_physician": self.ordering_physician,
            "report_received": self.report_received,
            "report_received_on": _iso(self.report_received_on),
            "report_received_by": self.report_received_by,
            "images_received": self.images_received,
            "images_medium": _code(self.images_medium),
            "images_received_on": _iso(self.images_received_on),
            "images_received_by": self.images_received_by,
            "disc_location": self.disc_location,
            "findings": self.findings,
            "notes": self.notes,
            "flags": {
                "report_missing": self.flags.report_missing,
                "images_missing": self.flags.images_missing,
                "too_old": self.flags.too_old,
                "possibly_too_old": self.flags.possibly_too_old,
            },
            "documents": [document.to_json() for document in self.documents],
            "version": self.version,
        }


@dataclass(frozen=True)
class VisitAppointment:
    """The appointment a summary is printed for, as the day's schedule names it: the surgeon
    matches each summary of a day's file to a line of the day (packets set it)."""

    starts_at: datetime  # on the practice's wall clock
    type_name: str
    provider: str = ""


@dataclass(frozen=True)
class VisitContext:
    """What the surgeon reads before the history: why the patient is coming, who sent them,
    and the language they need (history.visit_context builds it from the chart); with
    ``appointment``, which visit of the day the summary is for."""

    reason: str = ""
    referring_physician: str = ""
    language: str = ""
    interpreter_needed: bool = False
    appointment: VisitAppointment | None = None


@dataclass(frozen=True)
class PatientHistory:
    """Everything the chart's history tabs, the CLI and the summary PDF show."""

    patient_id: int
    mrn: str
    patient_name: str
    date_of_birth: date
    surgeries: tuple[SurgeryData, ...]
    imaging: tuple[ImagingData, ...]
    summary: HistorySummary
    # The practice's day when loaded (the flags are as of it) and its zone: a screen that
    # stays open past midnight asks the zone for the day ("Today" buttons), not ``today``.
    today: date
    zone: tzinfo
    visit: VisitContext = VisitContext()

    @property
    def summary_line(self) -> str:
        return self.summary.line()

    def surgery(self, surgery_id: int) -> SurgeryData:
        for surgery in self.surgeries:
            if surgery.id == surgery_id:
                return surgery
        raise NotFoundError(f"There is no prior surgery with id {surgery_id} in this chart")

    def to_json(self) -> dict[str, Any]:
        return {
            "patient": {
                "id": self.patient_id,
                "mrn": self.mrn,
                "name": self.patient_name,
                "date_of_birth": self.date_of_birth.isoformat(),
            },
            "summary": self.summary_line,
            "surgeries": [surgery.to_json() for surgery in self.surgeries],
            "imaging": [study.to_json() for study in self.imaging],
            "missing_records": [record.text for record in self.summary.missing],
            "outdated_imaging": [item.text() for item in self.summary.outdated],
        }


@dataclass(frozen=True)
class TimelineEvent:
    """One dated thing in a patient's story: a surgery, a study, a request, an appointment.

    ``at`` orders events of the same day (an appointment's time); ``kind`` is a short code
    other areas choose ("surgery", "imaging", "request", "appointment").
    """

    kind: str
    date: PartialDate | None
    title: str
    detail: str = ""
    record_id: int | None = None
    at: datetime | None = None
    # Words for what is still missing or wrong ("report missing"), shown with the event.
    flags: tuple[str, ...] = ()

    def sort_key(self) -> tuple[Any, ...]:
        moment = self.at.timestamp() if self.at is not None else 0.0
        return (*sort_key_undated_first(self.date), moment, self.kind, self.record_id or 0)

    @property
    def date_text(self) -> str:
        return self.date.display() if self.date is not None else "date unknown"


# --- what the history services also return ---------------------------------------------


# The tables the history area changes: a screen showing history refreshes when one changes.
HISTORY_TABLES = frozenset(
    {"prior_surgeries", "imaging_studies", "received_documents", "procedure_labels"}
)


@dataclass(frozen=True)
class DeletedEntry:
    """What a delete removed, in words for the confirmation banner."""

    id: int
    description: str
    documents_deleted: int
    revisions_unlinked: int


@dataclass(frozen=True)
class ProcedureChoice:
    """One entry of the procedure picker: a built-in procedure or a practice-added label."""

    procedure: Procedure
    label: str
    practice_label: str = ""

    @property
    def is_practice_added(self) -> bool:
        return bool(self.practice_label)
