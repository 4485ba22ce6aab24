"""Phone notes on a chart: log a call, a chart's calls, the calls to return, mark one done."""

from __future__ import annotations

from sqlalchemy import select

from frontdesk.db.models_patients import Patient, PhoneNote
from frontdesk.db.types import utcnow
from frontdesk.domain.errors import NotFoundError, RefusedError, ValidationError
from frontdesk.domain.names import listed_name
from frontdesk.domain.permissions import Permission
from frontdesk.domain.phone_notes import (
    CallsToReturn,
    CallToReturn,
    PhoneNoteData,
    PhoneNoteForm,
    clean_phone_note,
)
from frontdesk.services.kernel.clock import practice_today, zone_of
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.patients.chart_store import _get

# Tables a screen showing phone notes refreshes on.
PHONE_NOTE_TABLES = frozenset({"phone_notes", "patients"})
CALLS_TO_RETURN_LIMIT = 200


def note_data(row: PhoneNote) -> PhoneNoteData:
    return PhoneNoteData(
        id=row.id,
        patient_id=row.patient_id,
        called_at=row.called_at,
        caller=row.caller,
        subject=row.subject,
        promised=row.promised,
        follow_up_on=row.follow_up_on,
        returned_at=row.returned_at,
        returned_by=row.returned_by,
        created_by=row.created_by,
        version=row.version,
    )


def log_call(context: ServiceContext, patient_id: int, form: PhoneNoteForm) -> PhoneNoteData:
    """Log one call on a chart; a call-back date puts it on Today's calls to return."""
    with context.writing(Permission.EDIT_PATIENTS) as uow:
        patient = _get(uow.session, patient_id)
        if patient.merged_into_id is not None:
            raise RefusedError("This chart was merged into another one: log the call on that chart")
        clean, errors = clean_phone_note(form, practice_today(uow.session))
        if errors:
            raise ValidationError(errors)
        row = PhoneNote(
            patient_id=patient.id,
            called_at=utcnow(),
            caller=clean.caller,
            subject=clean.subject,
            promised=clean.promised,
            follow_up_on=clean.follow_up_on,
            to_return=clean.follow_up_on is not None,
            returned_by="",
        )
        uow.stamp(row, new=True)
        uow.session.add(row)
        uow.session.flush()
        data = note_data(row)
        uow.commit(data)
        return data


def phone_notes_for_patient(context: ServiceContext, patient_id: int) -> list[PhoneNoteData]:
    """A chart's calls, newest first."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        rows = session.scalars(
            select(PhoneNote)
            .where(PhoneNote.patient_id == patient_id)
            .order_by(PhoneNote.called_at.desc(), PhoneNote.id.desc())
        )
        return [note_data(row) for row in rows]


def calls_to_return(
    context: ServiceContext, *, limit: int = CALLS_TO_RETURN_LIMIT
) -> CallsToReturn:
    """Call-backs due today or overdue and not yet made, the oldest promise first."""
    limit = max(1, int(limit))
    with context.reading(Permission.VIEW_PATIENTS) as session:
        today = practice_today(session)
        rows = session.execute(
            select(PhoneNote, Patient)
            .join(Patient, Patient.id == PhoneNote.patient_id)
            .where(PhoneNote.to_return.is_(True), PhoneNote.follow_up_on <= today)
            .order_by(PhoneNote.follow_up_on, PhoneNote.id)
            .limit(limit + 1)
        ).all()
        items = tuple(
            CallToReturn(
                note=note_data(note),
                patient_name=listed_name(
                    patient.last_name, patient.first_name, patient.middle_name
                ),
                mrn=patient.mrn,
                phone=patient.mobile_phone or patient.home_phone or patient.work_phone,
                days_overdue=(today - note.follow_up_on).days if note.follow_up_on else 0,
            )
            for note, patient in rows[:limit]
        )
        zone = zone_of(session)
    return CallsToReturn(items, len(rows) > limit, zone)


def mark_returned(
    context: ServiceContext, note_id: int, *, expected_version: int | None = None
) -> PhoneNoteData:
    """The promised call-back was made: the note leaves the calls to return."""
    with context.writing(Permission.EDIT_PATIENTS) as uow:
        row = uow.session.get(PhoneNote, note_id)
        if row is None:
            raise NotFoundError(f"There is no phone note with id {note_id}")
        check_version(row, expected_version, "phone note")
        if row.returned_at is not None:
            raise RefusedError(f"{row.returned_by} already marked this call returned")
        if row.follow_up_on is None:
            raise RefusedError("This call has no call-back date: there is nothing to return")
        row.returned_at = utcnow()
        row.returned_by = uow.actor.username
        row.to_return = False
        uow.stamp(row, new=False)
        uow.session.flush()
        data = note_data(row)
        uow.commit(data)
        return data
