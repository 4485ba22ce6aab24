"""The optimistic version check on save: a save made over someone else's newer one is refused."""

from __future__ import annotations

from frontdesk.domain.errors import ConflictError


def check_version(record: object, expected_version: int | None, what: str) -> None:
    """Refuse a save made over someone else's newer save, naming who and when."""
    version = record.version
    if expected_version is not None and version != expected_version:
        when = record.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
        raise ConflictError(
            f"{record.updated_by or 'Someone'} changed this {what} at {when}, after "
            "you opened it. Review their version and apply your changes again."
        )
