"""Pre-visit packets for a day's appointments: build them, then save or print and log them.

``build_packets`` reads each appointment's chart, request and history and renders the PDFs in
memory (nothing is written or logged: a cancelled run leaves no trace). ``save_packets``
writes the files next to their targets, logs every handout in the print log and the letter
and summary in the audit trail in one transaction, and only then gives the files their
names, so there is never a packet on disk that the charts do not list, nor a half-written
file. ``record_printed`` logs a batch that went to a printer instead.

The surgeon's history summaries of the day's new consultations are a file of their own
(``PacketBatch.summaries_pdf``), never part of a packet that is handed or mailed to a patient.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from frontdesk.domain.errors import RefusedError, ValidationError
from frontdesk.domain.handout_format import MAX_NOTE_LENGTH, Handout, language_code
from frontdesk.domain.history_records import PatientHistory, VisitAppointment
from frontdesk.domain.names import printed_name
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.domain.progress import ProgressCallback, no_progress, report_or_cancel
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.what_to_bring import (
    ChecklistEntry,
    StudyOnRecord,
    WhatToBring,
    what_to_bring,
)
from frontdesk.services.handouts import handout_prints, reviews
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts.handout_prints import RenderedHandout
from frontdesk.services.handouts.library import HandoutLibrary
from frontdesk.services.history.summary import get_history
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.practice.forms import LocationData
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.practice.profile import get_profile
from frontdesk.services.practice.settings import TWO_SIDED, read_setting
from frontdesk.services.requests import reading
from frontdesk.services.scheduling import appointment_types, calendars, lookup
from frontdesk.services.scheduling.data import AppointmentData

if TYPE_CHECKING:  # ReportLab loads only when packets are rendered
    from frontdesk.documents.handout_pdf import AppointmentDetails, ReviewMark

PREPARING_ID = "preparing-for-consultation"
PACKET_LANGUAGES = ("en", "es")
TEMPORARY_PREFIX = ".packet-"


@dataclass(frozen=True)
class PacketOptions:
    combined: bool = False  # one PDF for the printer instead of one per patient
    # Every packet in large print; otherwise a patient's is when the chart says so
    # (the patient form's "Prints in large print").
    large_print: bool = False
    note: str = ""  # printed in every letter of the batch
    # A note for one patient, by appointment id: printed in that patient's letter only, as
    # typed (in the letter's language), below the note for everyone.
    personal_notes: Mapping[int, str] = field(default_factory=dict)
    page_size: str | None = None  # None: the practice's paper (Admin)
    # The surgeon's history summaries of new consultations, as a file of their own.
    include_summary: bool = True
    two_sided: bool | None = None  # None: the practice's setting (Admin)


@dataclass(frozen=True)
class Packet:
    """One patient's packet, rendered."""

    appointment_id: int
    patient_id: int
    patient_name: str
    starts_at: dt.datetime  # local time
    language: str
    # True when the chart prefers a language no packet comes in (English is printed).
    language_fallback: bool
    file_name: str
    handouts: tuple[RenderedHandout, ...]
    summary_included: bool  # in the batch's summaries file, never in the packet
    what_to_bring: WhatToBring
    pdf: bytes = field(repr=False, default=b"")  # empty in a combined batch
    large_print: bool = False
    interpreter_needed: bool = False  # the chart says so: the letter says one is booked
    personal_note: bool = False  # the letter carries a note for this patient alone


@dataclass(frozen=True)
class PacketBatch:
    day: dt.date
    provider_ids: tuple[int, ...] | None
    packets: tuple[Packet, ...]
    page_size: str
    large_print: bool
    combined_pdf: bytes | None = field(repr=False, default=None)
    combined_name: str = ""
    # The surgeon's history summaries (new consultations), in appointment order.
    summaries_pdf: bytes | None = field(repr=False, default=None)
    summaries_name: str = ""
    two_sided: bool = False

    @property
    def empty(self) -> bool:
        return not self.packets

    def packet_files(self) -> list[tuple[str, bytes]]:
        """(file name, PDF) of the packets: the combined file, or one per patient."""
        if self.combined_pdf is not None:
            return [(self.combined_name, self.combined_pdf)]
        return [(packet.file_name, packet.pdf) for packet in self.packets]

    @property
    def handout_count(self) -> int:
        return sum(len(packet.handouts) for packet in self.packets)

    def files(self) -> list[tuple[str, bytes]]:
        """(file name, PDF) of every file this batch saves: the packets, then the
        summaries for the surgeon."""
        files = self.packet_files()
        if self.summaries_pdf is not None:
            files.append((self.summaries_name, self.summaries_pdf))
        return files


# The save message names this many patients printed in English, then counts the rest.
FALLBACK_NAMES_SHOWN = 3


@dataclass(frozen=True)
class SavedPackets:
    batch: PacketBatch
    files: tuple[Path, ...]
    logged: int  # handouts recorded in the print log

    def summary(self) -> str:
        count = len(self.batch.packets)
        where = str(self.files[0]) if len(self.files) == 1 else str(self.files[0].parent)
        text = f"Saved {counted(count, 'packet')} ({self.logged} handouts recorded in the charts)"
        summaries = sum(1 for packet in self.batch.packets if packet.summary_included)
        if summaries:
            text += (
                f" and {counted(summaries, 'history summary', 'history summaries')} "
                "for the surgeon, in a file of their own,"
            )
        return f"{text} to {where}"

    def language_note(self) -> str:
        """Who got English because no packet comes in their language ("" when nobody)."""
        names = [packet.patient_name for packet in self.batch.packets if packet.language_fallback]
        if not names:
            return ""
        shown = names[:FALLBACK_NAMES_SHOWN]
        rest = len(names) - len(shown)
        if rest:
            who = ", ".join(shown) + f" and {rest} more"
        elif len(shown) > 1:
            who = ", ".join(shown[:-1]) + f" and {shown[-1]}"
        else:
            who = shown[0]
        return f"In English for {who}: no packet comes in their language."


@dataclass(frozen=True)
class PacketPatient:
    """One row of the day's list in the packets dialog: who gets a packet, and in what."""

    id: int  # the appointment's: a personal note is keyed by it
    patient_id: int
    patient_name: str  # as the packet prints it: "María José Núñez-García"
    listed_name: str  # as the app's lists show it: "Núñez-García, María José"
    starts_at: dt.datetime  # local time
    provider_name: str
    language: str  # the packet's: "en" or "es"
    language_fallback: bool  # the chart's language has no packet: English is printed
    preferred_language: str  # as the chart has it ("Spanish"); may be empty
    large_print: bool  # the chart asks for it (the run may add it for everyone)


# --- choosing and gathering ----------------------------------------------------------------


def packet_appointments(
    context: ServiceContext, day: dt.date, provider_ids: Sequence[int] | None = None
) -> list[AppointmentData]:
    """The day's appointments that still hold their time (not cancelled, not a no-show)."""
    return [
        row
        for row in calendars.day_appointments(
            context, day, list(provider_ids) if provider_ids else None, include_inactive=False
        )
        if row.holds_time
    ]


def packet_patients(
    context: ServiceContext, day: dt.date, provider_ids: Sequence[int] | None = None
) -> list[PacketPatient]:
    """The patients who get a packet on ``day``, in appointment order, with the language and
    print size their packet will have (the packets dialog lists them to add personal notes)."""
    context.require(Permission.PRINT_HANDOUTS)
    zone = practice_clock.practice_zone(context)
    rows: list[PacketPatient] = []
    for appointment in packet_appointments(context, day, provider_ids):
        patient = get_patient(context, appointment.patient_id, record_view=False)
        language, fallback = _packet_language(patient.preferred_language)
        rows.append(
            PacketPatient(
                id=appointment.id,
                patient_id=patient.id,
                patient_name=printed_name(patient.first_name, patient.last_name),
                listed_name=patient.display_name,
                starts_at=appointment.start.astimezone(zone),
                provider_name=appointment.provider_name,
                language=language,
                language_fallback=fallback,
                preferred_language=patient.preferred_language.strip(),
                large_print=patient.large_print,
            )
        )
    return rows


def _covers_every_category(handout: Handout) -> bool:
    return set(handout.categories) >= set(RequestCategory)


def is_primary_for(handout_id: str, category: RequestCategory) -> bool:
    """The category's own handout: its id is the category's name ("spinal-stenosis"), or
    starts with it ("failed-back-syndrome" for failed back)."""
    slug = category.value.replace("_", "-")
    return handout_id == slug or handout_id.startswith(slug + "-")


def handouts_for_category(
    library: HandoutLibrary, category: RequestCategory | None, language: str
) -> list[Handout]:
    """The handouts written for this category, in ``language`` where they exist: the
    category's own handout first, then the others by title.

    Handouts for every category (the general ones) are left out: every packet would carry
    them, and "Preparing for your consultation" is in each packet anyway.
    """
    if category is None:
        return []
    ids = sorted(
        {
            entry.handout.id
            for entry in library.entries
            if category in entry.handout.categories
            and not _covers_every_category(entry.handout)
            and entry.handout.id != PREPARING_ID
        }
    )
    chosen = [library.pick(handout_id, language).handout for handout_id in ids]
    return sorted(
        chosen,
        key=lambda handout: (not is_primary_for(handout.id, category), handout.title.casefold()),
    )


def patient_address(patient: PatientData) -> str:
    """The mailing address as lines ("12 Oak St\\nSpringfield, IL 62701")."""
    city = " ".join(
        part
        for part in (
            f"{patient.city}," if patient.city and patient.state else patient.city,
            patient.state,
            patient.postal_code,
        )
        if part
    )
    lines = [patient.address_line1, patient.address_line2, city]
    return "\n".join(line.strip() for line in lines if line.strip())


def _details(
    appointment: AppointmentData, zone: dt.tzinfo, locations: Mapping[int, LocationData]
) -> AppointmentDetails:
    from frontdesk.documents.handout_pdf import AppointmentDetails

    location = locations.get(appointment.location_id)
    return AppointmentDetails(
        starts_at=appointment.start.astimezone(zone).replace(tzinfo=None),
        provider=appointment.provider_name,
        location=appointment.location_name,
        address=location.address if location is not None else "",
        spanish_location=location.spanish_name if location is not None else "",
    )


def appointment_for_handout(
    context: ServiceContext, appointment_id: int, patient_id: int | None = None
) -> AppointmentDetails:
    """The appointment block printed on a handout (date, time, provider, location), on the
    practice's wall clock. With ``patient_id``, an appointment of someone else is refused."""
    appointment = lookup.get_appointment(context, appointment_id).appointment
    if patient_id is not None and appointment.patient_id != patient_id:
        raise RefusedError(f"Appointment {appointment_id} belongs to another patient")
    if not appointment.holds_time:
        raise RefusedError(
            f"Appointment {appointment_id} is {appointment.status.label.lower()}: "
            "it cannot be printed on a handout"
        )
    locations = {row.id: row for row in list_locations(context, include_inactive=True)}
    return _details(appointment, practice_clock.practice_zone(context), locations)


def _packet_language(preferred: str) -> tuple[str, bool]:
    code = language_code(preferred)
    if code in PACKET_LANGUAGES:
        return code, False
    return "en", bool(preferred.strip()) and code != "en"


def _what_to_bring(
    context: ServiceContext, patient_id: int, request_id: int | None, language: str, today: dt.date
) -> tuple[WhatToBring, PatientHistory, RequestCategory | None]:
    chart = get_history(context, patient_id, today=today)
    checklist: list[ChecklistEntry] = []
    category: RequestCategory | None = None
    if request_id is not None:
        detail = reading.get_request(context, request_id)
        category = detail.request.category
        checklist = [
            ChecklistEntry(item.kind, item.description, item.received) for item in detail.checklist
        ]
    listing = what_to_bring(
        surgeries=[surgery.facts for surgery in chart.surgeries],
        imaging=[StudyOnRecord(study.facts, study.flags.too_old) for study in chart.imaging],
        checklist=checklist,
        language=language,
    )
    return listing, chart, category


def _for_visit(
    chart: PatientHistory, appointment: AppointmentData, starts_at: dt.datetime
) -> PatientHistory:
    """The chart's summary as printed for this appointment: its time, type and provider,
    and its own reason when it has one (the chart's is the next appointment's)."""
    visit = replace(
        chart.visit,
        reason=appointment.reason.strip() or chart.visit.reason,
        appointment=VisitAppointment(
            starts_at=starts_at,
            type_name=appointment.type_name,
            provider=appointment.provider_name,
        ),
    )
    return replace(chart, visit=visit)


def _file_name(appointment: AppointmentData, local: dt.datetime, taken: set[str]) -> str:
    base = f"{local:%Y-%m-%d %H%M} {appointment.patient_name} - packet"
    name = handout_prints.sanitize_pdf_file_name(base)
    number = 2
    while name.casefold() in taken:
        name = handout_prints.sanitize_pdf_file_name(f"{base} ({number})")
        number += 1
    taken.add(name.casefold())
    return name


def check_personal_note(text: str) -> None:
    """Refuse a personal note too long for a letter (ValidationError on "personal_note")."""
    if len(text.strip()) > MAX_NOTE_LENGTH:
        raise ValidationError(
            {"personal_note": f"at most {MAX_NOTE_LENGTH} characters ({len(text.strip())} typed)"}
        )


def check_options(options: PacketOptions, page_size: str) -> None:
    """Refuse a note too long or an unknown paper (ValidationError keyed by the field; a
    personal note too long under "personal_notes", naming its appointment)."""
    problems = {}
    if len(options.note) > MAX_NOTE_LENGTH:
        problems["note"] = f"at most {MAX_NOTE_LENGTH} characters"
    too_long = sorted(
        appointment_id
        for appointment_id, text in options.personal_notes.items()
        if len(text.strip()) > MAX_NOTE_LENGTH
    )
    if too_long:
        which = ", ".join(str(appointment_id) for appointment_id in too_long)
        problems["personal_notes"] = (
            f"at most {MAX_NOTE_LENGTH} characters each (too long for appointment {which})"
        )
    if page_size not in handout_prints.PAGE_SIZES:
        problems["page_size"] = "use letter or a4"
    if problems:
        raise ValidationError(problems)


# --- building ------------------------------------------------------------------------------


def build_packets(
    context: ServiceContext,
    day: dt.date,
    provider_ids: Sequence[int] | None = None,
    options: PacketOptions | None = None,
    *,
    progress: ProgressCallback = no_progress,
    library: HandoutLibrary | None = None,
    today: dt.date | None = None,
) -> PacketBatch:
    """Render the packets of ``day`` (optionally only these providers) in memory.

    ``progress(done, total)`` is called after each packet; it returning False cancels
    (``Cancelled`` is raised and nothing was written or logged).
    """
    # ReportLab loads only when packets are printed: the CLI and the app start quicker.
    from frontdesk.documents import packet_pdf, page_identity, summary_batch_pdf
    from frontdesk.documents.letterhead import PracticeDetails

    options = options or PacketOptions()
    context.require(Permission.PRINT_HANDOUTS)
    page_size = options.page_size or handout_prints.practice_page_size(context)
    check_options(options, page_size)
    profile = get_profile(context)
    if profile is None:
        raise RefusedError(
            "The practice profile is not set up yet: add the practice's name and phone "
            "in Admin first (packets print them)"
        )
    details = PracticeDetails.from_profile(profile)
    library = library or handouts.load_library()
    zone = practice_clock.practice_zone(context)
    appointments = packet_appointments(context, day, provider_ids)
    _check_personal_notes_belong(options, day, appointments)
    types = {
        row.id: row
        for row in appointment_types.list_appointment_types(context, include_inactive=True)
    }
    locations = {row.id: row for row in list_locations(context, include_inactive=True)}
    with context.reading(Permission.VIEW_PATIENTS) as session:
        printed_on = today or practice_clock.practice_today(session)
        two_sided = (
            read_setting(session, TWO_SIDED) if options.two_sided is None else options.two_sided
        )
    summaries: list[PatientHistory] = []
    review_marks = _ReviewMarks(context, printed_on)
    note = options.note.strip()
    personal_notes = {key: text.strip() for key, text in options.personal_notes.items()}
    total = len(appointments)
    report_or_cancel(progress, 0, total)
    contents: list[packet_pdf.PacketContent] = []
    # One parse of each handout's text for the whole run, not one per patient.
    paragraphs = packet_pdf.ParsedParagraphs()
    packets: list[Packet] = []
    taken: set[str] = set()
    for done, appointment in enumerate(appointments, start=1):
        patient = get_patient(context, appointment.patient_id, record_view=False)
        language, fallback = _packet_language(patient.preferred_language)
        listing, chart, category = _what_to_bring(
            context, patient.id, appointment.request_id, language, printed_on
        )
        local = appointment.start.astimezone(zone)
        details_for_patient = _details(appointment, zone, locations)
        name = printed_name(patient.first_name, patient.last_name)
        preparing_entry = library.find(PREPARING_ID, language) or library.find(PREPARING_ID, "en")
        preparing = preparing_entry.handout if preparing_entry is not None else None
        chosen = handouts_for_category(library, category, language)
        marks = {h.key: review_marks.mark(h) for h in (preparing, *chosen) if h is not None}
        kind = types.get(appointment.type_id)
        summary = options.include_summary and kind is not None and kind.is_new_consultation
        if summary:
            # The surgeon's file, never the patient's packet; each summary says its visit.
            summaries.append(_for_visit(chart, appointment, details_for_patient.starts_at))
        # The chart is the one home of a patient's large print; the batch can only add it.
        large_print = options.large_print or patient.large_print
        interpreter = patient.preferred_language.strip() if patient.interpreter_needed else ""
        content = packet_pdf.PacketContent(
            language=language,
            patient_name=name,
            patient_address=patient_address(patient),
            appointment=details_for_patient,
            appointment_type=kind.name_in(language) if kind is not None else appointment.type_name,
            printed_on=printed_on,
            what_to_bring=listing,
            preparing=preparing,
            handouts=tuple(chosen),
            note=note,
            personal_note=personal_notes.get(appointment.id, ""),
            identity=page_identity.visit(name, details_for_patient.starts_at, language),
            large_print=large_print,
            interpreter_needed=patient.interpreter_needed,
            interpreter_language=interpreter,
            reviews=marks,
            patient_sex=patient.sex,
            treatment=review_marks.treatment(language),
        )
        pdf = b""
        if not options.combined:
            pdf = packet_pdf.render_packets(
                [content],
                details,
                page_size=page_size,
                paragraphs=paragraphs,  # type: ignore[arg-type]
            )
        given = [h for h in (preparing, *chosen) if h is not None]
        packets.append(
            Packet(
                appointment_id=appointment.id,
                patient_id=patient.id,
                patient_name=name,
                starts_at=local,
                language=language,
                language_fallback=fallback,
                file_name=_file_name(appointment, local, taken),
                handouts=tuple(
                    _rendered(
                        h,
                        patient.id,
                        name,
                        printed_on,
                        large_print,
                        page_size,
                        pdf,
                        details_for_patient,
                        language,
                    )
                    for h in given
                ),
                summary_included=summary,
                what_to_bring=listing,
                pdf=pdf,
                large_print=large_print,
                interpreter_needed=patient.interpreter_needed,
                personal_note=bool(content.personal_note),
            )
        )
        contents.append(content)
        report_or_cancel(progress, done, total)
    combined = None
    combined_name = ""
    if options.combined and contents:
        combined = packet_pdf.render_packets(
            contents,
            details,
            page_size=page_size,  # type: ignore[arg-type]
            paragraphs=paragraphs,
            two_sided=two_sided,
        )
        combined_name = combined_file_name(day, provider_ids, appointments)
        packets = [_with_pdf(packet, combined) for packet in packets]
    summaries_pdf = None
    summaries_name = ""
    if summaries:
        summaries_pdf = summary_batch_pdf.render_summaries(summaries, details, two_sided=two_sided)
        summaries_name = summaries_file_name(day, provider_ids, appointments)
    return PacketBatch(
        day=day,
        provider_ids=tuple(provider_ids) if provider_ids else None,
        packets=tuple(packets),
        page_size=page_size,
        large_print=options.large_print,
        combined_pdf=combined,
        combined_name=combined_name,
        summaries_pdf=summaries_pdf,
        summaries_name=summaries_name,
        two_sided=two_sided,
    )


def _check_personal_notes_belong(
    options: PacketOptions, day: dt.date, appointments: Sequence[AppointmentData]
) -> None:
    """A personal note for an appointment that gets no packet in this run (another day, a
    cancelled visit, a mistyped id) is refused rather than silently left out."""
    wanted = {key for key, text in options.personal_notes.items() if text.strip()}
    strays = sorted(wanted - {appointment.id for appointment in appointments})
    if strays:
        which = ", ".join(str(appointment_id) for appointment_id in strays)
        raise ValidationError(
            {
                "personal_notes": f"appointment {which} gets no packet on {day.isoformat()} "
                "(another day, another provider, or cancelled)"
            }
        )


class _ReviewMarks:
    """Each handout's review once per run (a day's packets repeat the same handouts), and
    the practice's rule: a handout that may not be given unreviewed stops the run."""

    def __init__(self, context: ServiceContext, day: dt.date) -> None:
        self.context = context
        self.day = day
        self._marks: dict[str, ReviewMark] = {}
        self._treatment: dict[str, str] = {}

    def mark(self, handout: Handout) -> ReviewMark:
        if handout.content_hash not in self._marks:
            with self.context.reading(None) as session:
                standing = reviews.standing_in(session, handout, self.day)
                reviews.check_can_give(session, standing)
            self._marks[handout.content_hash] = standing.mark()
        return self._marks[handout.content_hash]

    def treatment(self, language: str) -> str:
        if language not in self._treatment:
            with self.context.reading(None) as session:
                self._treatment[language] = reviews.practice_treatment(session, language)
        return self._treatment[language]


def _rendered(
    handout: Handout,
    patient_id: int,
    name: str,
    printed_on: dt.date,
    large_print: bool,
    page_size: str,
    pdf: bytes,
    appointment: AppointmentDetails,
    asked_language: str,
) -> RenderedHandout:
    """A handout of a packet, ready for the print log (its PDF is the whole packet)."""
    return RenderedHandout(
        pdf=pdf,
        handout=handout,
        patient_id=patient_id,
        patient_name=name,
        printed_on=printed_on,
        note="",
        large_print=large_print,
        page_size=page_size,
        appointment=appointment,
        content_sha256=handout_prints.content_hash(
            handout.content_hash,
            patient_name=name,
            printed_on=printed_on,
            note="",
            large_print=large_print,
            page_size=page_size,
            appointment=appointment,
        ),
        asked_language=asked_language,
    )


def _with_pdf(packet: Packet, pdf: bytes) -> Packet:
    return replace(packet, handouts=tuple(replace(h, pdf=pdf) for h in packet.handouts))


def _who(provider_ids: Sequence[int] | None, appointments: Sequence[AppointmentData]) -> str:
    names = sorted({a.provider_name for a in appointments})
    return names[0] if provider_ids and len(names) == 1 else "all providers"


def combined_file_name(
    day: dt.date, provider_ids: Sequence[int] | None, appointments: Sequence[AppointmentData]
) -> str:
    """ "Pre-visit packets 2026-05-04 - Adaeze Okafor, MD.pdf" (or "all providers")."""
    who = _who(provider_ids, appointments)
    return handout_prints.sanitize_pdf_file_name(f"Pre-visit packets {day.isoformat()} - {who}")


def summaries_file_name(
    day: dt.date, provider_ids: Sequence[int] | None, appointments: Sequence[AppointmentData]
) -> str:
    """ "History summaries for the surgeon 2026-05-04 - all providers.pdf"."""
    who = _who(provider_ids, appointments)
    return handout_prints.sanitize_pdf_file_name(
        f"History summaries for the surgeon {day.isoformat()} - {who}"
    )


# --- saving, printing, logging -------------------------------------------------------------


def _log_batch(
    uow: UnitOfWork,
    batch: PacketBatch,
    destinations: Sequence[str],
    summaries_destination: str = "",
) -> int:
    """The print log and audit entries of every packet (``destinations``, one a packet) and
    of every summary (``summaries_destination``); returns the handouts logged."""
    logged = 0
    for packet, destination in zip(batch.packets, destinations, strict=True):
        for rendered in packet.handouts:
            handout_prints.record_given_in(uow, rendered, destination)
            logged += 1
        action = "print" if destination.startswith(handout_prints.PRINTER) else "export"
        uow.record(
            action,
            "appointments",
            packet.appointment_id,
            patient_id=packet.patient_id,
            details={
                "document": "pre-visit packet",
                "destination": destination,
                "language": packet.language,
                "handouts": [h.handout_id for h in packet.handouts],
                "history_summary": packet.summary_included,
                # That a note for this patient alone was in the letter (not its text).
                "personal_note": packet.personal_note,
            },
        )
        if packet.summary_included:
            uow.record(
                action,
                "history_summary",
                packet.patient_id,
                patient_id=packet.patient_id,
                details={
                    "in": "history summaries for the surgeon",
                    "destination": summaries_destination or destination,
                },
            )
    return logged


def _unique_target(folder: Path, name: str, taken: set[Path]) -> Path:
    """``name`` in ``folder``, or "name (2).pdf" when a file is already there (never
    overwritten without asking)."""
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    target = folder / name
    number = 2
    while target.exists() or target in taken:
        target = folder / f"{stem} ({number}).pdf"
        number += 1
    taken.add(target)
    return target


def save_packets(
    context: ServiceContext,
    batch: PacketBatch,
    folder: Path,
    *,
    progress: ProgressCallback = no_progress,
) -> SavedPackets:
    """Write the batch's files into ``folder`` and log them, all or nothing."""
    if batch.empty:
        raise RefusedError(f"There are no appointments to prepare packets for on {batch.day}")
    context.require(Permission.PRINT_HANDOUTS)
    folder = folder.expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RefusedError(f"Cannot create {folder}: {error.strerror or error}") from None
    files = batch.files()
    written: list[tuple[str, Path]] = []  # (temporary, target)
    taken: set[Path] = set()
    try:
        for done, (name, pdf) in enumerate(files, start=1):
            target = _unique_target(folder, name, taken)
            handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, suffix=".pdf", dir=folder)
            written.append((temporary, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(pdf)
                stream.flush()
                os.fsync(stream.fileno())
            report_or_cancel(progress, done, len(files))
        targets = [target for _temporary, target in written]
        packet_targets = targets[: len(batch.packet_files())]
        summaries_destination = (
            handout_prints.saved_destination(targets[-1]) if batch.summaries_pdf else ""
        )
        if batch.combined_pdf is not None:
            destinations = [handout_prints.saved_destination(packet_targets[0])] * len(
                batch.packets
            )
        else:
            destinations = [handout_prints.saved_destination(t) for t in packet_targets]
        with context.writing(Permission.PRINT_HANDOUTS) as uow:
            logged = _log_batch(uow, batch, destinations, summaries_destination)
            uow.commit()
    except OSError as error:
        _remove(written)
        raise RefusedError(f"Cannot write in {folder}: {error.strerror or error}") from None
    except BaseException:
        _remove(written)
        raise
    for temporary, target in written:
        os.replace(temporary, target)
    return SavedPackets(batch, tuple(targets), logged)


def _remove(written: Sequence[tuple[str, Path]]) -> None:
    for temporary, _target in written:
        Path(temporary).unlink(missing_ok=True)


def record_printed(context: ServiceContext, batch: PacketBatch, printer_name: str) -> int:
    """Log a batch that reached the printer; returns the handouts logged."""
    destination = handout_prints.printer_destination(printer_name)
    with context.writing(Permission.PRINT_HANDOUTS) as uow:
        logged = _log_batch(uow, batch, [destination] * len(batch.packets))
        uow.commit()
    return logged


def make_packets(
    context: ServiceContext,
    day: dt.date,
    folder: Path,
    provider_ids: Sequence[int] | None = None,
    options: PacketOptions | None = None,
    *,
    progress: ProgressCallback = no_progress,
    library: HandoutLibrary | None = None,
) -> SavedPackets:
    """Build and save in one call (the command line and the packets dialog's Save)."""
    batch = build_packets(context, day, provider_ids, options, progress=progress, library=library)
    return save_packets(context, batch, folder)
