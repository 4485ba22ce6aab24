"""Where a document can go for a patient: what waits for it first, the chart last."""

from __future__ import annotations

from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.surgeries import add_surgery
from frontdesk.services.inbox.destinations import destinations
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.requests.checklist import add_checklist_item
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.requests.intake import create_request


def test_an_imaging_report_is_offered_to_the_waiting_checklist_item_first(
    context: ServiceContext, maria: PatientData
) -> None:
    request = create_request(
        context,
        IntakeForm(patient_id=maria.id, phone="(503) 201-3344", reason="x", category="other"),
    )
    study = add_imaging(
        context, maria.id, ImagingForm(modality="MRI", regions="lumbar", date="2024")
    )
    item = add_checklist_item(
        context, request.id, ChecklistKind.IMAGING_REPORT, imaging_id=study.id
    )
    found = destinations(context, maria.id, "imaging-report")
    assert found[0].where == "request" and found[0].item_id == item.id and found[0].waiting
    assert any(d.where == "study" and d.study_id == study.id for d in found)
    assert found[-1].where == "chart"


def test_a_referral_without_an_open_request_starts_a_new_one(
    context: ServiceContext, maria: PatientData
) -> None:
    assert [d.where for d in destinations(context, maria.id, "referral")] == [
        "new-request",
        "chart",
    ]


def test_an_operative_report_goes_to_the_surgery_without_its_report(
    context: ServiceContext, maria: PatientData
) -> None:
    add_surgery(context, maria.id, SurgeryForm(procedure="lumbar fusion", date="2019"))
    found = destinations(context, maria.id, "operative-report")
    assert found[0].where == "surgery" and found[0].waiting
    assert "operative report (missing)" in found[0].label
