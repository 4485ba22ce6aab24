"""What every screen is built with: the services, the runner and the change broadcast."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from frontdesk.domain.actor import Actor
from frontdesk.ui.runner import Runner

if TYPE_CHECKING:
    # Only a type here: the sign-in screen is built before the database layer is loaded.
    from frontdesk.services.kernel.context import ServiceContext


@dataclass
class ScreenContext:
    """What every screen needs: the service context (database + acting user), the runner
    for service calls, and the change hub whose ``changed(frozenset[str])`` signal says which
    tables changed (``None`` where no hub runs)."""

    services: ServiceContext
    runner: Runner
    changes: QObject | None = None
    # The demo practice (its own file of invented people): the window says DEMO throughout.
    demo: bool = False

    @property
    def database_label(self) -> str:
        return self.services.database.describe()

    @property
    def user_label(self) -> str:
        return self.services.actor.label

    def for_actor(self, actor: Actor) -> ScreenContext:
        """The same database, runner and change hub, acting as ``actor`` (after a sign-in).

        The one place the acting user changes: screens built with the returned context
        make every service call as that user.
        """
        return replace(self, services=self.services.as_actor(actor))


class ChangeRelay(QObject):
    """Stands in for the change hub from the first moment, so screens can connect at once
    while the hub itself (and the watcher of other workstations) starts after the window
    shows: cold start does not wait for it."""

    changed = Signal(object)
