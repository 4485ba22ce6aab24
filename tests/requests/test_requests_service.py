"""The requests service on both databases: intake, red flags, workflow, records, queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.domain.errors import ConflictError, RefusedError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.domain.request_states import ChecklistKind, ContactKind, RequestState, Urgency
from frontdesk.services.history import timeline
from frontdesk.services.history.summary import get_history
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm, PossibleDuplicatesError
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.patients.referrers import ReferrerData
from frontdesk.services.practice import settings
from frontdesk.services.requests import (
    assignment,
    checklist,
    contacts,
    intake,
    reading,
    states,
    work_queue,
)
from frontdesk.services.requests.data import QueueFilter
from tests.accounts import add_user
from tests.conftest import make_actor
from tests.history.conftest import make_pdf
from tests.requests.conftest import maria_intake


def test_intake_creates_the_chart_the_request_and_the_history(
    context: ServiceContext, patel: ReferrerData
) -> None:
    data = intake.create_request(context, maria_intake(referrer_id=patel.id))
    assert data.state is RequestState.NEW
    assert data.urgency is Urgency.ROUTINE
    assert data.patient_name == "Núñez-García, María José"
    assert data.referrer_name == "Dr. Anil Patel"
    chart = get_patient(context, data.patient_id, record_view=False)
    assert chart.mobile_phone == "+12175550188"
    assert chart.interpreter_needed and chart.preferred_language == "Spanish"
    past = get_history(context, data.patient_id)
    assert len(past.surgeries) == 2
    assert [s.date.display() for s in past.surgeries if s.date] == ["2021"]
    assert len(past.imaging) == 1 and past.imaging[0].facility == "Valley Imaging Center"
    detail = reading.get_request(context, data.id)
    kinds = [item.kind for item in detail.checklist]
    assert kinds.count(ChecklistKind.OPERATIVE_REPORT) == 2
    assert ChecklistKind.IMAGING_REPORT in kinds and ChecklistKind.IMAGING_FILES in kinds
    assert ChecklistKind.REFERRAL_LETTER in kinds
    assert [t.to_state for t in detail.transitions] == [RequestState.NEW]
    assert detail.transitions[0].by == "test.admin"


def test_a_request_nobody_can_answer_is_refused_at_the_phone_field(
    context: ServiceContext,
) -> None:
    with pytest.raises(ValidationError) as caught:
        intake.create_request(context, maria_intake(phone="", email=""))
    assert "phone number or an email" in caught.value.fields["phone"]
    assert work_queue.queue(context).rows == ()
    # An email alone is enough.
    data = intake.create_request(context, maria_intake(phone="", email="mj@example.org"))
    assert data.contact_email == "mj@example.org"


def test_required_fields_are_named(context: ServiceContext) -> None:
    with pytest.raises(ValidationError) as caught:
        intake.create_request(
            context, maria_intake(first_name="", date_of_birth="", category="", reason="")
        )
    assert {"first_name", "date_of_birth", "category", "reason"} <= set(caught.value.fields)


def test_a_red_flag_makes_it_urgent_and_records_the_instruction_given(
    context: ServiceContext,
) -> None:
    desk = context.as_actor(make_actor(Role.FRONT_DESK, "desk.anna"))
    data = intake.create_request(desk, maria_intake(red_flags=("bladder_bowel", "saddle_numbness")))
    assert data.urgency is Urgency.URGENT
    assert "emergency department" in data.red_flag_instruction
    assert data.instruction_given_by == "desk.anna"
    assert data.instruction_given_at is not None
    settings.set_setting(context, settings.RED_FLAG_INSTRUCTION, "Call 911 now.")
    again = intake.create_request(
        desk, maria_intake(red_flags=("fever_after_surgery",)), allow_duplicates=True
    )
    assert again.red_flag_instruction == "Call 911 now."


def test_a_likely_duplicate_chart_holds_the_save_back(context: ServiceContext) -> None:
    existing = create_patient(
        context, PatientForm(first_name="Maria", last_name="Nunez", date_of_birth="4/3/1961")
    )
    with pytest.raises(PossibleDuplicatesError) as caught:
        intake.create_request(context, maria_intake())
    assert caught.value.candidates[0].patient.id == existing.id
    assert work_queue.queue(context).rows == ()
    created = intake.create_request(context, maria_intake(), allow_duplicates=True)
    assert created.patient_id != existing.id
    linked = intake.create_request(context, maria_intake(patient_id=existing.id))
    assert linked.patient_id == existing.id


def test_the_workflow_moves_and_refuses_with_the_reason(context: ServiceContext) -> None:
    data = intake.create_request(context, maria_intake())
    with pytest.raises(RefusedError, match="cannot become seen"):
        states.transition(context, data.id, RequestState.SEEN)
    detail = states.transition(context, data.id, "awaiting_records", "letters sent")
    assert detail.request.state is RequestState.AWAITING_RECORDS
    assert detail.allowed == (RequestState.READY_TO_SCHEDULE, RequestState.CLOSED)
    with pytest.raises(RefusedError, match="Say why"):
        states.transition(context, data.id, RequestState.CLOSED)
    closed = states.transition(
        context, data.id, RequestState.CLOSED, closed_reason="referred_elsewhere"
    )
    assert [t.to_state for t in closed.transitions] == [
        RequestState.NEW,
        RequestState.AWAITING_RECORDS,
        RequestState.CLOSED,
    ]
    assert closed.transitions[1].note == "letters sent"
    with pytest.raises(RefusedError, match="does not change state"):
        states.transition(context, data.id, RequestState.READY_TO_SCHEDULE)


def test_a_stale_save_names_who_changed_it(context: ServiceContext) -> None:
    data = intake.create_request(context, maria_intake())
    anna = context.as_actor(make_actor(Role.FRONT_DESK, "desk.anna"))
    assignment.set_follow_up(anna, data.id, datetime.now(UTC).date(), expected_version=1)
    with pytest.raises(ConflictError, match=r"desk\.anna"):
        states.transition(context, data.id, RequestState.AWAITING_RECORDS, expected_version=1)


def test_attaching_a_received_file_ticks_its_checklist_item(context: ServiceContext) -> None:
    data = intake.create_request(context, maria_intake())
    detail = reading.get_request(context, data.id)
    report = next(i for i in detail.checklist if i.kind is ChecklistKind.IMAGING_REPORT)
    checklist.mark_requested(context, [report.id])
    pdf = make_pdf("MRI lumbar spine report")
    result = checklist.attach_document(
        context, data.id, pdf, "mri.pdf", ChecklistKind.IMAGING_REPORT
    )
    assert "imaging report" in result.message.lower()
    again = checklist.attach_document(
        context, data.id, pdf, "mri.pdf", ChecklistKind.IMAGING_REPORT
    )
    assert again.already_attached
    after = reading.get_request(context, data.id)
    ticked = next(i for i in after.checklist if i.id == report.id)
    assert ticked.received and ticked.received_by == "test.admin"
    assert ticked.requested_on is not None and ticked.document_id == result.document_id
    files = next(i for i in after.checklist if i.kind is ChecklistKind.IMAGING_FILES)
    assert not files.received
    with pytest.raises(ValidationError):
        checklist.attach_document(context, data.id, b"MZ not a pdf", "x.pdf", "referral_letter")


def test_three_unanswered_attempts_suggest_closing_as_unreachable(
    context: ServiceContext,
) -> None:
    data = intake.create_request(context, maria_intake())
    contacts.log_contact(context, data.id, ContactKind.NO_ANSWER)
    contacts.log_contact(context, data.id, ContactKind.LEFT_VOICEMAIL, "asked to call back")
    detail = contacts.log_contact(context, data.id, ContactKind.WRONG_NUMBER)
    assert detail.unanswered == 3 and detail.suggest_unreachable
    row = work_queue.queue(context).rows[0]
    assert "close as unreachable" in row.next_action
    answered = contacts.log_contact(context, data.id, ContactKind.CALLED)
    assert not answered.suggest_unreachable


def test_assigning_needs_a_real_staff_member(context: ServiceContext) -> None:
    data = intake.create_request(context, maria_intake())
    anna = add_user(context, "anna", Role.FRONT_DESK)
    assigned = assignment.assign(context, data.id, anna.id)
    assert assigned.assignee_name == "anna"
    assert work_queue.queue(context, QueueFilter(assignee_id=anna.id)).rows[0].id == data.id
    with pytest.raises(ValidationError):
        assignment.assign(context, data.id, 999_999)


def test_the_queue_lists_urgent_first_then_oldest_with_filters_and_pages(
    context: ServiceContext, patel: ReferrerData
) -> None:
    now = datetime.now(UTC)
    ids = []
    for days_ago, flags, referrer in (
        (10, (), None),
        (2, ("bladder_bowel",), None),
        (30, (), patel.id),
        (1, (), None),
    ):
        data = intake.create_request(
            context,
            maria_intake(red_flags=flags, referrer_id=referrer),
            allow_duplicates=True,
            received_at=now - timedelta(days=days_ago),
        )
        ids.append(data.id)
    rows = work_queue.queue(context).rows
    assert [row.id for row in rows] == [ids[1], ids[2], ids[0], ids[3]]
    assert rows[0].urgency is Urgency.URGENT
    # A routine request new for 30 days is overdue, and says so.
    assert rows[1].overdue and rows[1].age_days >= 30
    assert not rows[3].overdue
    assert [r.id for r in work_queue.queue(context, QueueFilter(referrer_id=patel.id)).rows] == [
        ids[2]
    ]
    assert [r.id for r in work_queue.queue(context, QueueFilter(urgency=Urgency.URGENT)).rows] == [
        ids[1]
    ]
    recent = QueueFilter(received_from=(now - timedelta(days=5)).date())
    assert {r.id for r in work_queue.queue(context, recent).rows} == {ids[1], ids[3]}
    states.transition(context, ids[0], RequestState.AWAITING_RECORDS)
    counts = work_queue.state_counts(context)
    assert counts[RequestState.NEW] == 3 and counts[RequestState.AWAITING_RECORDS] == 1
    only = work_queue.queue(context, QueueFilter(state=RequestState.AWAITING_RECORDS)).rows
    assert [r.id for r in only] == [ids[0]]
    # Keyset pages: no repeats, no gaps.
    seen, cursor = [], None
    while True:
        page = work_queue.queue(context, limit=1, cursor=cursor)
        seen.extend(row.id for row in page.rows)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [row.id for row in rows]


def test_requests_show_on_the_patients_chart(context: ServiceContext) -> None:
    data = intake.create_request(context, maria_intake())
    listed = reading.requests_for_patient(context, data.patient_id)
    assert [r.id for r in listed] == [data.id]


def test_a_report_attached_to_the_imaging_study_ticks_the_request(
    context: ServiceContext,
) -> None:
    """Scenario 2: the MRI report arrives by fax and is attached to the study in the chart."""
    from frontdesk.services.history import received_documents

    data = intake.create_request(context, maria_intake())
    study = get_history(context, data.patient_id).imaging[0]
    before = work_queue.queue(context).rows[0].missing_records
    received_documents.attach_document(
        context, make_pdf("MRI report"), "mri.pdf", imaging_id=study.id
    )
    detail = reading.get_request(context, data.id)
    report = next(i for i in detail.checklist if i.kind is ChecklistKind.IMAGING_REPORT)
    files = next(i for i in detail.checklist if i.kind is ChecklistKind.IMAGING_FILES)
    assert report.received and not files.received
    assert work_queue.queue(context).rows[0].missing_records == before - 1
    # The disc arrives: ticking it on the request marks the study's images received.
    checklist.mark_received(context, files.id)
    assert get_history(context, data.patient_id).imaging[0].images_received
    surgery_item = next(i for i in detail.checklist if i.kind is ChecklistKind.OPERATIVE_REPORT)
    checklist.mark_received(context, surgery_item.id)
    assert sum(s.report_received for s in get_history(context, data.patient_id).surgeries) == 1


def test_requests_appear_on_the_patients_timeline(context: ServiceContext) -> None:
    data = intake.create_request(context, maria_intake(red_flags=("bladder_bowel",)))
    events = timeline.patient_timeline(context, data.patient_id)
    shown = [event for event in events if event.kind == "request"]
    assert [event.record_id for event in shown] == [data.id]
    assert "Failed back" in shown[0].title and shown[0].flags


def test_a_request_reads_the_same_in_every_json_a_script_gets(
    context: ServiceContext, patel: ReferrerData
) -> None:
    data = intake.create_request(context, maria_intake(referrer_id=patel.id, red_flags=()))
    [row] = work_queue.queue(context).rows
    shared = {"id", "patient_id", "mrn", "patient", "received_at", "category", "urgency"}
    shared |= {"state", "referrer", "assignee"}
    detail, listed = data.to_json(), row.to_json()
    assert {key: detail[key] for key in shared} == {key: listed[key] for key in shared}
    assert detail["patient"] == "Núñez-García, María José" and detail["state"] == "new"
    assert detail["referrer"] == listed["referrer"] != ""
    assert {"channel", "red_flags", "follow_up_on"} <= set(detail)
    assert {"age_days", "next_action", "overdue"} <= set(listed)
