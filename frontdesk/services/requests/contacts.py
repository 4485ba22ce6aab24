"""Attempts to reach the person a request is about, logged one by one."""

from __future__ import annotations

from frontdesk.db.models_requests import (
    RequestContactAttempt,
)
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import clean_text
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_states import (
    ContactKind,
)
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests._rows import _detail, _get
from frontdesk.services.requests.data import RequestDetail


def log_contact(
    context: ServiceContext, request_id: int, kind: ContactKind | str, note: str = ""
) -> RequestDetail:
    """Log one attempt to reach the person; the detail says when to suggest closing."""
    what = ContactKind(kind)
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        request = _get(uow.session, request_id)
        attempt = RequestContactAttempt(
            request_id=request.id,
            patient_id=request.patient_id,
            kind=what.value,
            at=utcnow(),
            by=uow.actor.username,
            note=clean_text(note),
        )
        uow.stamp(attempt, new=True)
        uow.session.add(attempt)
        uow.session.flush()
        detail = _detail(uow.session, request)
        uow.commit()
        return detail
