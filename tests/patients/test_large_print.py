"""Large print lives on the chart: saved, audited, searched, merged, imported, and migrated."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import insert, select, text

from frontdesk.db import migrate
from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.chart_store import KEYS
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.import_preview import preview_import
from frontdesk.services.patients.import_reading import read_csv_bytes
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.patients.merge import merge_patients
from frontdesk.services.patients.search import search

ROSA = PatientForm(first_name="Rosa", last_name="Delgado", date_of_birth="2/9/1938")


def _audit_changes(context: ServiceContext, patient_id: int) -> list[dict[str, object]]:
    with context.reading(None) as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.patient_id == patient_id, AuditEntry.action == "update")
            .order_by(AuditEntry.id)
        ).all()
    return [json.loads(entry.details)["changes"] for entry in entries]


def test_a_chart_is_regular_print_until_the_desk_ticks_large_print(
    context: ServiceContext,
) -> None:
    chart = create_patient(context, ROSA)
    assert chart.large_print is False
    saved = update_patient(context, chart.id, replace(chart.form(), large_print=True), 1)
    assert saved.large_print and get_patient(context, chart.id).large_print
    assert saved.form().large_print  # an edit of the chart starts from what it says
    back = update_patient(context, chart.id, replace(saved.form(), large_print=False), 2)
    assert back.large_print is False
    assert [changes.get("large_print") for changes in _audit_changes(context, chart.id)] == [
        {"old": False, "new": True},
        {"old": True, "new": False},
    ]


def test_search_results_carry_the_charts_choice(context: ServiceContext) -> None:
    create_patient(context, replace(ROSA, large_print=True))
    create_patient(context, PatientForm("Rosa", "Delmar", "5/5/1980"))
    found = {item.last_name: item.large_print for item in search(context, "rosa").items}
    assert found == {"Delgado": True, "Delmar": False}


def test_a_merge_keeps_large_print_that_either_chart_records(context: ServiceContext) -> None:
    kept = create_patient(context, ROSA)
    gone = create_patient(context, replace(ROSA, large_print=True), allow_duplicates=True)
    result = merge_patients(context, kept.id, gone.id)
    assert result.kept.large_print and "large_print" in result.filled_fields


def test_an_import_reads_the_large_print_column_as_yes_or_no(context: ServiceContext) -> None:
    data = (
        "Last,First,DOB,Large print\n"
        "Delgado,Rosa,2/9/1938,yes\n"
        "Lee,Al,5/6/1970,\n"
        "Khan,Omar,1975-09-10,perhaps\n"
    )
    preview = preview_import(context, read_csv_bytes(data.encode(), "old.csv"))
    values = {row.values["last_name"]: row.values["large_print"] for row in preview.rows}
    assert values == {"Delgado": True, "Lee": False}
    [problem] = [p for p in preview.problems if p.kind == "error"]
    assert (problem.line, problem.column) == (4, "Large print")
    assert problem.reason == 'Large print: write yes or no, not "perhaps"'


def test_the_migration_adds_regular_print_to_existing_charts_and_keeps_their_children(
    database: Database,
) -> None:
    """0016 on a database at 0015 with a chart: the chart reads regular print, and its
    search keys (ON DELETE CASCADE children) are still there: no table was rebuilt."""
    from alembic import command

    config = migrate._config()

    def to(revision: str) -> None:
        with database.write_engine.begin() as connection:
            config.attributes["connection"] = connection
            if revision == "0015":
                command.downgrade(config, revision)
            else:
                command.upgrade(config, revision)

    to("0015")
    try:
        _insert_a_chart_as_at_0015(database)
        to("0016")
    finally:
        to("head")  # the shared PostgreSQL database stays at the current schema
    with database.engine.connect() as connection:
        large = connection.execute(text("SELECT large_print FROM patients WHERE id = 7"))
        assert large.scalar() in (False, 0)
        keys = connection.execute(text("SELECT count(*) FROM patient_search_keys"))
        assert keys.scalar() == 1


def _insert_a_chart_as_at_0015(database: Database) -> None:
    """A chart and its search key as the app at 0015 wrote them."""
    with database.write_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO patients (id, mrn, first_name, middle_name, last_name, "
                "preferred_name, date_of_birth, sex, mobile_phone, home_phone, work_phone, "
                "email, address_line1, address_line2, city, state, postal_code, country, "
                "preferred_language, interpreter_needed, preferred_contact, insurance_payer, "
                "insurance_plan, insurance_member_id, insurance_group_number, "
                "subscriber_name, subscriber_relationship, emergency_contact_name, "
                "emergency_contact_relationship, emergency_contact_phone, notes, sort_key, "
                "version, created_at, created_by, updated_at, updated_by) VALUES (7, 'M7', "
                "'Rosa', '', 'Delgado', '', '1938-02-09', 'female', '', '', '', '', '', '', "
                "'', '', '', '', '', false, '', '', '', '', '', '', '', '', '', '', '', "
                "'delgado rosa', 1, '2026-01-01 00:00:00+00', 'x', "
                "'2026-01-01 00:00:00+00', 'x')"
            )
        )
        connection.execute(
            insert(KEYS).values(key="rosa", sort_key="delgado rosa", patient_id=7, tokens="rosa")
        )
