"""The e-fax mailbox: attachments of unread messages, taken into the inbox over IMAP with TLS.

E-fax services mail each fax as a PDF or TIFF attachment. Every PDF, TIFF, PNG or JPEG
attachment of an unread message is received (its source key is the message and the
attachment, so two workstations polling at once take it once); only after every
attachment of a message is committed is the message marked read, or moved to the folder the
practice names. The mailbox password lives in the operating system's keyring, as the
server password does; it is never stored in the database or a file.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import logging
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from frontdesk.domain.errors import FrontDeskError, ValidationError
from frontdesk.services.inbox.arrivals import receive
from frontdesk.services.inbox.data import Arrival
from frontdesk.services.kernel.context import ServiceContext

log = logging.getLogger(__name__)

KEYRING_SERVICE = "Front Desk inbox mailbox"
TIMEOUT_S = 30
# Attachments the inbox takes, by MIME type or, for "application/octet-stream", by name.
TAKEN_TYPES = {"application/pdf", "image/tiff", "image/png", "image/jpeg"}
TAKEN_SUFFIXES = (".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg")
MAX_MESSAGES = 200


class MailboxError(FrontDeskError):
    """The mailbox cannot be read (unreachable, refused the password, no TLS)."""


@dataclass(frozen=True)
class Mailbox:
    host: str
    user: str
    port: int = 993
    folder: str = "INBOX"
    # Where read messages go ("" = they stay, marked read).
    done_folder: str = ""
    # A private certificate authority (a practice's own mail server); "" = the system's.
    ca_file: str = ""

    @property
    def keyring_name(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"

    def validated(self) -> Mailbox:
        errors = {}
        if not self.host.strip():
            errors["host"] = "enter the mail server's name, e.g. imap.efax-provider.com"
        if not self.user.strip():
            errors["user"] = "enter the mailbox's user name"
        if not 1 <= self.port <= 65535:
            errors["port"] = "a port is a number from 1 to 65535 (IMAP over TLS: 993)"
        if self.ca_file and not Path(self.ca_file).is_file():
            errors["ca_file"] = "that certificate file does not exist"
        if errors:
            raise ValidationError(errors)
        return self


def remember_password(mailbox: Mailbox, password: str) -> bool:
    """Keep the mailbox password in the keyring; False when this computer has none."""
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, mailbox.keyring_name, password)
        return True
    except Exception as error:  # no usable keyring: the password is asked each time
        log.warning("keyring refused the mailbox password: %s", type(error).__name__)
        return False


def stored_password(mailbox: Mailbox) -> str | None:
    try:
        import keyring

        value = keyring.get_password(KEYRING_SERVICE, mailbox.keyring_name)
    except Exception as error:
        log.warning("keyring could not be read: %s", type(error).__name__)
        return None
    return value if isinstance(value, str) else None


def _connect(mailbox: Mailbox, password: str) -> imaplib.IMAP4_SSL:
    context = ssl.create_default_context(cafile=mailbox.ca_file or None)
    try:
        client = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=context, timeout=TIMEOUT_S
        )
    except ssl.SSLError as error:
        raise MailboxError(
            f"The mail server {mailbox.host} did not prove who it is over TLS ({error.reason}); "
            "nothing was read"
        ) from None
    except (TimeoutError, OSError) as error:
        raise MailboxError(
            f"The mail server {mailbox.host}:{mailbox.port} cannot be reached "
            f"({error.strerror or error}); nothing was read"
        ) from None
    try:
        client.login(mailbox.user, password)
    except imaplib.IMAP4.error:
        with contextlib.suppress(Exception):
            client.logout()
        raise MailboxError(
            f"The mail server refused the user name or password for {mailbox.user}"
        ) from None
    return client


def _attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for part in message.iter_attachments():
        name = part.get_filename() or ""
        kind = part.get_content_type()
        if kind in TAKEN_TYPES or name.lower().endswith(TAKEN_SUFFIXES):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                found.append((name or f"fax.{kind.split('/')[-1]}", payload))
    return found


def _origin(message: EmailMessage) -> str:
    sender = str(message.get("From", ""))[:150]
    subject = str(message.get("Subject", ""))[:150]
    return f"e-mail from {sender}: {subject}".strip()


def poll(context: ServiceContext, mailbox: Mailbox, password: str) -> list[Arrival]:
    """Take the attachments of the unread messages; mark each message read (or move it) once
    all its attachments are in the database. A message whose attachments were refused is
    still marked read: the refusal is in the result (and the inbox says why)."""
    mailbox = mailbox.validated()
    client = _connect(mailbox, password)
    results: list[Arrival] = []
    try:
        status, _ = client.select(_quoted(mailbox.folder))
        if status != "OK":
            raise MailboxError(f"The mailbox has no folder {mailbox.folder!r}")
        _, data = client.uid("SEARCH", None, "UNSEEN")
        validity = _uid_validity(client)
        for uid in (data[0] or b"").split()[:MAX_MESSAGES]:
            _, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(
                (item[1] for item in fetched if isinstance(item, tuple) and len(item) > 1), None
            )
            if not isinstance(raw, bytes):
                continue
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            message_id = str(message.get("Message-ID", "")).strip() or f"uid {validity}/{uid!r}"
            for index, (name, payload) in enumerate(_attachments(message)):
                results.append(
                    receive(
                        context,
                        payload,
                        name,
                        source="email",
                        origin=_origin(message),
                        source_key=f"email:{mailbox.keyring_name}|{message_id}|{index}|{name}",
                    )
                )
            _done(client, uid, mailbox)
        if mailbox.done_folder:
            client.expunge()
    except (imaplib.IMAP4.error, OSError) as error:
        raise MailboxError(f"The mail server stopped answering: {error}") from None
    finally:
        with contextlib.suppress(Exception):
            client.logout()
    return results


def _done(client: imaplib.IMAP4_SSL, uid: bytes, mailbox: Mailbox) -> None:
    if mailbox.done_folder:
        status, _ = client.uid("COPY", uid, _quoted(mailbox.done_folder))
        if status == "OK":
            client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen \Deleted)")
            return
        log.warning("could not move a message to the done folder; marking it read")
    client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")


def _uid_validity(client: imaplib.IMAP4_SSL) -> str:
    _, data = client.response("UIDVALIDITY")
    return (data[0] or b"").decode("ascii", "replace") if data and data[0] else ""


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
