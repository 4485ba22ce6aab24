"""Phone notes on both databases: logged with who and when, checked field by field, on the
timeline, on Today's calls to return until marked returned, and in the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.db.models_patients import PhoneNote
from frontdesk.domain.errors import ConflictError, RefusedError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.domain.phone_notes import PhoneNoteForm
from frontdesk.services.history.timeline import patient_timeline
from frontdesk.services.kernel.clock import today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.patients.merge import merge_patients
from frontdesk.services.patients.phone_notes import (
    calls_to_return,
    log_call,
    mark_returned,
    phone_notes_for_patient,
)
from tests.conftest import make_actor


@pytest.fixture
def maria(context: ServiceContext) -> PatientData:
    return create_patient(
        context,
        PatientForm(
            first_name="María José",
            last_name="Núñez-García",
            date_of_birth="3/4/1961",
            mobile_phone="(217) 555-0188",
        ),
    )


@pytest.fixture
def desk(context: ServiceContext) -> ServiceContext:
    return context.as_actor(make_actor(Role.FRONT_DESK, "desk.anna"))


def backdate(context: ServiceContext, note_id: int, follow_up_on: date) -> None:
    """A call logged some days ago, its call-back date now past (the service refuses one)."""
    with context.writing(None) as uow:
        row = uow.session.get(PhoneNote, note_id)
        assert row is not None
        row.follow_up_on = follow_up_on
        uow.commit()


def test_a_call_is_logged_with_who_and_when_and_audited(
    desk: ServiceContext, maria: PatientData
) -> None:
    day = today(desk) + timedelta(days=2)
    note = log_call(
        desk,
        maria.id,
        PhoneNoteForm(
            caller="  Daughter (Lucía)  ",
            subject="Asks whether the MRI arrived",
            promised="Call her back once Valley Imaging sends it",
            follow_up_on=day.isoformat(),
        ),
    )
    assert (note.caller, note.subject, note.follow_up_on) == (
        "Daughter (Lucía)",
        "Asks whether the MRI arrived",
        day,
    )
    assert note.created_by == "desk.anna" and note.version == 1 and note.to_return
    assert phone_notes_for_patient(desk, maria.id) == [note]
    with desk.reading(None) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "phone_notes")).one()
    assert entry.action == "create" and entry.patient_id == maria.id
    assert entry.username == "desk.anna"


def test_each_bad_field_is_named(desk: ServiceContext, maria: PatientData) -> None:
    yesterday = today(desk) - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        log_call(
            desk,
            maria.id,
            PhoneNoteForm(caller=" ", subject="a\nb", follow_up_on=yesterday.isoformat()),
        )
    assert set(refused.value.fields) == {"caller", "subject", "follow_up_on"}
    assert "today or later" in refused.value.fields["follow_up_on"]
    with pytest.raises(ValidationError) as unreadable:
        log_call(desk, maria.id, PhoneNoteForm("Patient", "Refill", follow_up_on="2/30/2027"))
    assert set(unreadable.value.fields) == {"follow_up_on"}
    with pytest.raises(ValidationError) as too_far:
        far = today(desk) + timedelta(days=400)
        log_call(desk, maria.id, PhoneNoteForm("Patient", "Refill", follow_up_on=far))
    assert "within a year" in too_far.value.fields["follow_up_on"]
    assert phone_notes_for_patient(desk, maria.id) == []


def test_calls_to_return_lists_due_and_overdue_until_returned(
    desk: ServiceContext, maria: PatientData
) -> None:
    now = today(desk)
    due = log_call(desk, maria.id, PhoneNoteForm("Patient", "Due today", follow_up_on=now))
    later = log_call(
        desk, maria.id, PhoneNoteForm("Patient", "Next week", follow_up_on=now + timedelta(7))
    )
    log_call(desk, maria.id, PhoneNoteForm("Patient", "Nothing promised"))
    overdue = log_call(desk, maria.id, PhoneNoteForm("Wife", "Overdue", follow_up_on=now))
    backdate(desk, overdue.id, now - timedelta(days=3))

    listed = calls_to_return(desk)
    assert [item.note.id for item in listed.items] == [overdue.id, due.id]
    assert [item.days_overdue for item in listed.items] == [3, 0]
    assert listed.items[0].patient_name == "Núñez-García, María José"
    assert listed.items[0].phone == "+12175550188"
    assert not listed.more
    assert calls_to_return(desk, limit=1).more
    assert later.id not in {item.note.id for item in listed.items}

    returned = mark_returned(desk, due.id, expected_version=due.version)
    assert returned.returned_by == "desk.anna" and not returned.to_return
    assert [item.note.id for item in calls_to_return(desk).items] == [overdue.id]
    with pytest.raises(RefusedError):
        mark_returned(desk, due.id)
    with pytest.raises(ConflictError):
        mark_returned(desk, overdue.id, expected_version=overdue.version + 5)


def test_calls_are_on_the_chart_timeline(desk: ServiceContext, maria: PatientData) -> None:
    now = today(desk)
    note = log_call(
        desk,
        maria.id,
        PhoneNoteForm("Daughter", "MRI question", promised="Call back", follow_up_on=now),
    )
    events = [event for event in patient_timeline(desk, maria.id) if event.kind == "call"]
    assert len(events) == 1
    assert events[0].record_id == note.id
    assert events[0].title == "Phone call from Daughter: MRI question"
    assert "Promised: Call back" in events[0].detail
    assert events[0].flags == (f"call back by {now:%m/%d/%Y}",)
    mark_returned(desk, note.id)
    (event,) = [e for e in patient_timeline(desk, maria.id) if e.kind == "call"]
    assert event.flags == () and "Call-back made by desk.anna" in event.detail


def test_a_merge_moves_the_calls_and_the_merged_chart_takes_no_more(
    context: ServiceContext, maria: PatientData
) -> None:
    note = log_call(context, maria.id, PhoneNoteForm("Patient", "Hello", follow_up_on="today"))
    other = create_patient(context, PatientForm("Ana", "Lindqvist", "1980-05-05"))
    merge_patients(context, other.id, maria.id)
    assert [moved.id for moved in phone_notes_for_patient(context, other.id)] == [note.id]
    assert calls_to_return(context).items[0].mrn == other.mrn
    with pytest.raises(RefusedError):
        log_call(context, maria.id, PhoneNoteForm("Patient", "Hello"))
