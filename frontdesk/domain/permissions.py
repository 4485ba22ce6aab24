"""Roles and what each may do; the service layer checks these on every action."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    FRONT_DESK = "front_desk"
    CLINICAL = "clinical"

    @property
    def label(self) -> str:
        return {"admin": "Admin", "front_desk": "Front desk", "clinical": "Clinical staff"}[self]


class Permission(StrEnum):
    VIEW_PRACTICE = "view_practice"
    EDIT_PRACTICE = "edit_practice"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"
    MERGE_PATIENTS = "merge_patients"
    VIEW_PATIENTS = "view_patients"
    EDIT_PATIENTS = "edit_patients"
    IMPORT_EXPORT = "import_export"
    EDIT_REQUESTS = "edit_requests"
    SCHEDULE = "schedule"
    EDIT_HISTORY_BASIC = "edit_history_basic"
    EDIT_HISTORY_FULL = "edit_history_full"
    PRINT_HANDOUTS = "print_handouts"
    BACKUP = "backup"


_FRONT_DESK = frozenset(
    {
        Permission.VIEW_PRACTICE,
        Permission.VIEW_PATIENTS,
        Permission.EDIT_PATIENTS,
        Permission.EDIT_REQUESTS,
        Permission.SCHEDULE,
        Permission.EDIT_HISTORY_BASIC,
        Permission.PRINT_HANDOUTS,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # In a small practice the office manager is the admin and also works the desk.
    Role.ADMIN: frozenset(Permission),
    Role.FRONT_DESK: _FRONT_DESK,
    Role.CLINICAL: _FRONT_DESK | {Permission.EDIT_HISTORY_FULL},
}


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
