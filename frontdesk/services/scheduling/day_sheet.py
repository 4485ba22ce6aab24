"""The day sheet: a provider's (or every provider's) appointments of one day with what the
desk needs at hand, and printing or saving it as a PDF, recorded in each chart's audit trail.

Each row carries the patient's date of birth and phone, the type and reason, and whether the
imaging and records have arrived ("MRI report ✓ images missing"), read from the history
summary and, for an appointment booked from a consultation request, that request's checklist.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from frontdesk.db.models_patients import Patient
from frontdesk.documents.day_sheet_data import DaySheetData, DaySheetRow, DaySheetSection
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.history_summary import HistorySummary, MissingKind, SurgeryFacts
from frontdesk.domain.history_vocab import Procedure
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.private_files import scratch_file
from frontdesk.services.history.summary import history_summaries
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.profile import get_profile
from frontdesk.services.practice.providers import list_providers
from frontdesk.services.requests import reading
from frontdesk.services.scheduling import calendars
from frontdesk.services.scheduling.data import AppointmentData, DaySheetPdf

RECEIVED = "✓"


SEPARATOR = " · "


# Statuses a day sheet lists: who is coming (cancelled and no-show are not).
LISTED = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)


def _mark(received: bool) -> str:
    return RECEIVED if received else "missing"


def _operation(surgery: SurgeryFacts) -> str:
    """'L4–L5 TLIF 2019'; an operation the history does not name yet by its date alone."""
    if surgery.procedure is Procedure.OTHER and not surgery.procedure_label and not surgery.levels:
        return surgery.date.display() if surgery.date is not None else "date unknown"
    return surgery.description()


# Request items of these kinds say what the history's own flags say already (when the
# history has that kind of record missing): the sheet names each missing record once.
_HISTORY_KINDS = {
    ChecklistKind.OPERATIVE_REPORT: (MissingKind.OPERATIVE_REPORT,),
    ChecklistKind.IMAGING_REPORT: (MissingKind.IMAGING_REPORT, MissingKind.IMAGES),
    ChecklistKind.IMAGING_FILES: (MissingKind.IMAGING_REPORT, MissingKind.IMAGES),
}


def records_text(
    summary: HistorySummary | None,
    request_missing: Sequence[tuple[ChecklistKind, str]] = (),
) -> tuple[str, bool]:
    """What the sheet says about records, each record once ("MRI lumbar 2/2025: report ✓,
    images missing · Missing: op report (L4–L5 TLIF 2019); referral letter"), and whether
    everything known to be needed has arrived."""
    parts: list[str] = []
    missing: list[str] = []
    history_kinds: set[MissingKind] = set()
    if summary is not None:
        study, flags = summary.latest_study, summary.latest_study_flags
        if study is not None and flags is not None:
            text = (
                f"{study.description()}: report {_mark(study.report_received)}, "
                f"images {_mark(study.images_received)}"
            )
            if flags.too_old:
                text += f" (older than {summary.rule.max_age_months} months)"
            elif flags.possibly_too_old:
                text += " (may be too old)"
            parts.append(text)
        elif summary.surgery_count:
            parts.append("no imaging recorded")
        older = 0
        operations: list[str] = []
        for record in summary.missing:
            history_kinds.add(record.kind)
            if record.source is study:
                continue
            if isinstance(record.source, SurgeryFacts):
                operations.append(_operation(record.source))
            else:
                older += 1
        if operations:
            count = "op report" if len(operations) == 1 else f"{len(operations)} op reports"
            missing.append(f"{count} ({', '.join(operations)})")
        if older:
            missing.append(f"older imaging ({counted(older, 'item', 'items')})")
    for kind, label in request_missing:
        if history_kinds.intersection(_HISTORY_KINDS.get(kind, ())):
            continue
        missing.append(label[:1].lower() + label[1:])
    complete = not missing and not (summary is not None and summary.missing)
    if missing:
        parts.append("Missing: " + "; ".join(dict.fromkeys(missing)))
    if not parts:
        parts.append("no imaging or surgery recorded")
    return SEPARATOR.join(parts), complete


def _row(
    item: AppointmentData,
    summary: HistorySummary | None,
    request_missing: Sequence[tuple[ChecklistKind, str]],
    languages: dict[int, tuple[str, bool]],
) -> DaySheetRow:
    text, complete = records_text(summary, request_missing)
    language, interpreter = languages.get(item.patient_id, ("", False))
    return DaySheetRow(
        appointment_id=item.id,
        patient_id=item.patient_id,
        start=item.start,
        end=item.end,
        patient_name=item.patient_name,
        mrn=item.mrn,
        date_of_birth=item.date_of_birth,
        phone=item.phone,
        type_name=item.type_name,
        reason=item.reason,
        location_name=item.location_name,
        status=item.status,
        overbooked=item.overbooked,
        records=text,
        records_complete=complete,
        language=language,
        interpreter_needed=interpreter,
    )


def _request_missing(
    context: ServiceContext, request_ids: set[int]
) -> dict[int, list[tuple[ChecklistKind, str]]]:
    result: dict[int, list[tuple[ChecklistKind, str]]] = {}
    for request_id in sorted(request_ids):
        detail = reading.get_request(context, request_id)
        # A record tied to a surgery or study is that entry's flag, which the history part
        # of the sheet already states; naming it again would say one fact twice.
        result[request_id] = [
            (item.kind, item.label)
            for item in detail.missing
            if item.surgery_id is None and item.imaging_id is None
        ]
    return result


def _languages(context: ServiceContext, patient_ids: set[int]) -> dict[int, tuple[str, bool]]:
    """Each chart's preferred language and whether an interpreter is needed."""
    result: dict[int, tuple[str, bool]] = {}
    wanted = sorted(patient_ids)
    with context.reading(Permission.VIEW_PATIENTS) as session:
        for start in range(0, len(wanted), 500):
            rows = session.execute(
                select(Patient.id, Patient.preferred_language, Patient.interpreter_needed).where(
                    Patient.id.in_(wanted[start : start + 500])
                )
            )
            for row in rows:
                result[row.id] = (row.preferred_language, bool(row.interpreter_needed))
    return result


def day_sheet(
    context: ServiceContext, day: date, provider_ids: Sequence[int] | None = None
) -> DaySheetData:
    """The sheet's content: a section per chosen provider (None: every provider with
    appointments that day), rows in time order."""
    context.require(Permission.VIEW_PATIENTS)
    zone = practice_clock.practice_zone(context)
    wanted = list(provider_ids) if provider_ids is not None else None
    if wanted is not None and not wanted:
        raise ValidationError({"providers": "choose at least one provider"})
    appointments = [
        item
        for item in calendars.day_appointments(context, day, wanted, include_inactive=False)
        if item.status in LISTED
    ]
    summaries = history_summaries(context, [item.patient_id for item in appointments])
    languages = _languages(context, {item.patient_id for item in appointments})
    missing = _request_missing(
        context, {item.request_id for item in appointments if item.request_id is not None}
    )
    providers = {row.id: row.display_name for row in list_providers(context, include_inactive=True)}
    order = (
        wanted
        if wanted is not None
        else [
            provider_id
            for provider_id in providers
            if any(item.provider_id == provider_id for item in appointments)
        ]
    )
    sections = tuple(
        DaySheetSection(
            provider_id=provider_id,
            provider_name=providers.get(provider_id, ""),
            rows=tuple(
                _row(
                    item,
                    summaries.get(item.patient_id),
                    missing.get(item.request_id, []) if item.request_id is not None else [],
                    languages,
                )
                for item in appointments
                if item.provider_id == provider_id
            ),
        )
        for provider_id in order
    )
    profile = get_profile(context)
    return DaySheetData(
        day=day,
        zone=zone,
        practice_name=profile.name if profile else "",
        sections=sections,
        made_at=datetime.now(zone),
    )


def _render(context: ServiceContext, data: DaySheetData) -> bytes:
    # ReportLab loads only when a sheet is drawn: the CLI and the calendar start quicker.
    from frontdesk.documents.day_sheet_pdf import render
    from frontdesk.documents.letterhead import PracticeDetails

    profile = get_profile(context)
    details = (
        PracticeDetails.from_profile(profile)
        if profile is not None
        else PracticeDetails(name="Front Desk")
    )
    return render(data, details)


def preview_day_sheet(
    context: ServiceContext, day: date, provider_ids: Sequence[int] | None = None
) -> DaySheetPdf:
    """The sheet for the screen only: what the calendar shows anyway, so not recorded."""
    data = day_sheet(context, day, provider_ids)
    return DaySheetPdf(_render(context, data), data)


def _record(context: ServiceContext, data: DaySheetData, to: str) -> None:
    """One entry per chart on the sheet, so each patient's trail shows who printed it."""
    with context.writing(Permission.VIEW_PATIENTS) as uow:
        for patient_id in data.patient_ids:
            uow.record(
                "print",
                "day_sheet",
                data.day.isoformat(),
                patient_id=patient_id,
                details={
                    "day": data.day.isoformat(),
                    "providers": [section.provider_id for section in data.sections],
                    "appointments": data.appointment_count,
                    "to": to,
                },
            )
        uow.commit()


def print_day_sheet(
    context: ServiceContext,
    day: date,
    provider_ids: Sequence[int] | None = None,
    *,
    printer: str = "printer",
) -> DaySheetPdf:
    """The sheet to send to ``printer``; recorded before it goes (a print never goes
    unrecorded)."""
    data = day_sheet(context, day, provider_ids)
    pdf = _render(context, data)
    _record(context, data, printer)
    return DaySheetPdf(pdf, data)


def save_day_sheet(
    context: ServiceContext,
    day: date,
    provider_ids: Sequence[int] | None,
    path: Path | str,
) -> DaySheetPdf:
    """Save the sheet as a PDF file: written aside, recorded, then moved into place, so a
    failed save leaves no file and no file exists unrecorded."""
    destination = Path(path)
    folder = destination.parent if str(destination.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError({"path": f"there is no folder {folder}"})
    data = day_sheet(context, day, provider_ids)
    pdf = _render(context, data)
    try:
        with scratch_file(destination, prefix=".day-sheet-") as temporary:
            with open(temporary, "wb") as handle:
                handle.write(pdf)
                handle.flush()
                os.fsync(handle.fileno())
            _record(context, data, f"file {destination.name}")
    except OSError as error:
        raise ValidationError(
            {"path": f"cannot write in {folder} ({error.strerror or error})"}
        ) from None
    return DaySheetPdf(pdf, data)


def default_file_name(day: date) -> str:
    return f"day-sheet-{day.isoformat()}.pdf"
