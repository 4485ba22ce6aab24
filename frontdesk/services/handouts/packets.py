"""Pre-visit packets for a day's appointments: build them, then save or print and log them.

``build_packets`` reads each appointment's chart, request and history and renders the PDFs in
memory (nothing is written or logged: a cancelled run leaves no trace). ``save_packets``
writes the files next to their targets, logs every handout in the print log and the letter
and summary in the audit trail in one transaction, and only then gives the files their
names, so there is never a packet on disk that the charts do not list, nor a half-written
file. ``record_printed`` logs a batch that went to a printer instead.

What goes into a packet lives beside this module: the visit's facts (packet_visit), the
handouts and their reviews (chosen_handouts), the files' names (packet_files), the print log
and audit entries (packet_log), and the plain data of a run (packet_data).

The surgeon's history summaries of the day's new consultations are a file of their own
(``PacketBatch.summaries_pdf``), never part of a packet that is handed or mailed to a patient.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from frontdesk.domain.errors import RefusedError, ValidationError
from frontdesk.domain.handout_format import MAX_NOTE_LENGTH
from frontdesk.domain.history_records import PatientHistory
from frontdesk.domain.names import printed_name
from frontdesk.domain.permissions import Permission
from frontdesk.domain.progress import ProgressCallback, no_progress, report_or_cancel
from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts.chosen_handouts import (
    PREPARING_ID,
    ReviewMarks,
    handouts_for_category,
    rendered_handout,
    with_pdf,
)
from frontdesk.services.handouts.library import HandoutLibrary
from frontdesk.services.handouts.packet_data import (
    Packet,
    PacketBatch,
    PacketOptions,
    PacketPatient,
    SavedPackets,
)
from frontdesk.services.handouts.packet_files import (
    combined_file_name,
    packet_file_name,
    summaries_file_name,
    unique_target,
)
from frontdesk.services.handouts.packet_log import log_batch
from frontdesk.services.handouts.packet_visit import (
    appointment_details,
    gather_what_to_bring,
    history_for_visit,
    packet_appointments,
    packet_language,
    patient_address,
)
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.practice.locations import list_locations
from frontdesk.services.practice.profile import get_profile
from frontdesk.services.practice.settings import TWO_SIDED, read_setting
from frontdesk.services.scheduling import appointment_types
from frontdesk.services.scheduling.data import AppointmentData

TEMPORARY_PREFIX = ".packet-"


# --- the day's patients, the run's options -------------------------------------------------


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
        language, fallback = packet_language(patient.preferred_language)
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
    from frontdesk.documents.packet_content import PacketContent
    from frontdesk.documents.parsed_paragraphs import ParsedParagraphs

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
    review_marks = ReviewMarks(context, printed_on)
    note = options.note.strip()
    personal_notes = {key: text.strip() for key, text in options.personal_notes.items()}
    total = len(appointments)
    report_or_cancel(progress, 0, total)
    contents: list[PacketContent] = []
    # One parse of each handout's text for the whole run, not one per patient.
    paragraphs = ParsedParagraphs()
    packets: list[Packet] = []
    taken: set[str] = set()
    for done, appointment in enumerate(appointments, start=1):
        patient = get_patient(context, appointment.patient_id, record_view=False)
        language, fallback = packet_language(patient.preferred_language)
        listing, chart, category = gather_what_to_bring(
            context, patient.id, appointment.request_id, language, printed_on
        )
        local = appointment.start.astimezone(zone)
        details_for_patient = appointment_details(appointment, zone, locations)
        name = printed_name(patient.first_name, patient.last_name)
        preparing_entry = library.find(PREPARING_ID, language) or library.find(PREPARING_ID, "en")
        preparing = preparing_entry.handout if preparing_entry is not None else None
        chosen = handouts_for_category(library, category, language)
        marks = {h.key: review_marks.mark(h) for h in (preparing, *chosen) if h is not None}
        kind = types.get(appointment.type_id)
        summary = options.include_summary and kind is not None and kind.is_new_consultation
        if summary:
            # The surgeon's file, never the patient's packet; each summary says its visit.
            summaries.append(history_for_visit(chart, appointment, details_for_patient.starts_at))
        # The chart is the one home of a patient's large print; the batch can only add it.
        large_print = options.large_print or patient.large_print
        interpreter = patient.preferred_language.strip() if patient.interpreter_needed else ""
        content = PacketContent(
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
                file_name=packet_file_name(appointment, local, taken),
                handouts=tuple(
                    rendered_handout(
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
        packets = [with_pdf(packet, combined) for packet in packets]
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


# --- saving, printing ----------------------------------------------------------------------


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
            target = unique_target(folder, name, taken)
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
            logged = log_batch(uow, batch, destinations, summaries_destination)
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
        logged = log_batch(uow, batch, [destination] * len(batch.packets))
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
