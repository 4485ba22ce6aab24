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


def test_a_ct_report_is_offered_to_the_missing_ct_before_the_missing_x_ray(
    context: ServiceContext, maria: PatientData
) -> None:
    """Seán's walk: a CT report read as CT defaulted to his flexion-extension X-ray, and one
    Enter would have marked the X-ray's report received."""
    xray = add_imaging(
        context,
        maria.id,
        ImagingForm(modality="flexion_extension_xray", regions="lumbar", date="2023"),
    )
    ct = add_imaging(context, maria.id, ImagingForm(modality="CT", regions="lumbar", date="2025"))
    found = destinations(context, maria.id, "imaging-report", modality="CT")
    assert [d.study_id for d in found if d.waiting] == [ct.id, xray.id]
    # Without a modality read, the order stays as before (the history's order).
    unread = destinations(context, maria.id, "imaging-report")
    assert [d.study_id for d in unread if d.waiting] == [xray.id, ct.id]
