"""Duplicate charts: warned about before saving, merged by an admin in one audited step."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import Column, ForeignKey, Integer, Table, func, select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry, Base
from frontdesk.domain.errors import PermissionDeniedError, RefusedError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.chart_store import COUNTS, KEYS, term_counts
from frontdesk.services.patients.duplicates import find_duplicates
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import PatientForm, PossibleDuplicatesError
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.patients.merge import merge_patients
from frontdesk.services.patients.search import search
from tests.conftest import make_actor

MARIA = PatientForm(
    "María José", "Núñez-García", "1961-03-04", mobile_phone="217-555-0142", notes="Allergic"
)


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        (PatientForm("Maria Jose", "Nunez-Garcia", "3/4/1961"), "same name"),
        (PatientForm("MARÍA", "Núñez", "1961-03-04"), "similar name"),
        (PatientForm("Marai", "Nunez-Garcia", "1961-03-04"), "similar name"),  # typo
        (PatientForm("Núñez", "María", "1961-03-04"), "first and last names swapped"),
        (PatientForm("Maria", "Nunez", "1961-04-03"), "day and month swapped"),
        (PatientForm("Pedro", "Alvarez", "1990-01-01", home_phone="(217) 555-0142"), "phone"),
    ],
)
def test_likely_duplicates_hold_the_save_and_list_the_candidate(
    context: ServiceContext, form: PatientForm, reason: str
) -> None:
    existing = create_patient(context, MARIA)
    found = find_duplicates(context, form)
    assert [c.patient.mrn for c in found] == [existing.mrn]
    assert any(reason in why for why in found[0].reasons), found[0].reasons
    with pytest.raises(PossibleDuplicatesError) as caught:
        create_patient(context, form)
    assert caught.value.candidates[0].patient.mrn == existing.mrn
    assert existing.mrn in str(caught.value)
    # After looking at the candidates, the user may say it is someone else.
    other = create_patient(context, form, allow_duplicates=True)
    assert other.mrn != existing.mrn


def test_nicknames_count_as_the_same_first_name(context: ServiceContext) -> None:
    create_patient(context, PatientForm("Robert", "Smith", "1950-05-05"))
    found = find_duplicates(context, PatientForm("Bob", "Smith", "5/5/1950"))
    assert [c.patient.first_name for c in found] == ["Robert"]


@pytest.mark.parametrize(
    "form",
    [
        PatientForm("María José", "Núñez-García", "1961-03-05"),  # another day
        PatientForm("Carmen", "Núñez-García", "1961-03-04"),  # a sister, say
        PatientForm("María José", "Ortiz", "1961-03-04"),
    ],
)
def test_different_people_are_not_flagged(context: ServiceContext, form: PatientForm) -> None:
    create_patient(context, MARIA)
    assert find_duplicates(context, form) == []
    create_patient(context, form)


def test_a_half_typed_form_is_checked_with_what_is_there(context: ServiceContext) -> None:
    create_patient(context, MARIA)
    half = PatientForm("", "", "3/4/19", mobile_phone="(217) 555-0142")
    assert len(find_duplicates(context, half)) == 1


def test_merge_moves_everything_and_is_audited(database: Database) -> None:
    admin = ServiceContext(database, make_actor(Role.ADMIN, "office.manager"))
    keep = create_patient(admin, replace(MARIA, notes=""))
    gone = create_patient(
        admin,
        PatientForm(
            "Maria",
            "Nunez",
            "1961-03-04",
            home_phone="312-555-0177",
            email="maria@example.com",
            notes="Allergic to latex",
            interpreter_needed=True,
        ),
        allow_duplicates=True,
    )
    result = merge_patients(
        admin, keep.id, gone.id, keep_version=keep.version, merge_version=gone.version
    )
    assert result.merged_mrn == gone.mrn
    kept = result.kept
    assert kept.home_phone == "+13125550177" and kept.email == "maria@example.com"
    assert kept.interpreter_needed
    assert f"[From merged chart {gone.mrn}]" in kept.notes and "latex" in kept.notes
    assert {"home_phone", "email", "notes"} <= set(result.filled_fields)
    # The merged chart is kept (its MRN stays taken), points on, and is out of search...
    old = get_patient(admin, gone.id, record_view=False)
    assert old.merged_into_id == keep.id and old.merged_into_mrn == keep.mrn
    assert [i.mrn for i in search(admin, "nunez").items] == [keep.mrn]
    # ...but its MRN and phone still find the person.
    assert [i.mrn for i in search(admin, gone.mrn).items] == [keep.mrn]
    assert [i.mrn for i in search(admin, "0177").items] == [keep.mrn]
    with admin.reading(None) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(("merge", "merged_into")))
        ).all()
    assert {(e.action, e.patient_id, e.username) for e in entries} == {
        ("merge", keep.id, "office.manager"),
        ("merged_into", gone.id, "office.manager"),
    }
    details = json.loads(entries[0].details)
    assert details["kept_mrn"] == keep.mrn and details["merged_mrn"] == gone.mrn
    with pytest.raises(RefusedError, match="already merged"):
        merge_patients(admin, keep.id, gone.id)
    with pytest.raises(RefusedError, match="merged into another"):
        update_patient(admin, gone.id, old.form(), old.version)


def test_merge_moves_rows_of_every_table_that_points_at_the_chart(database: Database) -> None:
    """Later areas' tables (requests, appointments...) are found by their foreign keys."""
    admin = ServiceContext(database, make_actor(Role.ADMIN, "office.manager"))
    keep = create_patient(admin, MARIA)
    gone = create_patient(admin, PatientForm("Maria", "Nunez", "1961-04-03"), allow_duplicates=True)
    extra = Table(
        "test_merge_notes",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        Column("patient_id", ForeignKey("patients.id"), nullable=False),
    )
    try:
        extra.create(database.engine)
        with database.engine.begin() as connection:
            connection.execute(
                extra.insert(),
                [{"patient_id": gone.id}, {"patient_id": gone.id}, {"patient_id": keep.id}],
            )
        result = merge_patients(admin, keep.id, gone.id)
        assert result.moved["test_merge_notes.patient_id"] == 2
        with database.engine.connect() as connection:
            owners = connection.execute(select(extra.c.patient_id)).scalars().all()
        assert owners == [keep.id] * 3
    finally:
        extra.drop(database.engine)
        Base.metadata.remove(extra)


def test_front_desk_may_not_merge(database: Database) -> None:
    admin = ServiceContext(database, make_actor(Role.ADMIN, "office.manager"))
    desk = ServiceContext(database, make_actor(Role.FRONT_DESK, "desk"))
    keep = create_patient(admin, MARIA)
    gone = create_patient(admin, PatientForm("Maria", "Nunez", "1961-04-03"), allow_duplicates=True)
    with pytest.raises(PermissionDeniedError, match="merge patients"):
        merge_patients(desk, keep.id, gone.id)
    assert get_patient(admin, gone.id, record_view=False).merged_into_id is None


def test_a_merge_over_a_newer_edit_is_refused(database: Database) -> None:
    admin = ServiceContext(database, make_actor(Role.ADMIN, "office.manager"))
    desk = ServiceContext(database, make_actor(Role.FRONT_DESK, "desk.dan"))
    keep = create_patient(admin, MARIA)
    gone = create_patient(admin, PatientForm("Maria", "Nunez", "1961-04-03"), allow_duplicates=True)
    update_patient(desk, gone.id, replace(gone.form(), city="Quincy"), gone.version)
    with pytest.raises(RefusedError, match=r"desk\.dan changed this chart"):
        merge_patients(admin, keep.id, gone.id, merge_version=gone.version)


def test_search_counts_stay_equal_to_the_keys(database: Database, context: ServiceContext) -> None:
    """The per-prefix counts that pick a multi-word search's scan follow every change."""
    a = create_patient(context, MARIA)
    b = create_patient(
        context, PatientForm("Mario", "Martínez", "1970-01-01"), allow_duplicates=True
    )
    update_patient(context, b.id, replace(b.form(), last_name="Marquez"), b.version)
    merge_patients(context, a.id, b.id)
    with database.engine.connect() as connection:
        keys = [
            key
            for key in connection.execute(select(KEYS.c.key)).scalars()
            if not key.startswith("#")
        ]
        stored = {
            term: entries
            for term, entries in connection.execute(select(COUNTS.c.term, COUNTS.c.entries))
            if entries
        }
        total = connection.scalar(select(func.count()).select_from(KEYS))
    assert stored == dict(term_counts(keys))
    assert stored["mar*"] == 1 and "marquez" not in stored and total
