"""Provider and location names as the schedule shows them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import Location, Provider


def provider_label(row: Provider) -> str:
    name = f"{row.first_name} {row.last_name}".strip()
    return f"{name}, {row.credentials}" if row.credentials else name


def provider_names(session: Session) -> dict[int, str]:
    return {row.id: provider_label(row) for row in session.scalars(select(Provider))}


def location_names(session: Session) -> dict[int, str]:
    return {row.id: row.name for row in session.scalars(select(Location))}
