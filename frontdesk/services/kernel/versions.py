"""The optimistic version check on save: a save made over someone else's newer one is refused."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy.orm import object_session

from frontdesk.domain.errors import ConflictError
from frontdesk.services.kernel.clock import STAMP, clock_text, zone_of


def check_version(record: object, expected_version: int | None, what: str) -> None:
    """Refuse a save made over someone else's newer save, naming who and when."""
    version = record.version
    if expected_version is not None and version != expected_version:
        # The record is read in the save's own session; its practice's clock names the time.
        session = object_session(record)
        zone = zone_of(session) if session is not None else UTC
        when = clock_text(record.updated_at, zone, STAMP)
        raise ConflictError(
            f"{record.updated_by or 'Someone'} changed this {what} at {when}, after "
            "you opened it. Review their version and apply your changes again."
        )
