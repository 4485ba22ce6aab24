"""Demo data: realistic, reproducible, searchable, one audit entry, cancellable."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry, Location, PracticeProfile, Provider
from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.demo import generator as demo
from frontdesk.domain.contact import normalize_phone
from frontdesk.domain.names import name_tokens, sort_key
from frontdesk.domain.npi import is_valid_npi
from frontdesk.domain.progress import Cancelled
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.chart_store import KEYS, search_keys
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.patients.search import search

TODAY = date(2026, 11, 25)


def _names(database: Database) -> list[tuple[str, str, str, str]]:
    with database.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                select(
                    Patient.mrn, Patient.first_name, Patient.last_name, Patient.mobile_phone
                ).order_by(Patient.id)
            )
        ]


def test_demo_fills_every_table_and_writes_one_audit_entry(
    database: Database, context: ServiceContext
) -> None:
    progress: list[tuple[int, int]] = []
    summary = demo.generate(
        context,
        patients=300,
        seed=3,
        today=TODAY,
        progress=lambda d, t: progress.append((d, t)) or True,
    )
    assert (summary.patients, summary.first_mrn, summary.last_mrn) == (300, "M0000001", "M0000300")
    assert progress[0] == (0, 300) and progress[-1] == (300, 300)
    with context.reading(None) as session:
        assert session.scalar(select(func.count()).select_from(Patient)) == 300
        assert session.get(PracticeProfile, 1) is not None
        assert session.scalar(select(func.count()).select_from(Provider)) >= 3
        assert session.scalar(select(func.count()).select_from(Location)) >= 2
        referrers = session.scalars(select(Referrer)).all()
        demo_entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "patients")
        ).all()
    assert len(referrers) >= 20 and all(is_valid_npi(r.npi or "") for r in referrers)
    assert ("Anil", "Patel") in {(r.first_name, r.last_name) for r in referrers}
    assert [(e.action, json.loads(e.details)["patients"]) for e in demo_entries] == [("demo", 300)]


def test_the_scenario_people_are_there_and_found(context: ServiceContext) -> None:
    demo.generate(context, patients=300, seed=3, today=TODAY)
    found = search(context, "nunez mar").items
    assert {(p.first_name, p.last_name, p.date_of_birth) for p in found} >= {
        ("María José", "Núñez-García", date(1961, 3, 4)),
        ("Maria", "Nunez", date(1961, 4, 3)),
    }
    (sean,) = [p for p in search(context, "o'connor sean").items if p.first_name == "Seán"]
    chart = get_patient(
        context, found[-1].id if found[-1].first_name == "María José" else found[0].id
    )
    assert chart.preferred_language == "Spanish" and chart.interpreter_needed
    assert chart.large_print  # SCENARIOS 4: her packet is in large print
    assert not any(p.large_print for p in found if p.id != chart.id)
    assert chart.referring_name.startswith("Anil Patel")
    assert sean.last_name == "O'Connor"


def test_names_are_varied_and_realistic(database: Database, context: ServiceContext) -> None:
    demo.generate(context, patients=2000, seed=11, today=TODAY)
    rows = _names(database)
    names = " ".join(f"{first} {last}" for _mrn, first, last, _phone in rows)
    assert any(ch in names for ch in "áéíóúñüçøåłđễ"), "accents"
    assert "'" in names and "-" in names, "apostrophes and hyphens"
    scripts = {"Han": "\u4e00-\u9fff", "Cyrillic": "\u0400-\u04ff", "Greek": "\u0370-\u03ff"}
    import re

    for script, span in scripts.items():
        assert re.search(f"[{span}]", names), script
    assert re.search("[\u0600-\u06ff]", names), "Arabic"
    assert len({last for _m, _f, last, _p in rows}) > 150
    surnames = Counter(last for _m, _f, last, _p in rows)
    assert surnames.most_common(1)[0][1] < len(rows) * 0.05  # no absurd pile-up


def test_demo_rows_obey_the_same_rules_as_typed_ones(
    database: Database, context: ServiceContext
) -> None:
    demo.generate(context, patients=300, seed=3, today=TODAY)
    with database.engine.connect() as connection:
        rows = connection.execute(select(Patient)).all()
        keys = connection.execute(select(KEYS.c.patient_id, KEYS.c.key, KEYS.c.sort_key)).all()
    by_patient: dict[int, set[str]] = {}
    for patient_id, key, _sort in keys:
        by_patient.setdefault(patient_id, set()).add(key)
    for row in rows:
        for phone in (row.mobile_phone, row.home_phone, row.work_phone):
            if phone:
                assert normalize_phone(phone) == phone
        assert row.sort_key == sort_key(row.last_name, row.first_name, row.middle_name)
        expected, _tokens = search_keys(
            row.first_name,
            row.middle_name,
            row.last_name,
            row.preferred_name,
            (row.mobile_phone, row.home_phone, row.work_phone),
        )
        assert by_patient[row.id] == set(expected)
        assert set(name_tokens(row.first_name)) <= by_patient[row.id]
        assert 18 <= (TODAY - row.date_of_birth).days // 365 <= 102
    # A demo chart can be edited like any other.
    first = get_patient(context, rows[5].id, record_view=False)
    update_patient(context, first.id, first.form(), first.version)


def test_the_same_seed_gives_the_same_people(
    database: Database, context: ServiceContext, tmp_path: object
) -> None:
    from frontdesk.db import migrate
    from frontdesk.db.engine import open_database

    demo.generate(context, patients=200, seed=42, today=TODAY)
    other = open_database(f"sqlite:///{tmp_path}/other.sqlite3")
    try:
        migrate.upgrade(other)
        demo.generate(other, patients=200, seed=42, today=TODAY)
        assert _names(other) == _names(database)
    finally:
        other.dispose()


def test_a_second_load_adds_with_new_mrns(context: ServiceContext, database: Database) -> None:
    demo.generate(context, patients=100, seed=1, today=TODAY)
    summary = demo.generate(context, patients=50, seed=2, today=TODAY)
    assert (summary.first_mrn, summary.last_mrn) == ("M0000101", "M0000150")
    assert len(_names(database)) == 150
    created = create_patient(
        context, PatientForm("New", "Person", "1999-09-09"), allow_duplicates=True
    )
    assert created.mrn == "M0000151"


def test_cancelling_leaves_nothing_behind(context: ServiceContext, database: Database) -> None:
    with pytest.raises(Cancelled):
        demo.generate(
            context, patients=demo.CHUNK + 10, seed=1, progress=lambda done, total: done == 0
        )
    assert _names(database) == []
    with context.reading(None) as session:
        assert session.scalar(select(func.count()).select_from(Referrer)) == 0
    # The schema is intact after the cancelled bulk load (indexes dropped then rolled back).
    create_patient(context, PatientForm("Ana", "Lindqvist", "1980-01-01"))
    assert len(search(context, "lind").items) == 1
