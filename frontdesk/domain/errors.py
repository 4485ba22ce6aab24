"""Error types that carry a message meant for the person at the desk."""

from __future__ import annotations

from collections.abc import Mapping


class FrontDeskError(Exception):
    """Base class: ``str(error)`` is a calm, user-facing sentence."""

    exit_code = 2


class ValidationError(FrontDeskError):
    """Bad input. ``fields`` maps a field name to the message shown next to that field."""

    exit_code = 2

    def __init__(self, fields: Mapping[str, str] | str, message: str | None = None) -> None:
        if isinstance(fields, str):
            fields = {"": fields}
        self.fields: dict[str, str] = dict(fields)
        if message is None:
            message = "; ".join(
                f"{name.replace('_', ' ')}: {text}" if name else text
                for name, text in self.fields.items()
            )
        super().__init__(message)


class RefusedError(FrontDeskError):
    """The request was understood but refused (a conflict, a rule, a permission)."""

    exit_code = 1


class PermissionDeniedError(RefusedError):
    pass


class AccessChangedError(PermissionDeniedError):
    """The database refused the signed-in person because an admin changed their account
    (deactivated it, or gave it another role) while they were signed in: they must sign in
    again, and the screens lock."""


ACCESS_CHANGED_MESSAGE = (
    "An admin has changed your account (deactivated it or changed its role), so the database "
    "no longer lets you do this and nothing was saved. Front Desk is locked: sign in again"
)


class ConflictError(RefusedError):
    """Someone else saved a newer version of the record first."""


class NotFoundError(RefusedError):
    pass


class SlotTakenError(ConflictError):
    """The database refused an appointment over another one of the same provider."""


class BusyError(FrontDeskError):
    """Another workstation held the database at that moment; trying again may succeed."""

    exit_code = 1


class DatabaseUnavailableError(FrontDeskError):
    """The database cannot be reached or opened; nothing was changed."""

    exit_code = 2


class SaveOutcomeUnknownError(DatabaseUnavailableError):
    """The connection dropped while a save was being committed and the server could not be
    asked since: it may or may not have been saved. Never repeated automatically."""


class SavedAfterAll(FrontDeskError):
    """The connection dropped just as a save finished, and a check once it was back found the
    save in the database: it is done. ``result`` is what the action returns on success, where
    the action could keep it (None otherwise)."""

    exit_code = 0

    def __init__(self, message: str, result: object = None) -> None:
        super().__init__(message)
        self.result = result


class SchemaMismatchError(FrontDeskError):
    """The database schema is older or newer than this version of the app."""

    exit_code = 2
