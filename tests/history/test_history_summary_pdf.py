"""The history summary for the surgeon, read back from the PDF's own text."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.services.history import received_documents
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.summary import surgeon_summary_pdf
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.patients.referrers import ReferrerForm, save_referrer
from frontdesk.services.practice.forms import PracticeProfileForm
from frontdesk.services.practice.profile import save_profile
from frontdesk.services.requests import intake
from frontdesk.services.requests.data import IntakeForm
from tests.documents.pdfs import text_pieces
from tests.helpers.pdfs import pdf_text
from tests.history.conftest import make_pdf


def rich_history(context: ServiceContext, patient: PatientData) -> None:
    fusion = add_surgery(
        context,
        patient.id,
        SurgeryForm(
            procedure="lumbar fusion",
            fusion_approach="TLIF",
            date="2019",
            levels="L4-L5",
            surgeon="Dr. <b>Rivera</b> & Sons",
            facility="St. Mary's",
            instrumentation=True,
            instrumentation_description="pedicle screws",
            fusion_status="not fused",
            outcome="worse",
        ),
    )
    add_surgery(
        context,
        patient.id,
        SurgeryForm(procedure="laminectomy", date="June 2021", levels="L3-L4", outcome="same"),
    )
    add_surgery(
        context,
        patient.id,
        SurgeryForm(
            procedure="revision fusion",
            fusion_approach="posterolateral",
            date="3/15/2023",
            levels="L3-S1",
            revises_id=fusion.id,
            complications="dural tear",
        ),
    )
    mri = add_imaging(
        context,
        patient.id,
        ImagingForm(
            modality="MRI",
            regions="lumbar",
            date="May 2024",
            facility="Lakeview Imaging",
            findings="adjacent segment stenosis L2-L3",
        ),
    )
    received_documents.attach_document(
        context, make_pdf("MRI report"), "mri.pdf", imaging_id=mri.id
    )
    add_imaging(
        context,
        patient.id,
        ImagingForm(
            modality="CT",
            regions="lumbar",
            date="2022",
            report_received_on="1/5/2023",
            images_medium="disc",
            images_received_on="1/5/2023",
            disc_location="cabinet B",
        ),
    )


def test_the_summary_names_the_patient_levels_and_missing_records(
    database: Database, context: ServiceContext, maria: PatientData
) -> None:
    save_profile(
        context,
        PracticeProfileForm(name="Lakeside Spine Center", main_phone="(217) 555-0142"),
        None,
    )
    rich_history(context, maria)
    pdf = surgeon_summary_pdf(context, maria.id, today=date(2024, 11, 1))
    text = pdf_text(pdf)
    assert "Lakeside Spine Center" in text
    assert "History summary for the surgeon" in text
    assert "Núñez-García, María José" in text and maria.mrn in text
    assert "Born 03/04/1961" in text
    # Surgeries, newest first, with their levels as people write them.
    surgeries = text[text.index("Prior spine surgeries") : text.index("Key findings")]
    assert surgeries.index("March 15, 2023") < surgeries.index("June 2021")
    assert surgeries.index("June 2021") < surgeries.index("St. Mary's")
    assert "L3–S1" in surgeries and "L3–L4" in surgeries and "TLIF L4–L5" in surgeries
    assert "revision posterolateral fusion" in text
    assert "revises L4–L5 TLIF 2019" in text
    assert "Dr. <b>Rivera</b> & Sons" in text  # printed as typed, never as markup
    assert "dural tear" in text and "pedicle screws" in text
    assert "adjacent segment stenosis L2-L3" in text
    assert "kept: cabinet B" in text
    missing = text[text.index("Missing records") :]
    assert "Operative report: L4–L5 TLIF 2019" in missing
    assert "Operative report: L3–L4 laminectomy June 2021" in missing
    assert "Operative report: L3–S1 revision posterolateral fusion March 15, 2023" in missing
    assert "Images: MRI lumbar May 2024" in missing
    assert "Report: MRI lumbar May 2024" not in missing  # the attached PDF marked it received
    assert "CT lumbar 2022" not in missing
    assert "3 prior spine surgeries, last L3–S1 revision posterolateral fusion" in text
    with database.read_sessions() as session:
        printed = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "history_summary")
        ).one()
    assert printed.action == "print" and printed.patient_id == maria.id
    assert json.loads(printed.details) == {"imaging": 2, "surgeries": 3}


def test_an_empty_history_says_so_and_prints_without_a_practice_profile(
    context: ServiceContext, maria: PatientData
) -> None:
    text = pdf_text(surgeon_summary_pdf(context, maria.id))
    assert "No prior spine surgery recorded." in text
    assert "No imaging recorded." in text
    # Nothing recorded is not "everything on file".
    assert "on file" not in text
    assert "None listed: no surgery or imaging is recorded" in text
    assert "Reason for visit: not recorded" in text
    assert "Referred by: not recorded" in text
    assert "Language: Spanish, interpreter needed" in text


def test_hardware_findings_and_the_visit_read_without_contradiction(
    context: ServiceContext, maria: PatientData
) -> None:
    add_surgery(
        context,
        maria.id,
        SurgeryForm(
            procedure="lumbar fusion",
            date="2018",
            instrumentation_description="pedicle screws and rods",
        ),
    )
    add_surgery(context, maria.id, SurgeryForm(procedure="laminectomy", date="2015"))
    add_surgery(
        context,
        maria.id,
        SurgeryForm(procedure="microdiscectomy", date="2012", instrumentation=False),
    )
    add_surgery(
        context,
        maria.id,
        SurgeryForm(procedure="kyphoplasty_vertebroplasty", date="2010", instrumentation=True),
    )
    add_imaging(
        context,
        maria.id,
        ImagingForm(modality="MRI", regions="lumbar", date="2024", findings="disc <herniation>"),
    )
    referrer = save_referrer(
        context, ReferrerForm(first_name="Anil", last_name="Patel", practice_name="Valley FM")
    )
    intake.create_request(
        context,
        IntakeForm(
            patient_id=maria.id,
            phone="(217) 555-0142",
            reason="Leg pain & numbness",
            category="second_opinion",
            referrer_id=referrer.id,
        ),
    )
    text = pdf_text(surgeon_summary_pdf(context, maria.id))
    # "Hardware" is said once, by the column's header; each cell says only what it is.
    surgeries = text[text.index("Prior spine surgeries") : text.index("Imaging")]
    assert surgeries.count("Hardware") == 1 and "Hardware:" not in surgeries
    assert "pedicle screws and rods" in surgeries
    assert "unknown" not in surgeries.lower()
    assert surgeries.count("Not known") == 1  # the laminectomy, beside no list
    assert "None" in surgeries and "Yes, not described" in surgeries
    # Findings from a report not on file say so before the findings themselves.
    assert "Report not on file: as told to us, not read from the report. disc <herniation>" in (
        text
    )
    assert "Reason for visit: Leg pain & numbness" in text
    assert "Referred by: Dr. Anil Patel (Valley FM)" in text
    assert "None: every operative report" not in text


def test_the_summary_is_byte_stable_for_the_same_history(
    context: ServiceContext, maria: PatientData
) -> None:
    rich_history(context, maria)
    first = surgeon_summary_pdf(context, maria.id, today=date(2024, 11, 1))
    second = surgeon_summary_pdf(context, maria.id, today=date(2024, 11, 1))
    assert first == second


def test_outcome_and_fusion_are_named_once_by_their_headers(
    context: ServiceContext, maria: PatientData
) -> None:
    rich_history(context, maria)
    pdf = surgeon_summary_pdf(context, maria.id, today=date(2024, 11, 1))
    text = pdf_text(pdf)
    surgeries = text[text.index("Prior spine surgeries") : text.index("Key findings")]
    # Each label is said by its column's header, never again in a cell.
    assert "Outcome:" not in surgeries and "Fusion:" not in surgeries
    assert surgeries.count("Outcome") == 1
    # The TLIF's result reads in its own columns: worse, not fused; the revision's outcome
    # was not recorded and says so.
    pieces = text_pieces(pdf, 0)
    header = {piece.text: piece.x for piece in pieces if piece.text in ("Outcome", "Fusion")}
    assert set(header) == {"Outcome", "Fusion"}
    worse = next(piece for piece in pieces if piece.text == "worse")
    not_fused = next(piece for piece in pieces if piece.text == "not fused")
    assert abs(worse.x - header["Outcome"]) < 1 and abs(not_fused.x - header["Fusion"]) < 1
    assert any(
        piece.text == "not recorded" and abs(piece.x - header["Outcome"]) < 1 for piece in pieces
    )
