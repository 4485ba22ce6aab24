"""A call on a chart that already has an open request (issue #16, 5): the open request is
offered, the call is added to it, and the caller's new contact details reach the chart only
when chosen, audited and version-checked."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.domain.request_states import ContactKind
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.requests import intake, linking, reading
from frontdesk.services.requests.data import IntakeForm, RequestData
from frontdesk.ui.requests.linked_chart import LinkedChartDialog
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.intake import type_call
from tests.requests.conftest import maria_intake, open_requests_area
from tests.requests.test_requests_ui import open_intake

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NEW_PHONE = "(217) 555-0199"


def _first_call(context: ServiceContext) -> RequestData:
    return intake.create_request(context, maria_intake())


def _second_call(first: RequestData, **changes: object) -> IntakeForm:
    values: dict[str, object] = {
        "patient_id": first.patient_id,
        "phone": NEW_PHONE,
        "reason": "Asking whether the MRI arrived",
        "caller_name": "Luis Núñez",
        "caller_relationship": "son",
        "red_flags_asked": True,
    }
    values.update(changes)
    return maria_intake(**values)


def _requests_of(context: ServiceContext, patient_id: int) -> list[RequestData]:
    return reading.requests_for_patient(context, patient_id)


def test_the_check_names_the_open_request_and_the_changed_phone(
    context: ServiceContext,
) -> None:
    first = _first_call(context)
    check = linking.check_link(context, first.patient_id, _second_call(first))
    assert [r.id for r in check.open_requests] == [first.id]
    assert [(c.field, c.on_chart, c.from_caller) for c in check.contact_changes] == [
        ("mobile_phone", "+12175550188", "+12175550199")
    ]
    same = linking.check_link(context, first.patient_id, _second_call(first, phone="217-555-0188"))
    assert same.contact_changes == ()
    # A number the chart already has as home or work phone is no change either.
    home = create_patient(
        context,
        PatientForm("Seán", "O'Connor", "1950-01-02", home_phone=NEW_PHONE, email="sean@x.org"),
    )
    check = linking.check_link(
        context, home.id, maria_intake(patient_id=home.id, phone=NEW_PHONE, email="SEAN@x.org")
    )
    assert check.open_requests == () and check.contact_changes == ()


def test_the_call_is_added_to_the_open_request_not_a_second_one(
    context: ServiceContext,
) -> None:
    first = _first_call(context)
    check = linking.check_link(context, first.patient_id, _second_call(first))
    detail = linking.add_call_to_request(
        context,
        first.id,
        _second_call(first),
        update_chart=("mobile_phone",),
        chart_version=check.chart_version,
    )
    assert [r.id for r in _requests_of(context, first.patient_id)] == [first.id]
    [call] = detail.contacts
    assert call.kind is ContactKind.CALL_RECEIVED and call.by == "test.admin"
    assert "Asking whether the MRI arrived" in call.note
    assert "Luis Núñez (son)" in call.note and "all no" in call.note
    assert "Imaging: MRI May 2024 Valley Imaging Center" in call.note
    assert detail.request.contact_phone == "+12175550199"
    chart = get_patient(context, first.patient_id, record_view=False)
    assert chart.mobile_phone == "+12175550199"
    with context.reading(None) as session:
        updates = session.scalars(
            select(AuditEntry).where(
                AuditEntry.patient_id == first.patient_id,
                AuditEntry.entity == "patients",
                AuditEntry.action == "update",
            )
        ).all()
    assert len(updates) == 1
    assert "+12175550199" in json.dumps(json.loads(updates[0].details))


def test_the_chart_is_left_alone_unless_chosen_and_never_over_a_newer_save(
    context: ServiceContext,
) -> None:
    first = _first_call(context)
    check = linking.check_link(context, first.patient_id, _second_call(first))
    saved = intake.create_request(context, _second_call(first, category="neck_pain"))
    assert get_patient(context, first.patient_id, record_view=False).mobile_phone == (
        "+12175550188"
    )
    assert saved.contact_phone == "+12175550199"
    # Someone saved the chart after the check: the update is refused, nothing is written.
    chart = get_patient(context, first.patient_id, record_view=False)
    update_patient(context, chart.id, replace(chart.form(), city="Decatur"), chart.version)
    with pytest.raises(ConflictError):
        linking.add_call_to_request(
            context,
            first.id,
            _second_call(first),
            update_chart=("mobile_phone",),
            chart_version=check.chart_version,
        )
    assert len(reading.get_request(context, first.id).contacts) == 0


def test_a_red_flag_is_never_folded_into_an_older_request(context: ServiceContext) -> None:
    first = _first_call(context)
    with pytest.raises(ValidationError) as refused:
        linking.add_call_to_request(
            context, first.id, _second_call(first, red_flags=("bladder_bowel",))
        )
    assert "red_flags" in refused.value.fields


def test_open_selected_chart_offers_the_open_request_and_the_new_phone(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    existing = create_patient(
        context, PatientForm("Maria", "Nunez-Garcia", "1961-04-03", mobile_phone="217-555-0100")
    )
    first = intake.create_request(context, maria_intake(patient_id=existing.id))
    area = open_requests_area(qtbot, screen)
    dialog = open_intake(qtbot, screen)
    dialog.call_added.connect(area._call_added)
    type_call(qtbot, dialog, phone="217 555 0199")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.duplicates is not None, timeout=10_000)
    warning = dialog.duplicates
    assert warning is not None
    warning.open_button.click()
    qtbot.waitUntil(lambda: dialog.link_dialog is not None, timeout=10_000)
    question = dialog.link_dialog
    assert isinstance(question, LinkedChartDialog)
    assert f"Request {first.id} · " in question.requests.item(0).text()
    box = question.contact_boxes["mobile_phone"]
    assert "(217) 555-0100" in box.text() and "(217) 555-0199" in box.text()
    assert question.add_button.isDefault()
    with qtbot.waitSignal(dialog.call_added, timeout=10_000) as added:
        qtbot.keyClick(question, Qt.Key.Key_Return)
    assert added.args[0].request.id == first.id
    assert [r.id for r in _requests_of(context, existing.id)] == [first.id]
    assert get_patient(context, existing.id, record_view=False).mobile_phone == "+12175550199"
    assert f"Call added to request {first.id}" in area.banner.text
    assert not dialog.isVisible()


def test_a_new_request_can_still_be_chosen_without_touching_the_chart(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    existing = create_patient(
        context, PatientForm("Maria", "Nunez-Garcia", "1961-04-03", mobile_phone="217-555-0100")
    )
    intake.create_request(context, maria_intake(patient_id=existing.id))
    dialog = open_intake(qtbot, screen)
    type_call(qtbot, dialog, phone="217 555 0199")
    dialog.save()
    qtbot.waitUntil(lambda: dialog.duplicates is not None, timeout=10_000)
    assert dialog.duplicates is not None
    dialog.duplicates.open_button.click()
    qtbot.waitUntil(lambda: dialog.link_dialog is not None, timeout=10_000)
    question = dialog.link_dialog
    assert question is not None
    question.contact_boxes["mobile_phone"].setChecked(False)
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        question.new_button.click()
    assert len(_requests_of(context, existing.id)) == 2
    assert get_patient(context, existing.id, record_view=False).mobile_phone == "+12175550100"


def test_the_open_request_reads_in_full_without_a_side_scroll(
    qtbot: QtBot, context: ServiceContext
) -> None:
    """Issue #16 screenshots: the reason was cut at the dialog's edge behind a scroll bar."""
    reason = (
        "Pain worse than before the second operation; cannot sit long enough to drive to work "
        "and the pharmacy"
    )
    first = intake.create_request(context, maria_intake(reason=reason))
    check = linking.check_link(context, first.patient_id, _second_call(first))
    dialog = LinkedChartDialog(check, "Núñez-García, María José")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    listing = dialog.requests
    item = listing.item(0)
    assert reason in item.text()
    shown = listing.visualItemRect(item)
    assert shown.width() <= listing.viewport().width()
    assert shown.height() >= 2 * listing.fontMetrics().height()  # wrapped onto more lines


def test_the_question_counts_the_open_requests_in_words(
    qtbot: QtBot, context: ServiceContext
) -> None:
    """It said "has 1 open request(s)": the noun now agrees with the number."""
    first = _first_call(context)
    check = linking.check_link(context, first.patient_id, _second_call(first))

    def hint(shown: linking.ChartLinkCheck) -> str:
        dialog = LinkedChartDialog(shown, "Núñez-García, María José")
        qtbot.addWidget(dialog)
        return " ".join(label.text() for label in dialog.findChildren(QLabel, "hint"))

    assert "Núñez-García, María José has 1 open request. If this call is about it," in hint(check)
    two = replace(check, open_requests=check.open_requests * 2)
    assert "has 2 open requests. If this call is about one of them," in hint(two)
    refused = replace(check, not_addable="a red flag needs a request of its own")
    assert "has 1 open request:" in hint(refused)
    assert "(s)" not in hint(check) + hint(two) + hint(refused)
