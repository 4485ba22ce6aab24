"""Riding out a server outage: the banner, the app-wide "saving allowed" gate, the retries.

A service call that fails with DatabaseUnavailableError (the Runner announces it on
``RUNNER_EVENTS.database_unavailable``) makes the monitor ping the database at once; if
that fails too, an outage starts: a banner across the top of the
main window says the connection is lost and when the next try is, saving is paused
app-wide (forms keep everything typed; their Save buttons follow ``saving_gate()``), and a
cheap ping runs on the Runner with backoff (0.5 s doubling to 30 s). The first ping that
answers ends the outage: the banner goes and saving is allowed again. No ping runs while
all is well: the calls the screens make anyway are the probe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMainWindow, QPushButton, QVBoxLayout, QWidget

from frontdesk.ui.runner import RUNNER_EVENTS, Runner

if TYPE_CHECKING:
    from frontdesk.services.kernel.context import ServiceContext
    from frontdesk.ui.screen_context import ScreenContext
import contextlib

from frontdesk.ui.widgets.form import Banner

log = logging.getLogger(__name__)

FIRST_RETRY_S = 0.5
LONGEST_RETRY_S = 30.0
PAUSED_REASON = (
    "Saving is paused: the connection to the practice server was lost. What you typed stays "
    "here; Save comes back by itself once the server answers."
)


class SavingGate(QObject):
    """Whether saving is allowed right now, app-wide; ``changed(bool)`` when that flips."""

    changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.allowed = True
        self.reason = ""

    def set_allowed(self, allowed: bool, reason: str = "") -> None:
        self.reason = "" if allowed else reason
        if allowed != self.allowed:
            self.allowed = allowed
            self.changed.emit(allowed)


_GATE = SavingGate()


def saving_gate() -> SavingGate:
    return _GATE


def saving_allowed() -> bool:
    return _GATE.allowed


def follow_saving_gate(
    button: QPushButton, busy: object = None, ready: Callable[[], bool] | None = None
) -> None:
    """Keep a form's Save button disabled (with the reason as its tooltip) while paused.

    ``busy``: a callable saying the form is mid-save (its own code re-enables the button).
    ``ready``: for a button that has its own reason to be off (nothing selected, nothing
    typed), whether it would be enabled were saving allowed.
    """
    tooltip = button.toolTip()

    def update(allowed: bool) -> None:
        paused = f"{PAUSED_REASON} ({tooltip})" if tooltip else PAUSED_REASON
        button.setToolTip(tooltip if allowed else paused)
        if not (callable(busy) and busy()):  # mid-save: the form re-enables it when done
            button.setEnabled(allowed and (ready is None or ready()))

    watch_saving_gate(button, update)
    update(_GATE.allowed)


def watch_saving_gate(owner: QObject, slot: Callable[[bool], None]) -> None:
    """Call ``slot(allowed)`` each time saving is paused or allowed again, while ``owner``
    lives (a form whose actions have several reasons to be off recomputes them)."""
    _GATE.changed.connect(slot)
    owner.destroyed.connect(lambda: _disconnect(slot))


def refused_while_paused(show: Banner | Callable[[str], None]) -> bool:
    """The first line of a form's save: while saving is paused, say so and return True.

    Enter reaches a form's save even while its button is disabled; nothing typed is
    touched, the form simply does not save.
    """
    if _GATE.allowed:
        return False
    message = f"Not saved. {PAUSED_REASON}"
    if isinstance(show, Banner):
        show.show_message("error", message)
    else:
        show(message)
    return True


def _disconnect(slot: object) -> None:
    with contextlib.suppress(RuntimeError, TypeError):
        _GATE.changed.disconnect(slot)


class ConnectionMonitor(QObject):
    """Watches for a lost database, shows the banner, retries with backoff until it answers."""

    outage_changed = Signal(bool)  # True: lost; False: back

    def __init__(
        self,
        services: ServiceContext,
        runner: Runner,
        banner: Banner,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.banner = banner
        self.in_outage = False
        self.delay_s = FIRST_RETRY_S
        self.next_retry: datetime | None = None
        self.pinging = False
        self.last_problem = ""
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.ping)
        self.active = True
        RUNNER_EVENTS.database_unavailable.connect(self.lost)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and isinstance(watched, QWidget):
            # A closed window neither watches nor pings; but the window may still refuse to
            # close (a form asks first), so look once the close has been decided.
            QTimer.singleShot(0, lambda: None if watched.isVisible() else self.stop())
        return False

    def lost(self, message: str) -> None:
        """A call could not reach a database: ping ours at once; the outage starts if that
        fails too (a copy's unreachable target or a bad backup file is not an outage)."""
        self.last_problem = message
        if self.in_outage or not self.active:
            return
        self.ping()

    def _start_outage(self) -> None:
        log.warning("the practice database stopped answering; retrying")
        self.in_outage = True
        self.delay_s = FIRST_RETRY_S
        _GATE.set_allowed(False, PAUSED_REASON)
        self.outage_changed.emit(True)
        self._schedule()

    def _schedule(self) -> None:
        self.next_retry = datetime.now() + timedelta(seconds=self.delay_s)
        self.timer.start(int(self.delay_s * 1000))
        self._show()

    def _show(self) -> None:
        when = self.next_retry.strftime("%H:%M:%S") if self.next_retry else "now"
        self.banner.show_message(
            "error",
            "Connection to the practice server lost — retrying (next try at "
            f"{when}). Saving is paused; everything typed stays in its form.",
            ("Retry now", self.retry_now),
        )
        self.banner.setAccessibleName("Connection to the practice server lost")

    def retry_now(self) -> None:
        if self.in_outage and not self.pinging:
            self.timer.stop()
            self.ping()

    def ping(self) -> None:
        if self.pinging:
            return
        self.pinging = True
        # Imported here: every form imports this module, the sign-in before the database
        # layer is loaded.
        from frontdesk.services.platform import reachability

        self.runner.run(partial(reachability.ping, self.services), self._back, self._still_down)

    def _still_down(self, message: str) -> None:
        self.pinging = False
        if not self.active:
            return
        self.last_problem = message
        if not self.in_outage:  # the suspicion is confirmed
            self._start_outage()
            return
        self.delay_s = min(self.delay_s * 2, LONGEST_RETRY_S)
        self._schedule()

    def _back(self, _result: object) -> None:
        self.pinging = False
        if not self.in_outage:
            return
        log.info("the practice database answers again")
        self.in_outage = False
        self.next_retry = None
        self.timer.stop()
        self.banner.clear()
        _GATE.set_allowed(True)
        self.outage_changed.emit(False)

    def stop(self) -> None:
        if not self.active:
            return
        self.active = False
        self.timer.stop()
        _disconnect_runner(self.lost)


def _disconnect_runner(slot: object) -> None:
    with contextlib.suppress(RuntimeError, TypeError):
        RUNNER_EVENTS.database_unavailable.disconnect(slot)


def attach_connection_monitor(window: QMainWindow, screen: ScreenContext) -> ConnectionMonitor:
    """Put the outage banner across the top of ``window`` and start watching.

    The window's central widget moves under the banner unchanged, so the areas, their open
    forms and everything typed in them are the same widgets before, during and after.
    """
    banner = Banner()
    central = window.takeCentralWidget()
    container = QWidget()
    column = QVBoxLayout(container)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    column.addWidget(banner)
    if central is not None:
        column.addWidget(central, 1)
    window.setCentralWidget(container)
    monitor = ConnectionMonitor(screen.services, screen.runner, banner, window)
    window.installEventFilter(monitor)
    if not _GATE.allowed:  # a window opened during an outage (a user switch) says so too
        monitor.lost(monitor.last_problem)
    banner.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
    return monitor
