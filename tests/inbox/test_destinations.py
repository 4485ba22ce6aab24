"""Where a document can go for a patient: what waits for it first, the chart last."""

from __future__ import annotations

from frontdesk.demo.faxes import operative_lines, text_pdf
from frontdesk.domain.history_records import ImagingForm, SurgeryForm
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.history.surgeries import add_surgery, set_operative_report_status
from frontdesk.services.inbox import arrivals, listing, reading
from frontdesk.services.inbox.destinations import destinations
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.requests.checklist import add_checklist_item
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.requests.intake import create_request
from tests.inbox.conftest import MARIA


def mark_report_received(context: ServiceContext, surgery_id: int) -> None:
    set_operative_report_status(
        context, surgery_id, requested_on=None, received_on="01/15/2025", expected_version=None
    )


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


def _operative_report_read(context: ServiceContext) -> dict[str, object]:
    """What reading the demo's L4-5 TLIF operative note suggests about its surgery."""
    arrival = arrivals.receive(context, text_pdf(operative_lines(MARIA)), "op.pdf", source="hand")
    assert arrival.document_id is not None
    reading.read_document(context, arrival.document_id)
    suggestions = listing.one(context, arrival.document_id)[1]
    assert suggestions.kind == "operative-report"
    return suggestions.surgery


def test_an_l4_5_tlif_report_is_not_filed_to_the_c5_c6_acdf_by_default(
    context: ServiceContext, maria: PatientData
) -> None:
    """The tester's 9-page L4-5 TLIF note defaulted to "Surgery C5–C6 ACDF about 2024"
    (its report already on file): one Enter would have filed it to the wrong surgery."""
    acdf = add_surgery(
        context, maria.id, SurgeryForm(procedure="acdf", levels="C5-C6", date="about 2024")
    )
    mark_report_received(context, acdf.id)
    read = _operative_report_read(context)
    assert read["levels"] == ["L4-L5"] and read["procedure"] == "lumbar_fusion"
    found = destinations(context, maria.id, "operative-report", surgery=read)
    assert found[0].where == "none" and "no surgery on file matches" in found[0].label
    assert "L4–L5" in found[0].label
    assert any(d.surgery_id == acdf.id for d in found)  # still there to choose by hand
    assert found[-1].where == "chart"


def test_the_surgery_whose_levels_agree_comes_first_missing_report_preferred(
    context: ServiceContext, maria: PatientData
) -> None:
    acdf = add_surgery(
        context, maria.id, SurgeryForm(procedure="acdf", levels="C5-C6", date="2010")
    )
    on_file = add_surgery(
        context, maria.id, SurgeryForm(procedure="lumbar_fusion", levels="L4-L5", date="2015")
    )
    mark_report_received(context, on_file.id)
    missing = add_surgery(
        context, maria.id, SurgeryForm(procedure="lumbar_fusion", levels="L4-L5", date="2021")
    )
    read = _operative_report_read(context)
    found = destinations(context, maria.id, "operative-report", surgery=read)
    assert [d.surgery_id for d in found[:2]] == [missing.id, on_file.id]
    assert found[0].waiting
    # The ACDF is offered, after them, and never first.
    assert acdf.id in [d.surgery_id for d in found[2:]]
    # A report whose levels were not read keeps the old order (the history's): the ACDF,
    # the oldest surgery still missing its report, first.
    unread = destinations(context, maria.id, "operative-report")
    assert unread[0].surgery_id == acdf.id


def test_an_l4_5_fusion_report_is_not_filed_onto_a_1999_laminectomy_on_file(
    context: ServiceContext, maria: PatientData
) -> None:
    """Walking the app: the L4-5 TLIF note pre-chose "Surgery L3–L5 laminectomy February 5,
    1999 (report on file)" on one shared level; Enter filed a fusion report onto it."""
    laminectomy = add_surgery(
        context, maria.id, SurgeryForm(procedure="laminectomy", levels="L3-L5", date="02/05/1999")
    )
    mark_report_received(context, laminectomy.id)
    read = _operative_report_read(context)
    found = destinations(context, maria.id, "operative-report", surgery=read)
    assert found[0].where == "none" and "no surgery on file matches" in found[0].label
    assert found[1].where == "new-surgery"
    assert laminectomy.id in [d.surgery_id for d in found[1:]]  # still offered by hand


def test_a_different_procedure_rules_out_even_a_surgery_missing_its_report(
    context: ServiceContext, maria: PatientData
) -> None:
    discectomy = add_surgery(
        context, maria.id, SurgeryForm(procedure="microdiscectomy", levels="L4-L5", date="2012")
    )
    read = {"levels": ["L4-L5"], "procedure": "lumbar_fusion", "surgery_date": ""}
    found = destinations(context, maria.id, "operative-report", surgery=read)
    assert found[0].where == "none"
    # A report that does not name its procedure is not contradicted by the discectomy.
    unnamed = {"levels": ["L4-L5"], "procedure": "", "surgery_date": ""}
    assert destinations(context, maria.id, "operative-report", surgery=unnamed)[0].surgery_id == (
        discectomy.id
    )


def test_a_year_that_clearly_differs_rules_the_surgery_out(
    context: ServiceContext, maria: PatientData
) -> None:
    add_surgery(
        context, maria.id, SurgeryForm(procedure="lumbar_fusion", levels="L4-L5", date="2015")
    )
    read = {"levels": ["L4-L5"], "procedure": "lumbar_fusion", "surgery_date": "2021-03-02"}
    found = destinations(context, maria.id, "operative-report", surgery=read)
    assert found[0].where == "none"
    same_year = {"levels": ["L4-L5"], "procedure": "lumbar_fusion", "surgery_date": "2015-06-01"}
    assert destinations(context, maria.id, "operative-report", surgery=same_year)[0].waiting


def test_a_surgery_with_its_report_on_file_is_pre_chosen_only_on_a_full_match(
    context: ServiceContext, maria: PatientData
) -> None:
    on_file = add_surgery(
        context, maria.id, SurgeryForm(procedure="lumbar_fusion", levels="L4-L5", date="2015")
    )
    mark_report_received(context, on_file.id)
    # Levels and procedure agree, the date is not known: not enough for a report on file.
    undated = {"levels": ["L4-L5"], "procedure": "lumbar_fusion", "surgery_date": ""}
    found = destinations(context, maria.id, "operative-report", surgery=undated)
    assert found[0].where == "none"
    assert on_file.id in [d.surgery_id for d in found]
    dated = {"levels": ["L4-L5"], "procedure": "lumbar_fusion", "surgery_date": "2015-06-01"}
    assert destinations(context, maria.id, "operative-report", surgery=dated)[0].surgery_id == (
        on_file.id
    )


def test_a_missing_report_surgery_of_the_same_procedure_without_levels_is_chosen(
    context: ServiceContext, maria: PatientData
) -> None:
    """ "Lumbar fusion 2019", levels never written down, report missing: the L4-5 TLIF note
    is most likely its report; nothing on file contradicts it."""
    fusion = add_surgery(context, maria.id, SurgeryForm(procedure="lumbar fusion", date="2019"))
    read = {"levels": ["L4-L5"], "procedure": "lumbar_fusion", "surgery_date": ""}
    found = destinations(context, maria.id, "operative-report", surgery=read)
    assert found[0].surgery_id == fusion.id and found[0].waiting
