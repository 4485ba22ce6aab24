"""Fixtures for the handouts-given tests: a practice, María José's chart, a library."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from frontdesk.db import migrate
from frontdesk.db.engine import Database
from frontdesk.domain.permissions import Role
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts.library import HandoutLibrary
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from frontdesk.services.practice.forms import PracticeProfileForm
from frontdesk.services.practice.profile import save_profile
from tests.conftest import make_actor

MARIA = PatientForm(
    first_name="María José",
    last_name="Núñez-García",
    date_of_birth="3/4/1961",
    preferred_language="Spanish",
    interpreter_needed=True,
)
SEAN = PatientForm(first_name="Seán", last_name="O'Connor", date_of_birth="1958-09-17")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder of this test's own: the practice's handouts never leak between tests."""
    folder = tmp_path / "home"
    monkeypatch.setenv("FRONTDESK_HOME", str(folder))
    return folder


@pytest.fixture
def profile(context: ServiceContext) -> None:
    save_profile(
        context,
        PracticeProfileForm(
            name="Lakeside Spine Center",
            address="100 Main St\nSpringfield, IL 62701",
            main_phone="(217) 555-0142",
            toll_free_phone="1-800-555-0199",
            website="lakeside-spine.example.com",
        ),
        None,
    )


@pytest.fixture
def maria(context: ServiceContext, profile: None) -> PatientData:
    return create_patient(context, MARIA, allow_duplicates=True)


@pytest.fixture
def sean(context: ServiceContext, profile: None) -> PatientData:
    return create_patient(context, SEAN, allow_duplicates=True)


@pytest.fixture
def front_desk(context: ServiceContext) -> ServiceContext:
    return context.as_actor(make_actor(Role.FRONT_DESK, "desk.anna"))


@pytest.fixture
def library(home: Path) -> HandoutLibrary:
    return handouts.load_library()


@pytest.fixture
def current_url(database_url: str, database: Database) -> str:
    """The test database's URL, stamped with this app's schema (another CLI test stamps the
    shared PostgreSQL database '9999' and truncation between tests keeps that stamp)."""
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :head"),
            {"head": migrate.head_revision()},
        )
    return database_url
