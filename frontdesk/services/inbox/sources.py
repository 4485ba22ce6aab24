"""Where documents come from, as the practice set them up (Admin → Inbox): the watched
folders and the e-fax mailbox, and one pass over all of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from frontdesk.domain.permissions import Permission
from frontdesk.services.inbox import folders, mailbox
from frontdesk.services.inbox.data import Arrival
from frontdesk.services.inbox.folders import FolderUnavailable, FolderWatch
from frontdesk.services.inbox.mailbox import Mailbox, MailboxError
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.settings import (
    INBOX_FOLDERS,
    INBOX_MAIL_DONE_FOLDER,
    INBOX_MAIL_FOLDER,
    INBOX_MAIL_HOST,
    INBOX_MAIL_PORT,
    INBOX_MAIL_USER,
    read_setting,
)


@dataclass(frozen=True)
class Sources:
    folders: tuple[Path, ...]
    mailbox: Mailbox | None


@dataclass
class FetchReport:
    arrivals: list[Arrival] = field(default_factory=list)
    # One sentence per source that could not be read (the others were still read).
    problems: list[str] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(1 for arrival in self.arrivals if arrival.outcome == "new")

    @property
    def refused(self) -> list[Arrival]:
        return [arrival for arrival in self.arrivals if arrival.refused]


def configured(context: ServiceContext) -> Sources:
    with context.reading(Permission.VIEW_PATIENTS) as session:
        lines = read_setting(session, INBOX_FOLDERS).splitlines()
        host = read_setting(session, INBOX_MAIL_HOST)
        box = (
            Mailbox(
                host=host,
                user=read_setting(session, INBOX_MAIL_USER),
                port=read_setting(session, INBOX_MAIL_PORT),
                folder=read_setting(session, INBOX_MAIL_FOLDER),
                done_folder=read_setting(session, INBOX_MAIL_DONE_FOLDER),
            )
            if host
            else None
        )
    paths = tuple(dict.fromkeys(Path(line.strip()) for line in lines if line.strip()))
    return Sources(paths, box)


def fetch(
    context: ServiceContext,
    watches: dict[Path, FolderWatch],
    box: Mailbox | None,
    password: str | None,
) -> FetchReport:
    """One pass: every watched folder, then the mailbox (when it has a password)."""
    report = FetchReport()
    for watch in watches.values():
        try:
            report.arrivals.extend(folders.sweep(context, watch))
        except FolderUnavailable as error:
            report.problems.append(str(error))
    if box is not None:
        if password is None:
            report.problems.append(
                f"The mailbox {box.user}@{box.host} has no password on this computer: "
                "enter it in Admin → Inbox"
            )
        else:
            try:
                report.arrivals.extend(mailbox.poll(context, box, password))
            except MailboxError as error:
                report.problems.append(str(error))
    return report
