"""The practice's providers: listed, added and corrected (Admin)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import Provider
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.forms import ProviderData, ProviderForm
from frontdesk.services.practice.rows import (
    _add_provider,
    _get,
    _provider_data,
    _save_over,
    _validated_provider,
)


def list_providers(
    context: ServiceContext, *, include_inactive: bool = False
) -> list[ProviderData]:
    with context.reading(Permission.VIEW_PRACTICE) as session:
        query = select(Provider).order_by(Provider.last_name, Provider.first_name)
        if not include_inactive:
            query = query.where(Provider.active.is_(True))
        return [_provider_data(row) for row in session.scalars(query)]


def provider_labels(session: Session) -> dict[int, str]:
    """Each provider's name as documents print it ("Ana Lindqvist, MD"), former ones too:
    for reading old records (the access report's appointment changes) in a caller's session."""
    return {row.id: _provider_data(row).display_name for row in session.scalars(select(Provider))}


def save_provider(
    context: ServiceContext,
    form: ProviderForm,
    provider_id: int | None = None,
    expected_version: int | None = None,
) -> ProviderData:
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        if provider_id is None:
            row = _add_provider(uow, form)
        else:
            row = _get(uow.session, Provider, provider_id, "provider")
            _save_over(uow, row, _validated_provider(form), expected_version, "provider")
        uow.commit()
        return _provider_data(row)
