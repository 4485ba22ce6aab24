"""Patient charts: validation, exact round-trip of names, MRNs, safe concurrent edits, views."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import referrers
from frontdesk.services.patients.chart_store import KEYS, PATIENTS
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import AgeConfirmationNeeded, PatientForm
from frontdesk.services.patients.lookup import find_by_mrn, get_patient
from frontdesk.services.patients.search import search
from tests.conftest import make_actor

MARIA = PatientForm(
    first_name="  María José ",
    last_name="Núñez-García",
    date_of_birth="3/4/1961",
    mobile_phone="(217) 555-0142",
    email="MJ.Nunez@Example.com",
    preferred_language="Spanish",
    interpreter_needed=True,
    preferred_contact="phone",
    sex="F",
)


def test_a_chart_round_trips_names_exactly_and_normalizes_contact_details(
    context: ServiceContext,
) -> None:
    chart = create_patient(context, MARIA)
    again = get_patient(context, chart.id)
    assert again.first_name == "María José"  # trimmed, accents kept
    assert again.last_name == "Núñez-García"
    assert again.date_of_birth == date(1961, 3, 4)
    assert again.mobile_phone == "+12175550142"
    assert again.email == "MJ.Nunez@example.com"
    assert again.sex == "female"
    assert again.interpreter_needed and again.preferred_language == "Spanish"
    assert again.created_by == again.updated_by == "test.admin"
    assert again.mrn == chart.mrn and again.mrn.startswith("M")


@pytest.mark.parametrize(
    "name", ["Seán O'Connor", "Nguyễn Thị Minh Khai", "王小明", "Иван Петров", "Ελένη", "محمد"]
)
def test_non_latin_and_punctuated_names_round_trip(context: ServiceContext, name: str) -> None:
    chart = create_patient(
        context, PatientForm(first_name=name, last_name=name, date_of_birth="1970-01-01")
    )
    assert get_patient(context, chart.id).first_name == name


def test_mrns_are_never_reused(database: Database, context: ServiceContext) -> None:
    first = create_patient(context, MARIA)
    second = create_patient(
        context, PatientForm("Seán", "O'Connor", "1958-09-17"), allow_duplicates=True
    )
    # Even if the newest chart's row disappears, the counter has moved on.
    with database.write_sessions() as session, session.begin():
        session.execute(KEYS.delete().where(KEYS.c.patient_id == second.id))
        session.execute(PATIENTS.delete().where(PATIENTS.c.id == second.id))
    third = create_patient(context, PatientForm("Ana", "Lindqvist", "1980-05-05"))
    assert len({first.mrn, second.mrn, third.mrn}) == 3
    assert third.mrn > second.mrn > first.mrn


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": "   "}, "first_name", "required"),
        ({"last_name": ""}, "last_name", "required"),
        ({"date_of_birth": ""}, "date_of_birth", "required"),
        ({"date_of_birth": "1961-02-30"}, "date_of_birth", "not a real date"),
        ({"date_of_birth": "2/30/1961"}, "date_of_birth", "not a real date"),
        ({"date_of_birth": "yesterday"}, "date_of_birth", "not a date"),
        ({"mobile_phone": "555-01"}, "mobile_phone", "phone"),
        ({"email": "maria@"}, "email", "e-mail"),
        ({"sex": "dunno"}, "sex", "choose"),
        ({"preferred_contact": "pigeon"}, "preferred_contact", "choose"),
        ({"notes": "x" * 20_001}, "notes", "at most"),
    ],
)
def test_each_bad_field_is_named_with_its_reason(
    context: ServiceContext, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        create_patient(context, replace(MARIA, **changes))
    assert list(caught.value.fields) == [field]
    assert message in caught.value.fields[field]
    assert search(context, "nunez").items == ()


def test_a_birth_date_in_the_future_is_refused(context: ServiceContext) -> None:
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(ValidationError, match="future"):
        create_patient(context, replace(MARIA, date_of_birth=tomorrow))


def test_an_age_over_120_needs_confirmation(context: ServiceContext) -> None:
    old = replace(MARIA, date_of_birth=date(1890, 1, 1))
    with pytest.raises(AgeConfirmationNeeded) as caught:
        create_patient(context, old)
    assert caught.value.age > 120 and "date_of_birth" in caught.value.fields
    chart = create_patient(context, old, confirm_age=True)
    assert chart.date_of_birth == date(1890, 1, 1)


def test_a_long_note_is_fine(context: ServiceContext) -> None:
    note = "Patient prefers mornings. " * 384  # just under 10,000 characters
    chart = create_patient(context, replace(MARIA, notes=note + "End."))
    assert get_patient(context, chart.id).notes == (note + "End.").strip()


def test_referring_physicians_come_from_the_directory(context: ServiceContext) -> None:
    patel = referrers.save_referrer(
        context,
        referrers.ReferrerForm(
            last_name="Patel", first_name="Anil", credentials="MD", npi="1234567893"
        ),
    )
    chart = create_patient(context, replace(MARIA, primary_care_id=patel.id, referring_id=patel.id))
    assert chart.referring_name == "Anil Patel, MD"
    with pytest.raises(ValidationError) as caught:
        update_patient(context, chart.id, replace(MARIA, referring_id=patel.id + 99), chart.version)
    assert list(caught.value.fields) == ["referring_id"]


def test_a_second_save_over_a_newer_one_is_refused_and_names_who(database: Database) -> None:
    alice = ServiceContext(database, make_actor(Role.FRONT_DESK, "alice"))
    bob = ServiceContext(database, make_actor(Role.FRONT_DESK, "bob"))
    opened = create_patient(alice, MARIA)
    update_patient(bob, opened.id, replace(opened.form(), home_phone="217-555-0111"), 1)
    with pytest.raises(ConflictError, match=r"bob changed this chart at \d{4}-\d\d-\d\d"):
        update_patient(alice, opened.id, replace(opened.form(), city="Decatur"), 1)
    current = get_patient(alice, opened.id)
    assert current.home_phone == "+12175550111" and current.city == ""
    # Re-applying on the version just reviewed works.
    saved = update_patient(
        alice, opened.id, replace(current.form(), city="Decatur"), current.version
    )
    assert saved.city == "Decatur" and saved.home_phone == "+12175550111"
    assert saved.version == 3 and saved.updated_by == "alice"


def test_edits_are_audited_with_old_and_new_values(context: ServiceContext) -> None:
    chart = create_patient(context, MARIA)
    update_patient(context, chart.id, replace(chart.form(), city="Springfield"), 1)
    with context.reading(None) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.patient_id == chart.id).order_by(AuditEntry.id)
        ).all()
    assert [(e.action, e.entity) for e in entries] == [
        ("create", "patients"),
        ("update", "patients"),
    ]
    changes = json.loads(entries[1].details)["changes"]
    assert changes["city"] == {"old": "", "new": "Springfield"}


def test_opening_a_chart_is_recorded_as_a_view(database: Database) -> None:
    desk = ServiceContext(database, make_actor(Role.FRONT_DESK, "desk.carol"))
    chart = create_patient(desk, MARIA)
    get_patient(desk, chart.id)
    get_patient(desk, chart.id, record_view=False)
    with desk.reading(None) as session:
        views = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "view", AuditEntry.patient_id == chart.id)
        ).all()
    assert [(v.username, v.entity_id) for v in views] == [("desk.carol", str(chart.id))]


def test_unknown_chart_and_mrn(context: ServiceContext) -> None:
    with pytest.raises(NotFoundError):
        get_patient(context, 12345)
    with pytest.raises(NotFoundError, match="M0009999"):
        find_by_mrn(context, "M0009999")
    chart = create_patient(context, MARIA)
    assert find_by_mrn(context, chart.mrn.lower()) == chart.id
