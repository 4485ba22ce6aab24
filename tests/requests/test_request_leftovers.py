"""The requests leftovers: the documents' foreign key (migration 0007), charts created inside
the intake's transaction, demo requests assigned to staff. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from frontdesk.db import migrate
from frontdesk.db.engine import Database
from frontdesk.db.models_history import ReceivedDocument
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_requests import ConsultationRequest, RequestChecklistItem
from frontdesk.db.types import utcnow
from frontdesk.demo import generator as demo
from frontdesk.domain.errors import RefusedError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PossibleDuplicatesError
from frontdesk.services.practice.forms import NewUserForm
from frontdesk.services.practice.users import create_user
from frontdesk.services.requests import checklist, intake, reading
from tests.history.conftest import make_pdf
from tests.requests.conftest import maria_intake


def _migrate(database: Database, revision: str) -> None:
    config = migrate._config()
    with database.write_engine.begin() as connection:
        config.attributes["connection"] = connection
        if revision == "0006":
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def _document_row(patient_id: int, request_id: int) -> dict[str, object]:
    return {
        "patient_id": patient_id,
        "request_id": request_id,
        "kind": "referral_letter",
        "file_name": "lost.pdf",
        "mime_type": "application/pdf",
        "size_bytes": 3,
        "sha256": "0" * 64,
        "received_at": utcnow(),
        "received_by": "someone",
        "content": b"pdf",
    }


def _links(database: Database) -> list[tuple[int, int | None]]:
    with database.engine.connect() as connection:
        return list(
            connection.execute(
                select(RequestChecklistItem.id, RequestChecklistItem.document_id)
                .where(RequestChecklistItem.document_id.is_not(None))
                .order_by(RequestChecklistItem.id)
            ).all()
        )


def test_documents_keep_their_request_and_checklist_links_through_0007(
    context: ServiceContext, database: Database, tmp_path: Path
) -> None:
    data = intake.create_request(context, maria_intake())
    attached = checklist.attach_document(
        context, data.id, make_pdf("MRI lumbar"), "mri.pdf", "imaging_report"
    )
    before = _links(database)
    assert [document for _item, document in before] == [attached.document_id]
    try:
        _migrate(database, "0006")
        # Rebuilding the table on SQLite must not unlink the checklist (ON DELETE SET NULL).
        assert _links(database) == before
        # A document whose request has gone (only a hand-edited database has one) stops the
        # upgrade, named, with nothing changed.
        with database.write_engine.begin() as connection:
            connection.execute(
                insert(ReceivedDocument.__table__).values(_document_row(data.patient_id, 999_999))
            )
            lost = connection.scalar(select(func.max(ReceivedDocument.id)))
        with pytest.raises(RefusedError, match=rf"no longer exist \(document ids {lost}\)"):
            migrate.upgrade(database, backup_dir=tmp_path)
        assert migrate.schema_status(database).state is migrate.SchemaState.BEHIND
        with database.write_engine.begin() as connection:
            assert connection.scalar(
                select(func.count())
                .select_from(ReceivedDocument)
                .where(ReceivedDocument.id == lost)
            )
            connection.execute(text("DELETE FROM received_documents WHERE id = :id"), {"id": lost})
        migrate.upgrade(database, backup_dir=tmp_path)
    finally:
        if migrate.schema_status(database).state is not migrate.SchemaState.CURRENT:
            _migrate(database, "head")
    assert migrate.schema_status(database).state is migrate.SchemaState.CURRENT
    assert _links(database) == before
    detail = reading.get_request(context, data.id)
    report = next(item for item in detail.checklist if item.kind.value == "imaging_report")
    assert report.document_id == attached.document_id and report.received
    # The database now refuses a document of a request that does not exist…
    with pytest.raises(IntegrityError), database.write_engine.begin() as connection:
        connection.execute(
            insert(ReceivedDocument.__table__).values(_document_row(data.patient_id, 999_999))
        )
    # …and still one attached to nothing (the rebuilt SQLite table kept its CHECKs).
    orphan = _document_row(data.patient_id, data.id) | {"request_id": None}
    with pytest.raises(IntegrityError), database.write_engine.begin() as connection:
        connection.execute(insert(ReceivedDocument.__table__).values(orphan))


def test_intake_creates_the_chart_in_its_own_transaction_by_the_patients_rules(
    context: ServiceContext, database: Database
) -> None:
    first = intake.create_request(context, maria_intake())
    with database.engine.connect() as connection:
        patient = connection.execute(select(Patient).where(Patient.id == first.patient_id)).one()
        keys = connection.scalar(
            text("SELECT count(*) FROM patient_search_keys WHERE patient_id = :id"),
            {"id": first.patient_id},
        )
    assert patient.mrn == first.mrn and patient.sort_key
    assert keys  # findable from the Patients search
    # The same person again: the duplicate warning, and neither a chart nor a request saved.
    with pytest.raises(PossibleDuplicatesError):
        intake.create_request(context, maria_intake())
    with database.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Patient)) == 1
        assert connection.scalar(select(func.count()).select_from(ConsultationRequest)) == 1
    again = intake.create_request(context, maria_intake(), allow_duplicates=True)
    assert again.patient_id != first.patient_id and again.mrn != first.mrn


def _assignees(context: ServiceContext) -> dict[int | None, int]:
    with context.reading(None) as session:
        rows = session.execute(
            select(ConsultationRequest.assignee_id, func.count()).group_by(
                ConsultationRequest.assignee_id
            )
        )
        return {assignee: count for assignee, count in rows}


def test_demo_requests_are_assigned_to_the_practices_staff_when_it_has_any(
    context: ServiceContext,
) -> None:
    staff = [
        create_user(
            context, NewUserForm(name, "a long passphrase 42", Role.FRONT_DESK, name.title())
        )
        for name in ("ana.front", "ben.front")
    ]
    demo.generate(context, patients=60, seed=3)
    counts = _assignees(context)
    assigned = {assignee for assignee in counts if assignee is not None}
    assert assigned == {member.id for member in staff}
    assert counts.get(None, 0) > 0  # some are left for whoever picks them up


def test_without_accounts_the_demo_assigns_nobody(context: ServiceContext) -> None:
    demo.generate(context, patients=60, seed=3)
    assert set(_assignees(context)) == {None}
