"""Files arrive once, are read (text layer or OCR) and get the right patient suggested."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.db.models_inbox import InboxDocument
from frontdesk.demo.faxes import mri_lines, operative_lines, referral_lines, scanned_tiff, text_pdf
from frontdesk.services.inbox import arrivals, listing, reading
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from tests.inbox.conftest import JOHN, MARIA


def count(database: Database) -> int:
    with database.read_sessions() as session:
        return int(session.scalar(select(func.count()).select_from(InboxDocument)) or 0)


def test_the_same_file_twice_is_one_document_that_came_again(
    database: Database, front_desk: ServiceContext
) -> None:
    pdf = text_pdf(mri_lines(MARIA))
    first = arrivals.receive(front_desk, pdf, "fax-0001.pdf", source="folder", origin="/faxes")
    again = arrivals.receive(front_desk, pdf, "fax-0002.pdf", source="email", origin="efax")
    assert first.outcome == "new" and again.outcome == "again"
    assert again.document_id == first.document_id
    assert "came before" in again.message and "still in the inbox" in again.message
    assert count(database) == 1
    rows = listing.unfiled(front_desk)
    assert [row.arrivals for row in rows] == [2]
    with database.read_sessions() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "inbox_documents")
        ).all()
    assert "arrived again" in actions


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"", "empty.pdf", "empty"),
        (b"MZ" + bytes(100), "fax.pdf", "not a PDF"),
        (b"%PDF-1.4\n garbage", "cut.pdf", "damaged"),
        (b"hello", "notes.docx", "not a document"),
    ],
)
def test_files_that_are_not_documents_are_refused_with_the_reason(
    database: Database, front_desk: ServiceContext, data: bytes, name: str, says: str
) -> None:
    arrival = arrivals.receive(front_desk, data, name, source="hand")
    assert arrival.refused and arrival.document_id is None
    assert says in arrival.message
    assert count(database) == 0


def test_two_workstations_importing_one_file_at_once_store_it_once(
    database: Database, front_desk: ServiceContext
) -> None:
    pdf = text_pdf(referral_lines(JOHN))
    results = []
    start = threading.Barrier(4)

    def take() -> None:
        start.wait()
        results.append(arrivals.receive(front_desk, pdf, "shared.pdf", source="folder"))

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result.outcome for result in results) == ["again", "again", "again", "new"]
    assert count(database) == 1
    assert listing.unfiled(front_desk)[0].arrivals == 4


def test_a_text_pdf_is_read_and_suggests_the_patient_with_the_evidence(
    front_desk: ServiceContext, maria: PatientData, maria_twin_birthday: PatientData
) -> None:
    arrival = arrivals.receive(front_desk, text_pdf(mri_lines(MARIA)), "mri.pdf", source="hand")
    assert arrival.document_id is not None
    progress = reading.read_document(front_desk, arrival.document_id)
    assert progress.reading == "done" and progress.pages_read == 1
    row, suggestions = listing.one(front_desk, arrival.document_id)
    assert suggestions.kind == "imaging-report" and suggestions.modality == "MRI"
    assert suggestions.patient is not None and suggestions.patient.patient_id == maria.id
    assert row.suggested_mrn == maria.mrn
    found = {item.what: item.words for item in suggestions.patient.evidence}
    assert "03/04/1961" in found["birth date"]
    assert "last name" in found
    # The patient born the same day is not suggested: her name is not on the page.
    assert all(p.patient_id != maria_twin_birthday.id for p in suggestions.patients)


def test_an_operative_report_and_a_referral_are_told_apart(
    front_desk: ServiceContext, maria: PatientData
) -> None:
    kinds = {}
    for name, lines in (("op.pdf", operative_lines(MARIA)), ("ref.pdf", referral_lines(MARIA))):
        arrival = arrivals.receive(front_desk, text_pdf(lines), name, source="hand")
        assert arrival.document_id is not None
        reading.read_document(front_desk, arrival.document_id)
        kinds[name] = listing.one(front_desk, arrival.document_id)[1].kind
    assert kinds == {"op.pdf": "operative-report", "ref.pdf": "referral"}


def test_a_referral_for_someone_without_a_chart_prefills_an_intake(
    front_desk: ServiceContext, maria: PatientData
) -> None:
    arrival = arrivals.receive(front_desk, text_pdf(referral_lines(JOHN)), "r.pdf", source="hand")
    assert arrival.document_id is not None
    reading.read_document(front_desk, arrival.document_id)
    _row, suggestions = listing.one(front_desk, arrival.document_id)
    assert suggestions.patient is None
    assert suggestions.intake["last_name"] == "Smith"
    assert suggestions.intake["first_name"] == "John"
    assert suggestions.intake["date_of_birth"] == "1958-07-19"
    assert "low back pain" in suggestions.intake["reason"]
    assert suggestions.referrer is not None and suggestions.referrer.npi == "1234567893"


def test_a_scanned_fax_is_read_by_ocr_a_page_at_a_time(
    front_desk: ServiceContext, maria: PatientData, ocr: None
) -> None:
    pdf = text_pdf(mri_lines(MARIA), ["Page 2 of the report", "No further findings."])
    tiff = scanned_tiff(pdf)
    arrival = arrivals.receive(front_desk, tiff, "scan.tif", source="folder")
    assert arrival.document_id is not None
    seen = []
    reading.read_document(front_desk, arrival.document_id, progress=seen.append)
    assert [(step.pages_read, step.page_count) for step in seen] == [(1, 2), (2, 2)]
    assert seen[0].reading == "reading" and seen[-1].reading == "done"
    _row, suggestions = listing.one(front_desk, arrival.document_id)
    assert suggestions.patient is not None and suggestions.patient.patient_id == maria.id


def test_one_file_taken_by_two_workstations_at_once_is_one_arrival(
    database: Database, front_desk: ServiceContext
) -> None:
    pdf = text_pdf(referral_lines(MARIA))
    results = []
    start = threading.Barrier(3)

    def take() -> None:
        start.wait()
        results.append(
            arrivals.receive(
                front_desk, pdf, "f.pdf", source="folder", source_key="folder:/fax/f.pdf|1|2"
            )
        )

    threads = [threading.Thread(target=take) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result.outcome for result in results) == ["new", "taken", "taken"]
    assert listing.unfiled(front_desk)[0].arrivals == 1


def test_each_unread_document_is_claimed_by_one_workstation(front_desk: ServiceContext) -> None:
    ids = []
    for index in range(3):
        arrival = arrivals.receive(
            front_desk, text_pdf([f"fax {index} " * 5]), f"f{index}.pdf", source="hand"
        )
        ids.append(arrival.document_id)
    claimed: list[int | None] = []
    start = threading.Barrier(4)

    def desk() -> None:
        start.wait()
        claimed.append(reading.claim_next(front_desk))

    threads = [threading.Thread(target=desk) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(c for c in claimed if c is not None) == sorted(ids)
    assert claimed.count(None) == 1
    reading.read_document(front_desk, ids[0])
    assert reading.claim_next(front_desk) is None  # the others are being read


def test_spanish_pages_are_told_from_english_ones() -> None:
    from frontdesk.domain.document_reading import looks_spanish

    assert looks_spanish("Paciente: Núñez-García, María José. Fecha de nacimiento 03/04/1961.")
    assert looks_spanish("Informe de resonancia de la columna lumbar con dolor en la pierna")
    assert not looks_spanish("MRI of the lumbar spine: L4-5 disc protrusion with mild narrowing.")


def test_documents_are_found_by_the_words_on_their_pages(
    front_desk: ServiceContext, maria: PatientData
) -> None:
    mri = arrivals.receive(front_desk, text_pdf(mri_lines(MARIA)), "mri.pdf", source="hand")
    ref = arrivals.receive(front_desk, text_pdf(referral_lines(JOHN)), "ref.pdf", source="hand")
    for arrival in (mri, ref):
        assert arrival.document_id is not None
        reading.read_document(front_desk, arrival.document_id)
    assert [row.id for row in listing.search_text(front_desk, "L4-5 protrusion")] == [
        mri.document_id
    ]
    assert [row.id for row in listing.search_text(front_desk, "patel")] == [ref.document_id]
    assert [row.id for row in listing.search_text(front_desk, "nunez garcia")] == [mri.document_id]
    assert listing.search_text(front_desk, "fusion") == []


def test_the_birth_date_evidence_starts_at_a_whole_word() -> None:
    from frontdesk.domain.document_reading import find_birth_dates

    [(_born, found)] = find_birth_dates(
        "Patient name: María José Núñez-García    DOB: 03/04/1961", today=date(2026, 12, 7)
    )
    assert found.words == "DOB: 03/04/1961" or found.words.split()[0][0].isupper()
    assert not found.words.startswith("aria")
