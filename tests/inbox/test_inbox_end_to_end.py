"""Issue #18's done-when, through the services on both databases: the same fax dropped in
the watched folder and e-mailed to the mailbox is one document, the right patient is
suggested, filing it ticks the request's checklist, and the chart, the request and the
audit trail all show it."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.demo.faxes import mri_lines, scanned_tiff, text_pdf
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.history.received_documents import list_documents
from frontdesk.services.inbox import filing, folders, listing, reading
from frontdesk.services.inbox import mailbox as mail
from frontdesk.services.inbox.destinations import destinations
from frontdesk.services.inbox.folders import FolderWatch
from frontdesk.services.inbox.mailbox import Mailbox
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientData
from frontdesk.services.requests.checklist import add_checklist_item
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.requests.intake import create_request
from frontdesk.services.requests.reading import get_request
from tests.helpers.imap_server import PASSWORD, ImapServer
from tests.inbox.conftest import MARIA


def _efax(data: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = "faxes@efax.example"
    message["Subject"] = "Fax from Valley Imaging"
    message["Message-ID"] = "<valley-mri@efax.example>"
    message.set_content("A fax is attached.")
    message.add_attachment(data, maintype="image", subtype="tiff", filename="fax.tif")
    return bytes(message)


def test_a_fax_from_the_folder_and_the_mailbox_is_filed_once_and_shows_everywhere(
    database: Database,
    front_desk: ServiceContext,
    maria: PatientData,
    imap_server: ImapServer,
    mailbox: Mailbox,
    tmp_path: Path,
    ocr: None,
) -> None:
    request = create_request(
        front_desk,
        IntakeForm(patient_id=maria.id, phone="(503) 201-3344", reason="x", category="failed_back"),
    )
    item = add_checklist_item(front_desk, request.id, ChecklistKind.IMAGING_REPORT, "MRI")
    fax = scanned_tiff(text_pdf(mri_lines(MARIA)))
    drop = tmp_path / "faxes"
    drop.mkdir()
    (drop / "0001.tif").write_bytes(fax)
    watch = FolderWatch(drop)
    folders.sweep(front_desk, watch)
    [from_folder] = folders.sweep(front_desk, watch)
    imap_server.deliver(_efax(fax))
    [from_mail] = mail.poll(front_desk, mailbox, PASSWORD)
    assert (from_folder.outcome, from_mail.outcome) == ("new", "again")
    assert from_mail.document_id == from_folder.document_id
    document_id = from_folder.document_id
    assert document_id is not None
    reading.read_document(front_desk, document_id)

    [row] = listing.unfiled(front_desk)
    assert row.arrivals == 2 and row.suggested_patient_id == maria.id
    _row, suggestions = listing.one(front_desk, document_id)
    [first, *_others] = destinations(front_desk, maria.id, suggestions.kind)
    assert first.item_id == item.id  # what waits for it comes first: one keystroke files it
    filed = filing.file_to_request(
        front_desk,
        document_id,
        request.id,
        as_kind=suggestions.kind,
        item_id=first.item_id,
        patient_id=maria.id,
        expected_version=row.version,
    )
    assert "Ticked" in filed.message

    ticked = next(e for e in get_request(front_desk, request.id).checklist if e.id == item.id)
    assert ticked.received and ticked.document_id is not None
    assert [d.file_name for d in list_documents(front_desk, maria.id)] == ["0001.tif"]
    assert listing.unfiled(front_desk) == []
    with database.read_sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "inbox_documents")
        ).all()
    actions = [entry.action for entry in entries]
    assert "arrived again" in actions and "file" in actions
    [filed_entry] = [entry for entry in entries if entry.action == "file"]
    details = filed_entry.details
    details = json.loads(details) if isinstance(details, str) else details
    assert details["patient_as_suggested"] and filed_entry.patient_id == maria.id
