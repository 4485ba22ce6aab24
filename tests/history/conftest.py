"""Fixtures for the history tests: a patient, actors of each role, real files to attach."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from tests.conftest import make_actor

MARIA = PatientForm(
    first_name="María José",
    last_name="Núñez-García",
    date_of_birth="3/4/1961",
    preferred_language="Spanish",
    interpreter_needed=True,
)


def make_pdf(*lines: str, pages: int = 1) -> bytes:
    """A real PDF with the given text on its first page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    for page in range(pages):
        y = 720
        for line in lines if page == 0 else (f"page {page + 1}",):
            canvas.drawString(72, y, line)
            y -= 16
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def make_image(kind: str = "PNG", size: tuple[int, int] = (120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (240, 240, 240)).save(buffer, kind)
    return buffer.getvalue()


@pytest.fixture
def maria(context: ServiceContext) -> PatientData:
    return create_patient(context, MARIA, allow_duplicates=True)


@pytest.fixture
def front_desk(context: ServiceContext) -> ServiceContext:
    return context.as_actor(make_actor(Role.FRONT_DESK, "desk.anna"))


@pytest.fixture
def other_front_desk(context: ServiceContext) -> ServiceContext:
    return context.as_actor(make_actor(Role.FRONT_DESK, "desk.ben"))


@pytest.fixture
def clinical(context: ServiceContext) -> ServiceContext:
    return context.as_actor(make_actor(Role.CLINICAL, "nurse.carla"))
