"""Fixtures for the inbox tests: patients whose faxes arrive, and a referrer with an NPI."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from frontdesk.demo.faxes import Person
from frontdesk.domain.permissions import Role
from frontdesk.services.inbox.mailbox import Mailbox
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientData, PatientForm
from tests.conftest import make_actor
from tests.helpers.imap_server import ImapServer, dovecot_program, running_dovecot

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


@pytest.fixture(scope="session")
def imap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImapServer]:
    """A real Dovecot IMAP server (TLS only) for this test worker."""
    if dovecot_program() is None:
        message = "Dovecot is not installed (Debian: apt install dovecot-imapd)"
        if os.environ.get("FRONTDESK_REQUIRE_IMAP") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with running_dovecot(tmp_path_factory.mktemp("imap")) as server:
        yield server


@pytest.fixture
def mailbox(imap_server: ImapServer) -> Iterator[Mailbox]:
    """The e-fax mailbox, emptied before each test."""
    client = imap_server.client()
    try:
        client.select("INBOX")
        client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
        client.expunge()
    except Exception:  # an empty mailbox has no 1:*
        pass
    finally:
        client.logout()
    yield Mailbox(
        host=imap_server.host,
        user=imap_server.user,
        port=imap_server.port,
        ca_file=str(imap_server.ca_file),
    )


@pytest.fixture
def ocr() -> None:
    """Tests that read scanned pages need Tesseract; CI requires it (FRONTDESK_REQUIRE_OCR)."""
    from frontdesk.documents.page_text import ocr_status

    status = ocr_status()
    if not status.available:
        if os.environ.get("FRONTDESK_REQUIRE_OCR") == "1":
            pytest.fail(status.message)
        pytest.skip(status.message)
