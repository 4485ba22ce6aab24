"""Fixtures for the inbox tests: patients whose faxes arrive, and a referrer with an NPI."""

from __future__ import annotations

import pytest

from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from tests.conftest import make_actor
from tests.helpers.faxes import Person

MARIA = Person("María José", "Núñez-García", "03/04/1961", "(503) 201-3344")
JOHN = Person("John", "Smith", "07/19/1958")


@pytest.fixture
def front_desk(context: ServiceContext) -> ServiceContext:
    return context.as_actor(make_actor(Role.FRONT_DESK, "desk.anna"))


@pytest.fixture
def maria(context: ServiceContext) -> PatientData:
    return create_patient(
        context,
        PatientForm(
            first_name=MARIA.first,
            last_name=MARIA.last,
            date_of_birth=MARIA.born,
            mobile_phone=MARIA.phone,
            preferred_language="Spanish",
        ),
        allow_duplicates=True,
    )


@pytest.fixture
def maria_twin_birthday(context: ServiceContext) -> PatientData:
    """Another patient born the same day: the birth date alone must not decide."""
    return create_patient(
        context,
        PatientForm(first_name="Rosa", last_name="Delgado", date_of_birth=MARIA.born),
        allow_duplicates=True,
    )
