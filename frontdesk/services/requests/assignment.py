"""Who works a request and when to look at it again: its assignee and follow-up date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from frontdesk.db.models import User
from frontdesk.db.models_requests import (
    ConsultationRequest,
)
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork
from frontdesk.services.kernel.versions import check_version
from frontdesk.services.requests._rows import _data, _get
from frontdesk.services.requests.data import RequestData, StaffMember


def _changed(uow: UnitOfWork, row: ConsultationRequest, expected_version: int | None) -> None:
    check_version(row, expected_version, "request")
    uow.stamp(row, new=False)


def assign(
    context: ServiceContext,
    request_id: int,
    user_id: int | None,
    *,
    expected_version: int | None = None,
) -> RequestData:
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        row = _get(uow.session, request_id, for_update=True)
        if user_id is not None and uow.session.get(User, user_id) is None:
            raise ValidationError({"assignee_id": "pick a staff member"})
        row.assignee_id = user_id
        _changed(uow, row, expected_version)
        uow.session.flush()
        data = _data(uow.session, row)
        uow.commit()
        return data


def set_follow_up(
    context: ServiceContext,
    request_id: int,
    day: date | None,
    *,
    expected_version: int | None = None,
) -> RequestData:
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        row = _get(uow.session, request_id, for_update=True)
        row.follow_up_on = day
        _changed(uow, row, expected_version)
        uow.session.flush()
        data = _data(uow.session, row)
        uow.commit()
        return data


def staff_members(context: ServiceContext) -> list[StaffMember]:
    """Active users a request can be assigned to."""
    with context.reading(Permission.VIEW_PATIENTS) as session:
        rows = session.execute(
            select(User.id, User.display_name, User.username)
            .where(User.active.is_(True))
            .order_by(User.display_name, User.username)
        )
        return [StaffMember(row.id, row.display_name or row.username) for row in rows]
