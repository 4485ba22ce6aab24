"""A chart's access report as a document: letterhead, the practice's clock, people's names,
plain details, the header repeated on every page, a few pages for 80 entries; saving it is
a recorded disclosure."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.history_records import ImagingForm
from frontdesk.domain.permissions import Permission, Role
from frontdesk.services.history import received_documents
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.summary import get_history
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.platform.access_report import save_access_report
from frontdesk.services.platform.audit_wording import plain_details, report_details
from frontdesk.services.practice.forms import NewUserForm, PracticeProfileForm
from frontdesk.services.practice.profile import save_profile
from frontdesk.services.practice.sign_in import sign_in
from frontdesk.services.practice.users import create_user
from frontdesk.services.scheduling import booking, status
from frontdesk.services.scheduling.data import BookingForm
from tests.accounts import PASSWORDS
from tests.documents.pdfs import page_texts
from tests.history.conftest import make_pdf
from tests.scheduling.conftest import at, make_practice, next_weekday

HOSTILE = "<b>O'Brien</b> & 王小明"


def _texts(path: Path) -> list[str]:
    return [
        " ".join(unicodedata.normalize("NFC", text).split())
        for text in page_texts(path.read_bytes())
    ]


@pytest.fixture
def busy_chart(context: ServiceContext) -> PatientData:
    """A chart with a stored file (its fingerprint in the trail), an emptied field, and 80
    entries in all, most of them by María López at the desk, in a practice in Tokyo."""
    save_profile(
        context,
        PracticeProfileForm(
            name="Lakeside Spine Center", main_phone="(217) 555-0142", time_zone="Asia/Tokyo"
        ),
        None,
    )
    create_user(
        context,
        NewUserForm("maria", PASSWORDS[Role.FRONT_DESK], Role.FRONT_DESK, "María López"),
    )
    desk = context.as_actor(sign_in(context, "maria", PASSWORDS[Role.FRONT_DESK]))
    form = PatientForm(
        first_name="محمد", last_name=HOSTILE, date_of_birth="3/4/1961", notes="call after 3"
    )
    patient = create_patient(desk, form, allow_duplicates=True)
    patient = update_patient(
        desk,
        patient.id,
        PatientForm(first_name="محمد", last_name=HOSTILE, date_of_birth="3/4/1961", notes=""),
        patient.version,
    )
    study = add_imaging(desk, patient.id, ImagingForm(modality="MRI", regions="lumbar"))
    received_documents.attach_document(desk, make_pdf("MRI report"), "mri.pdf", imaging_id=study.id)
    with context.reading(None) as session:
        so_far = len(
            session.scalars(select(AuditEntry.id).where(AuditEntry.patient_id == patient.id)).all()
        )
    for _ in range(80 - so_far):
        get_history(desk, patient.id, record_view=True)
    return patient


def test_the_report_reads_as_a_document(
    database: Database, context: ServiceContext, busy_chart: PatientData, tmp_path: Path
) -> None:
    target = tmp_path / "access.pdf"
    assert save_access_report(context, busy_chart.id, target) == 80
    pages = _texts(target)
    text = " ".join(pages)
    assert 2 <= len(pages) <= 5  # 80 entries: a few pages, not 17
    assert "Lakeside Spine Center" in pages[0]
    assert "Who opened or changed this chart" in pages[0]
    assert f"{HOSTILE}, محمد" in text or HOSTILE in text  # markup prints as typed
    assert f"MRN {busy_chart.mrn}" in text
    # The entries' header row is repeated on every page the table runs onto.
    assert all("When Who Workstation What Details" in page for page in pages[1:])
    # The practice's clock (Tokyo), people by name, details in words.
    assert "JST" in text and "Asia/Tokyo" in text
    assert "María López (maria)" in text
    assert "Changed: notes" in text
    for machine in ("sha256", "(empty)", "hash", '{"'):
        assert machine not in text.lower(), machine
    assert "Page 1 of" in pages[0]


def test_saving_the_report_is_recorded_and_a_missing_folder_writes_nothing(
    context: ServiceContext, busy_chart: PatientData, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="no folder"):
        save_access_report(context, busy_chart.id, tmp_path / "nope" / "a.pdf")
    folder = tmp_path / "out"
    folder.mkdir()
    save_access_report(context, busy_chart.id, folder / "a.pdf")
    with context.reading(None) as session:
        printed = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity == "audit_access_report", AuditEntry.action == "print"
            )
        ).all()
    assert len(printed) == 1 and printed[0].patient_id == busy_chart.id
    assert "file a.pdf" in printed[0].details
    assert [p.name for p in folder.iterdir()] == ["a.pdf"]  # no scratch file left


def test_plain_details_drop_fingerprints_ids_and_empty_values() -> None:
    assert plain_details({"changes": {"notes": {"old": "x", "new": ""}, "version": 2}}) == (
        "Changed: notes"
    )
    assert plain_details({"sha256": "ab" * 32, "file_name": "mri.pdf", "note": ""}) == (
        "File name: mri.pdf"
    )
    assert plain_details({"items": [3, 4], "to": "file x.pdf"}) == (
        "Items: 2 items; Saved as file x.pdf"
    )
    values = {"id": 3, "content_sha256": "x", "kind": "mri", "imaging_id": 4, "note": ""}
    assert plain_details({"printer": "printer: PDF file"}) == "Saved as a PDF file"
    assert plain_details({"printer": "Front desk laser"}) == "Printed on Front desk laser"
    assert plain_details({"values": values}) == "With: kind"
    assert plain_details({"values": {"file_name": "mri.pdf", "sha256": "x"}}) == "File mri.pdf"
    # Codes a reader would not know, in the desk's words (as a packet and a day sheet record).
    packet = {
        "language": "es",
        "handouts": ["preparing-for-consultation", "failed-back-syndrome"],
        "day": "2026-12-09",
    }
    assert plain_details(packet, limit=None) == (
        "Language: Spanish; handouts: Preparing for consultation, Failed back syndrome; "
        "day: 12/09/2026"
    )
    many = {"changes": {f"field_{number}": 1 for number in range(30)}}
    assert plain_details(many).endswith("more") and len(plain_details(many)) < 110


def test_a_created_appointment_change_reads_as_what_happened() -> None:
    values = {"kind": "booked", "description": "Thursday 12/10 9:00 with Dr. Okafor", "at": "x"}
    assert plain_details({"values": values}) == "Booked: Thursday 12/10 9:00 with Dr. Okafor"
    typed = {"kind": "note", "note": "private words"}
    assert plain_details({"values": typed}) == "With: kind, note"


def test_an_appointment_s_changes_read_as_what_happened_and_details_are_never_cut(
    context: ServiceContext, tmp_path: Path
) -> None:
    clinic = make_practice(context)  # in Chicago, with Dr. Okafor and Dr. Lindqvist
    patient = clinic.patients[0]
    thursday = next_weekday(3)
    friday = thursday + timedelta(days=1)
    booked = booking.book(
        context,
        BookingForm(
            patient.id, clinic.okafor, clinic.type_id("New consultation"), at(thursday, 9, 0)
        ),
    )
    moved = booking.reschedule(
        context, booked.id, start=at(friday, 10, 30), provider_id=clinic.lindqvist
    )
    status.cancel(context, moved.id, by="patient", reason="her sister's wedding in Ohio")
    # A disclosure with a long file name: the next report lists it with its whole name.
    long_name = "access report for the patient's attorney, asked for in writing, copy 1.pdf"
    save_access_report(context, patient.id, tmp_path / long_name)
    target = tmp_path / "access.pdf"
    save_access_report(context, patient.id, target)
    text = " ".join(_texts(target))
    thu, fri = f"{thursday:%a %m/%d/%Y}", f"{friday:%a %m/%d/%Y}"
    assert f"Booked for {thu} 09:00 with Adaeze Okafor, MD" in text
    assert (
        f"Moved from {thu} 09:00 with Adaeze Okafor, MD to {fri} 10:30 with Erik Lindqvist, MD"
        in text
    )
    assert "Cancelled by the patient" in text
    assert "wedding" not in text  # what people typed is never shown
    for listed in ("starts at", "provider id", "cancel reason", "With: at"):
        assert listed not in text, listed
    assert f"file {long_name}" in text
    assert "…" not in text


def test_report_details_say_an_appointment_s_status_and_call_in_words() -> None:
    chicago = ZoneInfo("America/Chicago")
    confirmed = {
        "changes": {
            "status": {"old": "booked", "new": "confirmed"},
            "last_call_outcome": {"old": None, "new": "confirmed"},
            "status_changed_at": {"old": "x", "new": "y"},
        }
    }
    assert report_details("appointments", "update", confirmed, chicago, {}) == (
        "Status Booked → Confirmed; Reminder call: confirmed"
    )
    typed = {"changes": {"reason": {"old": "a", "new": "b"}}}
    assert report_details("appointments", "update", typed, chicago, {}) == "Changed: reason"
    event = {"values": {"kind": "booked", "description": "Booked New consultation with X"}}
    assert report_details("appointment_events", "create", event, chicago, {}) == (
        "Booked New consultation with X"
    )
    many = {"changes": {f"field_{number}": 1 for number in range(30)}}
    assert "more" not in report_details("patients", "update", many, chicago, {})
    assert plain_details(many).endswith("more")  # a row on screen stays short


def test_where_a_print_or_export_went_and_a_packet_read_in_plain_words(
    context: ServiceContext, tmp_path: Path
) -> None:
    clinic = make_practice(context)
    patient = clinic.patients[0]
    booked = booking.book(
        context,
        BookingForm(
            patient.id,
            clinic.okafor,
            clinic.type_id("New consultation"),
            at(next_weekday(3), 9, 0),
        ),
    )
    # As the packets and the handout log record them (handouts.packets.record_packets_given).
    with context.writing(Permission.VIEW_PATIENTS) as uow:
        for action, destination in (
            ("export", "saved: packet-tran.pdf"),
            ("print", "printer: Front desk laser"),
        ):
            uow.record(
                action,
                "appointments",
                booked.id,
                patient_id=patient.id,
                details={"document": "pre-visit packet", "destination": destination},
            )
        uow.commit()
    save_access_report(context, patient.id, tmp_path / "first.pdf")  # printer: "file first.pdf"
    target = tmp_path / "access.pdf"
    save_access_report(context, patient.id, target)
    text = " ".join(_texts(target))
    assert "Exported Pre-visit packet" in text and "Printed Pre-visit packet" in text
    assert "Saved as file packet-tran.pdf" in text
    assert "Printed on Front desk laser" in text
    assert "Saved as file first.pdf" in text
    for label in ("Destination", "destination", "Printer:", "saved:", "Exported Appointment"):
        assert label not in text, label
