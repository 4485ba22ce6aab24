"""Who is acting: every service call runs on behalf of one actor."""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass

from frontdesk.domain.permissions import Permission, Role, role_allows


@dataclass(frozen=True)
class Actor:
    username: str
    role: Role
    user_id: int | None = None
    workstation: str = ""
    display_name: str = ""

    def can(self, permission: Permission) -> bool:
        return role_allows(self.role, permission)

    @property
    def label(self) -> str:
        return self.display_name or self.username


def workstation_name() -> str:
    return socket.gethostname() or "unknown"


def operating_system_actor(role: Role = Role.ADMIN) -> Actor:
    """The person logged in to this computer, used where no Front Desk sign-in applies."""
    try:
        name = getpass.getuser()
    except Exception:  # no login name in some service environments
        name = "unknown"
    return Actor(
        username=f"os:{name}",
        role=role,
        workstation=workstation_name(),
        display_name=f"{name} (computer login)",
    )
