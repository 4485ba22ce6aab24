"""The e-fax mailbox, against a real Dovecot server over TLS: attachments of unread
messages arrive once, the message is marked read after the commit, failures say why."""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from frontdesk.demo.faxes import mri_lines, scanned_tiff, text_pdf
from frontdesk.services.inbox import folders, listing
from frontdesk.services.inbox import mailbox as mail
from frontdesk.services.inbox.folders import FolderWatch
from frontdesk.services.inbox.mailbox import Mailbox, MailboxError
from frontdesk.services.kernel.context import ServiceContext
from tests.helpers.imap_server import PASSWORD, ImapServer
from tests.helpers.keyring import MemoryKeyring
from tests.inbox.conftest import MARIA


def efax(*attachments: tuple[str, bytes, str], subject: str = "Fax from 5034102000") -> bytes:
    message = EmailMessage()
    message["From"] = "faxes@efax.example"
    message["To"] = "office@practice.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{subject.replace(' ', '.')}@efax.example>"
    message.set_content("You have received a fax. It is attached.")
    for name, data, kind in attachments:
        maintype, subtype = kind.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(message)


def unseen(server: ImapServer) -> list[bytes]:
    client = server.client()
    try:
        client.select("INBOX")
        return client.search(None, "UNSEEN")[1][0].split()
    finally:
        client.logout()


def test_attachments_of_unread_messages_arrive_once_and_the_message_is_marked_read(
    front_desk: ServiceContext, imap_server: ImapServer, mailbox: Mailbox
) -> None:
    pdf = text_pdf(mri_lines(MARIA))
    imap_server.deliver(efax(("fax.pdf", pdf, "application/pdf")))
    imap_server.deliver(efax(subject="No attachment here"))
    arrivals = mail.poll(front_desk, mailbox, PASSWORD)
    assert [arrival.outcome for arrival in arrivals] == ["new"]
    assert unseen(imap_server) == []
    assert mail.poll(front_desk, mailbox, PASSWORD) == []
    [row] = listing.unfiled(front_desk)
    assert row.source == "email" and "faxes@efax.example" in row.origin


def test_a_tiff_fax_attachment_is_taken(
    front_desk: ServiceContext, imap_server: ImapServer, mailbox: Mailbox
) -> None:
    tiff = scanned_tiff(text_pdf(mri_lines(MARIA)))
    imap_server.deliver(efax(("fax.tif", tiff, "image/tiff"), subject="TIFF fax"))
    [arrival] = mail.poll(front_desk, mailbox, PASSWORD)
    assert arrival.outcome == "new"
    assert listing.unfiled(front_desk)[0].file_name == "fax.tif"


def test_the_same_fax_from_the_folder_and_the_mailbox_is_one_document(
    front_desk: ServiceContext, imap_server: ImapServer, mailbox: Mailbox, tmp_path: Path
) -> None:
    pdf = text_pdf(mri_lines(MARIA))
    folder = tmp_path / "faxes"
    folder.mkdir()
    (folder / "fax-0001.pdf").write_bytes(pdf)
    watch = FolderWatch(folder)
    folders.sweep(front_desk, watch)
    assert [a.outcome for a in folders.sweep(front_desk, watch)] == ["new"]
    imap_server.deliver(efax(("fax.pdf", pdf, "application/pdf"), subject="Same fax"))
    [arrival] = mail.poll(front_desk, mailbox, PASSWORD)
    assert arrival.outcome == "again" and "came before" in arrival.message
    [row] = listing.unfiled(front_desk)
    assert row.arrivals == 2


def test_read_messages_can_be_moved_to_a_folder(
    front_desk: ServiceContext, imap_server: ImapServer, mailbox: Mailbox
) -> None:
    client = imap_server.client()
    client.create("Filed")  # an existing folder answers NO: fine
    client.logout()
    imap_server.deliver(efax(("fax.pdf", text_pdf(["x" * 30]), "application/pdf"), subject="M"))
    mail.poll(front_desk, dataclasses.replace(mailbox, done_folder="Filed"), PASSWORD)
    client = imap_server.client()
    try:
        assert client.select("INBOX")[1] == [b"0"]
        assert client.select("Filed")[1] != [b"0"]
    finally:
        client.logout()


def test_a_wrong_password_and_an_untrusted_server_are_refused_with_the_reason(
    front_desk: ServiceContext, mailbox: Mailbox, imap_server: ImapServer
) -> None:
    with pytest.raises(MailboxError, match="refused the user name or password"):
        mail.poll(front_desk, mailbox, "wrong")
    with pytest.raises(MailboxError, match="did not prove who it is"):
        mail.poll(front_desk, dataclasses.replace(mailbox, ca_file=""), PASSWORD)


def test_an_unreachable_server_says_so(front_desk: ServiceContext, mailbox: Mailbox) -> None:
    closed = dataclasses.replace(mailbox, port=1)
    with pytest.raises(MailboxError, match="cannot be reached"):
        mail.poll(front_desk, closed, PASSWORD)


def test_the_password_is_kept_in_the_keyring(mailbox: Mailbox) -> None:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        assert mail.remember_password(mailbox, "s3cret")
        assert mail.stored_password(mailbox) == "s3cret"
        assert list(backend.secrets.values()) == ["s3cret"]
        keyring.set_keyring(fail.Keyring())
        assert not mail.remember_password(mailbox, "s3cret")
        assert mail.stored_password(mailbox) is None
    finally:
        keyring.set_keyring(previous)
