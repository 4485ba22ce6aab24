"""A referral for a new consultation: the intake form opened filled in from the letter; when
the receptionist saves it, the referral is filed as the new request's referral letter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from PySide6.QtWidgets import QWidget

from frontdesk.domain.contact import format_phone
from frontdesk.domain.document_reading import DocumentKind
from frontdesk.domain.request_states import Channel
from frontdesk.services.inbox import filing
from frontdesk.services.inbox.data import InboxRow, Suggestions
from frontdesk.services.requests.data import RequestData
from frontdesk.ui.requests.intake import TITLE as INTAKE_TITLE
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.screen_context import ScreenContext


def fill_from_referral(dialog: IntakeDialog, suggestions: Suggestions) -> None:
    """What the letter says goes into the form; the receptionist checks and completes it."""
    draft = suggestions.intake
    dialog.last_name.setText(draft.get("last_name", ""))
    dialog.first_name.setText(draft.get("first_name", ""))
    if draft.get("date_of_birth"):
        dialog.date_of_birth.setText(f"{date.fromisoformat(draft['date_of_birth']):%m/%d/%Y}")
    if draft.get("phone"):
        dialog.phone.setText(format_phone(draft["phone"]))
    if draft.get("reason"):
        dialog.reason.setPlainText(draft["reason"])
    dialog.channel.setCurrentIndex(max(0, dialog.channel.findData(Channel.REFERRAL_FAX.value)))
    referrer = suggestions.referrer
    if referrer is not None and referrer.referrer_id is not None:
        dialog.referrer.set_referrer(referrer.referrer_id, referrer.name)
    elif referrer is not None and referrer.read_name:
        # Not in the directory (or another doctor of that name is): never a guess, but the
        # name read stands there and Add… starts from it and the NPI on the letter.
        *first, last = referrer.read_name.split()
        dialog.referrer.offer_unlisted(" ".join(first), last, referrer.npi)


def open_intake_from_referral(
    parent: QWidget,
    screen: ScreenContext,
    row: InboxRow,
    suggestions: Suggestions,
    on_filed: Callable[[filing.Filed], None],
    on_failed: Callable[[str], None],
) -> IntakeDialog:
    """Open the filled-in intake; once saved, file the referral to the new request."""
    dialog = IntakeDialog(screen, parent)
    dialog.set_title(f"{INTAKE_TITLE} from a referral")
    fill_from_referral(dialog, suggestions)

    def file_referral(data: RequestData) -> None:
        call = partial(
            filing.file_to_request,
            screen.services,
            row.id,
            data.id,
            as_kind=DocumentKind.REFERRAL,
            expected_version=row.version,
        )
        screen.runner.run(
            call,
            on_filed,
            lambda message: on_failed(
                f"Request {data.id} was saved, but the referral stayed in the inbox: {message}"
            ),
        )

    dialog.saved.connect(file_referral)
    dialog.open()
    return dialog
