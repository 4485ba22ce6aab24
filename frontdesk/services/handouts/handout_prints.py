"""Handouts given to patients: personalized renders, the print log, reprints and suggestions.

A handout is *given* when it is printed or saved as a PDF for a patient. ``prepare`` renders
it (nothing is recorded: a preview is not a disclosure); ``record_given`` then writes one row
of the print log and one "print" or "export" entry to the audit trail, in one transaction.

Every version that is given keeps its exact file text in ``handout_versions`` (keyed by the
text's SHA-256), so ``reprint`` always gives the same words again, even after the content
file was edited, replaced by the practice, or removed. A reprint prints the personal details
of the original (name as printed, note, appointment, large print, paper) on today's date,
on the practice's current letterhead, and is logged as a new print that names the original.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from frontdesk.db.models_handouts import HandoutPrint, HandoutVersion
from frontdesk.db.models_patients import Patient
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import FrontDeskError, NotFoundError, RefusedError, ValidationError
from frontdesk.domain.handout_format import (
    LANGUAGE_NAMES,
    Handout,
    HandoutFormatError,
    language_code,
    parse_handout,
)
from frontdesk.domain.names import printed_name
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts import reviews
from frontdesk.services.handouts.library import FALLBACK_LANGUAGE, HandoutLibrary, HandoutSummary
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.practice import settings
from frontdesk.services.practice.profile import get_profile

if TYPE_CHECKING:  # ReportLab loads only when something is rendered
    from frontdesk.documents.handout_pdf import AppointmentDetails

PAGE_SIZES = ("letter", "a4")
PRINTER = "printer: "
SAVED = "saved: "
MAX_DESTINATION = 300
MAX_FILE_NAME = 150

_UNSAFE_IN_FILE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{n}" for n in range(1, 10)),
    *(f"lpt{n}" for n in range(1, 10)),
}


# --- suggestions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One handout offered for a patient, in the language it would be given in."""

    handout: HandoutSummary
    # True when the patient prefers a language this handout does not come in, so it is
    # offered in English instead (the screen says so next to it).
    fallback: bool
    # True when the handout is written for the request's category (those come first).
    matches_category: bool

    @property
    def id(self) -> str:
        return self.handout.id


def suggest_handouts(
    library: HandoutLibrary,
    preferred_language: str,
    category: RequestCategory | str | None = None,
) -> list[Suggestion]:
    """Every handout once, in the patient's language where it exists, else English (marked).

    With a request category, the handouts written for it come first; the others follow so
    staff can still add one. Without a preferred language English is the normal choice,
    not a fallback.
    """
    wanted = RequestCategory.parse(category) if isinstance(category, str) else category
    code = language_code(preferred_language)
    asked = code or FALLBACK_LANGUAGE
    wants_other = bool(preferred_language.strip()) and code != FALLBACK_LANGUAGE
    suggestions = []
    for handout_id in sorted({entry.handout.id for entry in library.entries}):
        entry = library.pick(handout_id, asked)
        fallback = wants_other and entry.handout.language != code
        matches = wanted is not None and wanted in entry.handout.categories
        suggestions.append(Suggestion(handouts.summary_of(entry), fallback, matches))
    return sorted(suggestions, key=lambda s: (not s.matches_category, s.handout.title.casefold()))


# --- rendering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedHandout:
    """A handout personalized for a patient, with everything needed to log it as given."""

    pdf: bytes
    handout: Handout  # the exact version rendered; its text is kept when it is given
    patient_id: int | None
    patient_name: str
    printed_on: dt.date
    note: str
    large_print: bool
    page_size: str
    appointment: AppointmentDetails | None
    content_sha256: str
    asked_language: str
    reprint_of_id: int | None = None

    @property
    def handout_id(self) -> str:
        return self.handout.id

    @property
    def language(self) -> str:
        return self.handout.language

    @property
    def version(self) -> str:
        return self.handout.version

    @property
    def title(self) -> str:
        return self.handout.title

    @property
    def fallback(self) -> bool:
        """The asked language was not available; this is the English (or other) version."""
        return self.asked_language != self.handout.language

    def file_name(self) -> str:
        return suggested_file_name(self.handout.id, self.patient_name, self.printed_on)


def suggested_file_name(handout_id: str, patient_name: str, day: dt.date) -> str:
    """The name offered when saving: "spinal-stenosis - José Núñez - 2026-11-28.pdf"."""
    parts = [handout_id, patient_name.strip(), day.isoformat()]
    return sanitize_pdf_file_name(" - ".join(part for part in parts if part))


def _appointment_json(appointment: AppointmentDetails | None) -> str:
    if appointment is None:
        return ""
    fields = {
        "starts_at": appointment.starts_at.isoformat(),
        "provider": appointment.provider,
        "location": appointment.location,
        "address": appointment.address,
    }
    if appointment.spanish_location:  # only when set: older prints keep their hash
        fields["spanish_location"] = appointment.spanish_location
    return json.dumps(
        fields,
        sort_keys=True,
        ensure_ascii=False,
    )


def _appointment_from_json(text: str) -> AppointmentDetails | None:
    if not text:
        return None
    from frontdesk.documents.handout_pdf import AppointmentDetails

    data = json.loads(text)
    return AppointmentDetails(
        starts_at=dt.datetime.fromisoformat(data["starts_at"]),
        provider=data.get("provider", ""),
        location=data.get("location", ""),
        address=data.get("address", ""),
        spanish_location=data.get("spanish_location", ""),
    )


def content_hash(
    handout_text_sha256: str,
    *,
    patient_name: str,
    printed_on: dt.date,
    note: str,
    large_print: bool,
    page_size: str,
    appointment: AppointmentDetails | None,
) -> str:
    """SHA-256 of what a print is made of: the handout's text (by its hash) and every
    personal detail printed on it. The same inputs always give the same hash."""
    canonical = json.dumps(
        {
            "handout_sha256": handout_text_sha256,
            "patient_name": patient_name,
            "printed_on": printed_on.isoformat(),
            "note": note,
            "large_print": large_print,
            "page_size": page_size,
            "appointment": _appointment_json(appointment),
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _check_page_size(page_size: str) -> str:
    if page_size not in PAGE_SIZES:
        raise ValidationError({"page_size": "use letter or a4"})
    return page_size


def practice_page_size(context: ServiceContext) -> str:
    """The paper the practice prints on (Admin; US Letter unless set to A4)."""
    return settings.get_setting(context, settings.PAPER_SIZE)


def _usable_patient(session: Session, patient_id: int) -> Patient:
    row = session.get(Patient, patient_id)
    if row is None:
        raise NotFoundError(f"There is no patient chart with id {patient_id}")
    if row.merged_into_id is not None:
        kept = session.scalar(select(Patient.mrn).where(Patient.id == row.merged_into_id))
        raise RefusedError(
            f"Chart {row.mrn} was merged into chart {kept}: give handouts from that chart"
        )
    return row


def _render(
    context: ServiceContext,
    handout: Handout,
    *,
    patient_id: int | None,
    patient_name: str,
    printed_on: dt.date,
    note: str,
    large_print: bool,
    page_size: str,
    appointment: AppointmentDetails | None,
    asked_language: str,
    reprint_of_id: int | None = None,
) -> RenderedHandout:
    from frontdesk.documents import handout_pdf, page_identity
    from frontdesk.documents.letterhead import PracticeDetails

    identity = None
    if patient_id is not None:
        # Every page names the patient and their date of birth: two patients with one
        # name, given handouts the same day, cannot be mixed up.
        with context.reading(Permission.VIEW_PATIENTS) as session:
            born = session.scalar(select(Patient.date_of_birth).where(Patient.id == patient_id))
        if born is not None:
            identity = page_identity.born(patient_name, born, handout.language)
    profile = get_profile(context)
    if profile is None:
        raise RefusedError(
            "The practice profile is not set up yet: add the practice's name and phone "
            "in Admin first (handouts print them)"
        )
    mark, treatment = reviews.print_terms(context, handout, printed_on)
    pdf = handout_pdf.render(
        handout,
        PracticeDetails.from_profile(profile),
        patient_name,
        printed_on,
        appointment=appointment,
        note=note,
        large_print=large_print,
        page_size=page_size,  # type: ignore[arg-type]
        identity=identity,
        review=mark,
        treatment=treatment,
    )
    return RenderedHandout(
        pdf=pdf,
        handout=handout,
        patient_id=patient_id,
        patient_name=patient_name,
        printed_on=printed_on,
        note=note,
        large_print=large_print,
        page_size=page_size,
        appointment=appointment,
        content_sha256=content_hash(
            handout.content_hash,
            patient_name=patient_name,
            printed_on=printed_on,
            note=note,
            large_print=large_print,
            page_size=page_size,
            appointment=appointment,
        ),
        asked_language=asked_language,
        reprint_of_id=reprint_of_id,
    )


def prepare(
    context: ServiceContext,
    handout_id: str,
    language: str,
    patient_id: int | None,
    *,
    appointment: AppointmentDetails | None = None,
    note: str | None = None,
    large_print: bool | None = None,
    page_size: str | None = None,
    library: HandoutLibrary | None = None,
    today: dt.date | None = None,
) -> RenderedHandout:
    """Render a handout for a patient (or, with no patient, with no name) without logging it.

    ``language`` is the one wanted; a handout that does not come in it is rendered in
    English (``RenderedHandout.fallback`` says so). ``page_size`` None is the practice's paper;
    ``large_print`` None is the chart's choice (regular print without a patient).
    """
    context.require(Permission.PRINT_HANDOUTS)
    page_size = _check_page_size(page_size or practice_page_size(context))
    entry = (library or handouts.load_library()).pick(handout_id, language)
    with context.reading(Permission.VIEW_PATIENTS) as session:
        name = ""
        chart_large_print = False
        if patient_id is not None:
            row = _usable_patient(session, patient_id)
            name = printed_name(row.first_name, row.last_name)
            chart_large_print = row.large_print
        day = today or practice_today(session)
    return _render(
        context,
        entry.handout,
        patient_id=patient_id,
        patient_name=name,
        printed_on=day,
        note=(note or "").strip(),
        large_print=chart_large_print if large_print is None else large_print,
        page_size=page_size,
        appointment=appointment,
        asked_language=language,
    )


def render_for_patient(
    context: ServiceContext,
    handout_id: str,
    language: str,
    patient_id: int,
    *,
    appointment: AppointmentDetails | None = None,
    note: str | None = None,
    large_print: bool | None = None,
    page_size: str | None = None,
    library: HandoutLibrary | None = None,
) -> bytes:
    """The personalized PDF, for a preview: nothing is logged until it is printed or saved.
    ``large_print`` None is the chart's choice."""
    return prepare(
        context,
        handout_id,
        language,
        patient_id,
        appointment=appointment,
        note=note,
        large_print=large_print,
        page_size=page_size,
        library=library,
    ).pdf


# --- the print log ------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintRecord:
    """One line of a patient's "Handouts given"."""

    id: int
    patient_id: int
    handout_id: str
    version: str
    language: str
    title: str
    handout_sha256: str
    content_sha256: str
    patient_name: str
    printed_on: dt.date
    note: str
    large_print: bool
    page_size: str
    destination: str
    reprint_of_id: int | None
    given_at: dt.datetime
    given_by: str

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES.get(self.language, self.language)

    @property
    def printed(self) -> bool:
        return self.destination.startswith(PRINTER)


def _record(row: HandoutPrint) -> PrintRecord:
    return PrintRecord(
        id=row.id,
        patient_id=row.patient_id,
        handout_id=row.handout_id,
        version=row.version,
        language=row.language,
        title=row.title,
        handout_sha256=row.handout_sha256,
        content_sha256=row.content_sha256,
        patient_name=row.patient_name,
        printed_on=row.printed_on,
        note=row.note,
        large_print=row.large_print,
        page_size=row.page_size,
        destination=row.destination,
        reprint_of_id=row.reprint_of_id,
        given_at=row.given_at,
        given_by=row.given_by,
    )


def printer_destination(printer_name: str) -> str:
    return PRINTER + (" ".join(printer_name.split()) or "default printer")


def saved_destination(path: Path | str) -> str:
    """Only the file's name is kept: the folder may say more about a person than needed."""
    return SAVED + Path(path).name


def _checked_destination(destination: str) -> str:
    text = " ".join(destination.split())
    if not text.startswith((PRINTER, SAVED)) or len(text) <= len(PRINTER):
        raise ValidationError({"destination": 'say "printer: NAME" or "saved: FILE NAME"'})
    return text[:MAX_DESTINATION]


def keep_version(session: Session, handout: Handout) -> None:
    """Store this version's text once (two desks giving it at once is fine)."""
    values = {
        "sha256": handout.content_hash,
        "handout_id": handout.id,
        "language": handout.language,
        "version": handout.version,
        "title": handout.title[:300],
        "text": handout.text,
        "first_given_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(HandoutVersion).values(values).on_conflict_do_nothing()
    session.execute(statement)


def record_given(
    context: ServiceContext, rendered: RenderedHandout, destination: str
) -> PrintRecord:
    """Log a handout as given to its patient: the print log row and the audit disclosure."""
    if rendered.patient_id is None:
        raise RefusedError(
            "Choose the patient first: every handout given is recorded in their chart"
        )
    with context.writing(Permission.PRINT_HANDOUTS) as uow:
        record = record_given_in(uow, rendered, destination)
        uow.commit()
        return record


def record_given_in(uow: UnitOfWork, rendered: RenderedHandout, destination: str) -> PrintRecord:
    """``record_given`` inside the caller's unit of work (a batch of packets logs every
    handout in one transaction); the caller commits."""
    if rendered.patient_id is None:
        raise RefusedError(
            "Choose the patient first: every handout given is recorded in their chart"
        )
    uow.context.require(Permission.PRINT_HANDOUTS)
    destination = _checked_destination(destination)
    if not rendered.handout.text:
        raise RefusedError("This handout has no stored text, so it cannot be logged")
    session = uow.session
    _usable_patient(session, rendered.patient_id)
    keep_version(session, rendered.handout)
    row = HandoutPrint(
        patient_id=rendered.patient_id,
        handout_id=rendered.handout_id,
        version=rendered.version,
        language=rendered.language,
        title=rendered.title[:300],
        handout_sha256=rendered.handout.content_hash,
        content_sha256=rendered.content_sha256,
        patient_name=rendered.patient_name[:300],
        printed_on=rendered.printed_on,
        appointment=_appointment_json(rendered.appointment),
        note=rendered.note,
        large_print=rendered.large_print,
        page_size=rendered.page_size,
        destination=destination,
        reprint_of_id=rendered.reprint_of_id,
        given_at=utcnow(),
        given_by=uow.actor.username,
        given_by_user_id=uow.actor.user_id,
    )
    session.add(row)
    session.flush()
    details: dict[str, Any] = {
        "handout": rendered.handout_id,
        "version": rendered.version,
        "language": rendered.language,
        "title": rendered.title,
        "destination": destination,
        "content_sha256": rendered.content_sha256,
        "large_print": rendered.large_print,
        "page_size": rendered.page_size,
        "note": rendered.note,
    }
    if rendered.reprint_of_id is not None:
        details["reprint_of"] = rendered.reprint_of_id
    action = "print" if destination.startswith(PRINTER) else "export"
    uow.record(action, "handout_prints", row.id, patient_id=row.patient_id, details=details)
    return _record(row)


def prints_for_patient(context: ServiceContext, patient_id: int) -> list[PrintRecord]:
    """Every handout given to this patient, newest first (a chart tab; not a disclosure)."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        rows = session.scalars(
            select(HandoutPrint)
            .where(HandoutPrint.patient_id == patient_id)
            .order_by(HandoutPrint.given_at.desc(), HandoutPrint.id.desc())
        )
        return [_record(row) for row in rows]


def reprint(
    context: ServiceContext, print_id: int, *, today: dt.date | None = None
) -> RenderedHandout:
    """The same handout version with the same personal details, dated today, not yet logged
    (print or save it, then ``record_given`` logs it as a reprint of ``print_id``)."""
    context.require(Permission.PRINT_HANDOUTS)
    with context.reading(Permission.VIEW_PATIENTS) as session:
        row = session.get(HandoutPrint, print_id)
        if row is None:
            raise NotFoundError(f"There is no handout print with id {print_id}")
        stored = session.get(HandoutVersion, row.handout_sha256)
        if stored is None:  # the foreign key makes this impossible; say so plainly if not
            raise NotFoundError(
                f"The text of {row.handout_id} version {row.version} is not stored, so it "
                "cannot be printed again; give the current version from the library instead"
            )
        _usable_patient(session, row.patient_id)
        text = stored.text
        day = today or practice_today(session)
        original = _record(row)
        appointment_text = row.appointment
    try:
        handout = parse_handout(text, f"{original.handout_id} version {original.version}")
    except HandoutFormatError as error:  # a stored text parsed when it was given
        raise FrontDeskError(f"The stored handout text cannot be read: {error}") from None
    return _render(
        context,
        handout,
        patient_id=original.patient_id,
        patient_name=original.patient_name,
        printed_on=day,
        note=original.note,
        large_print=original.large_print,
        page_size=original.page_size,
        appointment=_appointment_from_json(appointment_text),
        asked_language=original.language,
        reprint_of_id=original.id,
    )


# --- saving ---------------------------------------------------------------------------


def sanitize_pdf_file_name(name: str) -> str:
    """A file name safe on Windows, macOS and Linux, ending in .pdf (letters of any
    alphabet are kept: "Núñez" stays "Núñez")."""
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE_IN_FILE_NAME.sub("_", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if name.lower().endswith(".pdf"):
        name = name[:-4].rstrip(" .")
    if not name or set(name) <= {"_", " ", "-"}:
        name = "handout"
    if name.split(".")[0].lower() in _WINDOWS_RESERVED:
        name = "_" + name
    return name[: MAX_FILE_NAME - 4].rstrip(" .") + ".pdf"


def save_given(
    context: ServiceContext, rendered: RenderedHandout, path: Path, *, sanitize: bool = True
) -> PrintRecord:
    """Write the PDF to ``path`` and log it as given, all or nothing.

    The file is written next to its target and renamed only once the log entry is
    committed, so there is never a saved handout that the chart does not list. The name is
    made safe for every system unless ``sanitize`` is False (a path typed on the command
    line is used as typed).
    """
    path = path.expanduser()
    target = path.with_name(sanitize_pdf_file_name(path.name)) if sanitize else path
    folder = target.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=".handout-", suffix=".pdf", dir=folder)
    except OSError as error:
        raise RefusedError(f"Cannot write in {folder}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(rendered.pdf)
            stream.flush()
            os.fsync(stream.fileno())
        record = record_given(context, rendered, saved_destination(target))
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise RefusedError(f"Cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return record
