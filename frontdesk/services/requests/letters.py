"""The records-request letter: who it can go to, and printing it (audited)."""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.db.models_patients import Referrer
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import RefusedError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests._rows import _detail, _get, _item
from frontdesk.services.requests.data import LetterResult, RequestDetail


def letter_addressees(detail: RequestDetail) -> list[str]:
    """Who a records letter can go to: the facilities named on missing items, then the
    referring office."""
    names = [item.source for item in detail.missing if item.source]
    if detail.request.referrer_name:
        names.append(detail.request.referrer_name)
    return list(dict.fromkeys(names))


def records_request_letter(
    context: ServiceContext,
    request_id: int,
    *,
    addressee: str | None = None,
    item_ids: Sequence[int] | None = None,
    mark_requested: bool = True,
) -> LetterResult:
    """The letter asking ``addressee`` for the missing records (those it holds when items name
    it, else every missing one); printing it is audited and marks the items requested today."""
    from frontdesk.db.models import PracticeProfile
    from frontdesk.documents.letterhead import PracticeDetails
    from frontdesk.documents.records_request_letter import RecordsLetter, render

    with context.writing(Permission.EDIT_REQUESTS) as uow:
        session = uow.session
        row = _get(session, request_id)
        detail = _detail(session, row)
        choices = letter_addressees(detail)
        to = clean_text(addressee or (choices[0] if choices else ""))
        if not to:
            raise ValidationError({"addressee": "say who the letter is for"})
        missing = [item for item in detail.missing if item_ids is None or item.id in item_ids]
        held_there = [item for item in missing if item.source == to]
        chosen = held_there or [item for item in missing if not item.source or item_ids]
        if not chosen:
            raise RefusedError(
                "Every record on the checklist has been received: nothing to ask for"
            )
        referrer = session.get(Referrer, row.referrer_id) if row.referrer_id else None
        to_referrer = referrer is not None and to == detail.request.referrer_name
        profile = session.get(PracticeProfile, 1)
        practice = (
            PracticeDetails.from_profile(profile)
            if profile is not None
            else PracticeDetails(name="Front Desk")
        )
        today = practice_today(session)
        letter = RecordsLetter(
            addressee=to,
            addressee_address=referrer.address if to_referrer and referrer else "",
            addressee_fax=referrer.fax if to_referrer and referrer else "",
            patient_name=f"{detail.request.patient_name}",
            date_of_birth=detail.request.date_of_birth,
            mrn=detail.request.mrn,
            needed=[item.label for item in chosen],
            today=today,
            signed_by=uow.actor.display_name or uow.actor.username,
            request_id=row.id,
        )
        pdf = render(letter, practice)
        if mark_requested:
            for item in chosen:
                stored = _item(session, item.id)
                if stored.requested_on is None:
                    stored.requested_on = today
                    stored.requested_by = uow.actor.username
                    uow.stamp(stored, new=False)
        uow.record(
            "print",
            "records_request_letter",
            row.id,
            patient_id=row.patient_id,
            details={"items": [item.id for item in chosen]},
        )
        uow.commit()
    return LetterResult(pdf, to, tuple(item.label for item in chosen))
