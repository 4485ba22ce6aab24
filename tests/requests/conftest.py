"""Fixtures for the requests tests: an intake form like scenario 1, a referring physician."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import referrers
from frontdesk.services.patients.referrers import ReferrerData, ReferrerForm
from frontdesk.services.requests.data import IntakeForm
from frontdesk.ui.requests.area import RequestsArea
from frontdesk.ui.screen_context import ScreenContext


def maria_intake(**changes: object) -> IntakeForm:
    """Scenario 1: María José calls about her failed fusion."""
    values: dict[str, object] = {
        "first_name": "María José",
        "last_name": "Núñez-García",
        "date_of_birth": "3/4/1961",
        "phone": "(217) 555-0188",
        "channel": "phone",
        "caller_name": "María José Núñez-García",
        "caller_relationship": "self",
        "reason": "Pain worse than before the second operation",
        "category": "failed_back",
        "body_regions": ("lumbar",),
        "prior_surgery": True,
        "prior_surgery_count": 2,
        "prior_surgery_last_year": 2021,
        "imaging_modality": "mri",
        "imaging_when": "May 2024",
        "imaging_where": "Valley Imaging Center",
        "language": "Spanish",
        "interpreter_needed": True,
    }
    values.update(changes)
    return IntakeForm(**values)  # type: ignore[arg-type]


@pytest.fixture
def patel(context: ServiceContext) -> ReferrerData:
    return referrers.save_referrer(
        context,
        ReferrerForm(
            last_name="Patel",
            first_name="Anil",
            credentials="MD",
            practice_name="Riverside Family Medicine",
            fax="(217) 555-0100",
            address="12 River Road\nSpringfield, IL 62701",
        ),
    )


def open_requests_area(qtbot: QtBot, screen: ScreenContext) -> RequestsArea:
    """The Requests area shown at a desk's usual size."""
    area = RequestsArea(screen)
    qtbot.addWidget(area)
    area.resize(1280, 760)
    area.show()
    return area


def open_the_only_request(qtbot: QtBot, screen: ScreenContext) -> RequestsArea:
    """The Requests area with its one request chosen and its details shown."""
    area = open_requests_area(qtbot, screen)
    qtbot.waitUntil(lambda: area.model.rowCount() == 1, timeout=10_000)
    area.table.selectRow(0)
    qtbot.waitUntil(lambda: area.detail.detail is not None, timeout=10_000)
    return area
