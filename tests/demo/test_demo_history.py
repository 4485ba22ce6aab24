"""Demo histories: valid by the service's own rules, failed-fusion stories, every records state."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from frontdesk.db.engine import Database
from frontdesk.db.models_patients import Patient
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.demo import generator as demo
from frontdesk.demo.faxes import text_pdf
from frontdesk.domain.history_vocab import Procedure
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.history.imaging import update_imaging
from frontdesk.services.history.summary import get_history
from frontdesk.services.history.surgeries import update_surgery
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests.checklist import attach_document
from frontdesk.services.requests.reading import get_request


def test_demo_patients_get_realistic_histories_that_pass_validation(
    database: Database, context: ServiceContext
) -> None:
    demo.generate(context, patients=120, seed=7)
    with database.read_sessions() as session:
        ids = session.scalars(select(Patient.id).order_by(Patient.id)).all()
    charts = [get_history(context, patient_id) for patient_id in ids]
    with_history = [c for c in charts if c.surgeries or c.imaging]
    assert 20 <= len(with_history) <= 80

    # The failed-fusion story: a fusion, adjacent-level surgery, then a revision of the fusion.
    patterns = 0
    for chart in charts:
        for surgery in chart.surgeries:
            if surgery.revises_id is None:
                continue
            revised = chart.surgery(surgery.revises_id)
            assert revised.procedure is Procedure.LUMBAR_FUSION
            between = [
                s
                for s in chart.surgeries
                if s.id not in (surgery.id, revised.id)
                and s.levels.segments
                and s.levels.segments[-1].lower == revised.levels.segments[0].upper
            ]
            assert between, "the revision follows surgery at the level above the fusion"
            patterns += 1
    assert patterns >= 2

    # Imaging in every received/missing state.
    states = {(i.report_received, i.images_received) for c in charts for i in c.imaging}
    assert states == {(False, False), (True, False), (False, True), (True, True)}
    precisions = {s.date.precision for c in charts for s in c.surgeries if s.date}
    assert len(precisions) >= 3

    # Every demo entry is one the service itself would accept unchanged.
    for chart in with_history:
        for surgery in chart.surgeries:
            update_surgery(context, surgery.id, surgery.form(), surgery.version)
        for study in chart.imaging:
            update_imaging(context, study.id, study.form(), study.version)


def test_the_scenario_patient_has_her_story(database: Database, context: ServiceContext) -> None:
    demo.generate(context, patients=5, seed=1)
    with database.read_sessions() as session:
        maria_id = session.scalar(
            select(Patient.id).where(
                Patient.first_name == "María José", Patient.date_of_birth == date(1961, 3, 4)
            )
        )
    assert maria_id is not None
    shown = get_history(context, maria_id, today=date(2024, 11, 1))
    assert [s.description for s in shown.surgeries] == ["L4–L5 TLIF 2019", "L3–L4 TLIF 2021"]
    assert [i.description for i in shown.imaging] == ["MRI lumbar May 2024"]
    assert shown.imaging[0].facility == "Lakeview Imaging Center"
    assert len(shown.summary.missing) == 4  # both operative reports, MRI report and images


def test_her_request_waits_for_the_records_her_history_lists(
    database: Database, context: ServiceContext
) -> None:
    """Filing her MRI report to the request's checklist also shows it received in her
    history: the demo request's records are her history entries, not copies beside them."""
    demo.generate(context, patients=5, seed=1)
    with database.read_sessions() as session:
        maria_id = session.scalar(select(Patient.id).where(Patient.first_name == "María José"))
        request_id = session.scalar(
            select(ConsultationRequest.id).where(ConsultationRequest.patient_id == maria_id)
        )
    assert maria_id is not None and request_id is not None
    history = get_history(context, maria_id)
    items = get_request(context, request_id).checklist
    operative = [i.surgery_id for i in items if i.kind is ChecklistKind.OPERATIVE_REPORT]
    assert operative == [s.id for s in history.surgeries]
    imaging = {i.imaging_id for i in items if i.kind.name.startswith("IMAGING")}
    assert imaging == {history.imaging[0].id}
    report = next(i for i in items if i.kind is ChecklistKind.IMAGING_REPORT)
    assert "Lakeview" in report.source

    attach_document(
        context, request_id, text_pdf(["MRI report"]), "mri.pdf", ChecklistKind.IMAGING_REPORT
    )
    assert get_history(context, maria_id).imaging[0].report_received
