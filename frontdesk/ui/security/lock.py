"""The workstation lock: after inactivity (or Ctrl+L) every window's content is hidden
until the same user signs in again, or another user signs in and starts a fresh session.

Nothing is closed by a lock: forms, dialogs and chart windows are hidden and come back as
they were. Another user signing in is asked first when the previous user left unsaved edits.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from functools import partial

import shiboken6
from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLineEdit,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.actor import Actor
from frontdesk.services.kernel.changes import touches
from frontdesk.services.practice import settings
from frontdesk.services.practice.settings import AUTO_LOCK_MINUTES
from frontdesk.ui import APP_TITLE
from frontdesk.ui.main_window import MainWindow
from frontdesk.ui.runner import RUNNER_EVENTS
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.security.sign_in import SignInForm
from frontdesk.ui.widgets.form import plain_label
from frontdesk.ui.widgets.saving_form import SavingForm

log = logging.getLogger(__name__)

# What counts as someone at the keyboard. Paints, timers and network replies do not.
ACTIVITY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
    }
)
TRANSIENT_WINDOWS = frozenset(
    {Qt.WindowType.Popup, Qt.WindowType.ToolTip, Qt.WindowType.SplashScreen}
)
SETTINGS_TABLES = frozenset({"settings"})
LOCK_KEYS = QKeyCombination(Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_L)

OpenWindow = Callable[[ScreenContext], MainWindow]


def _alive(widget: QObject | None) -> bool:
    return widget is not None and shiboken6.isValid(widget)


def _depth(widget: QWidget) -> int:
    depth, parent = 0, widget.parentWidget()
    while parent is not None:
        depth, parent = depth + 1, parent.parentWidget()
    return depth


class LockScreen(QWidget):
    """What the main window shows while locked: who was signed in, and a sign-in form."""

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Locked")
        self.title = plain_label(f"{APP_TITLE} is locked", "pageTitle", wrap=True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text = plain_label("", wrap=True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.text.setAccessibleName("Who was signed in")
        self.form = SignInForm(screen, "Unlock")
        self.form.message_shown.connect(lambda _message: self.fit_panel())
        self.other_user_hint = plain_label(
            "Someone else? Type your own user name and password. The work left open here is "
            "kept until you decide what happens to it.",
            "hint",
            wrap=True,
        )
        panel = QFrame()
        self.panel = panel
        panel.setObjectName("lockPanel")
        panel.setStyleSheet(
            "QFrame#lockPanel { background: white; border: 1px solid #d0d7de; border-radius: 6px; }"
        )
        # A fixed width lets the wrapped lines work out their height: nothing is squeezed.
        panel.setFixedWidth(560)
        panel.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(28, 24, 28, 20)
        inner.setSpacing(10)
        inner.addWidget(self.title)
        inner.addWidget(self.text)
        inner.addSpacing(6)
        inner.addWidget(self.form)
        inner.addWidget(self.other_user_hint)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(panel, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.setFocusProxy(self.form.password)

    def show_for(self, actor: Actor, *, signed_out: bool) -> None:
        self.form.clear()
        if signed_out:
            self.title.setText(f"Signed out of {APP_TITLE}")
            self.text.setText("Sign in to continue.")
        else:
            self.title.setText(f"{APP_TITLE} is locked")
            self.text.setText(
                f"{actor.label} ({actor.username}) was signed in. Type the password to carry "
                "on where you left off."
            )
            self.form.username.setText(actor.username)
        self.other_user_hint.setVisible(not signed_out)
        self.fit_panel()
        self.form.focus_first_empty()

    def fit_panel(self) -> None:
        """Tall enough for its wrapped lines at its fixed width (layouts underestimate it)."""
        layout = self.panel.layout()
        if layout is not None:
            layout.activate()
            needed = layout.heightForWidth(self.panel.width())
            self.panel.setMinimumHeight(max(needed, layout.minimumSize().height()))


class WorkstationLock(QObject):
    """Watches for activity across the application and locks the main window when idle.

    ``open_window(screen)`` builds and shows a new main window for another user's session.
    ``idle_limit_ms`` overrides the practice's auto-lock setting (tests use a tiny one).
    """

    locked = Signal()
    unlocked = Signal()
    user_switched = Signal(object)  # the new MainWindow

    def __init__(
        self,
        screen: ScreenContext,
        open_window: OpenWindow,
        *,
        idle_limit_ms: int | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.open_window = open_window
        self.window: MainWindow | None = None
        self.content: QWidget | None = None
        self.lock_screen: LockScreen | None = None
        self.pages: QStackedWidget | None = None
        self.is_locked = False
        self.signed_out = False
        self.switch_question: QMessageBox | None = None
        self._fixed_limit = idle_limit_ms
        self.idle_limit_ms: int | None = idle_limit_ms
        self._last_activity = time.monotonic()
        self._hidden: list[QWidget] = []
        self._disabled: list[QAction] = []
        self._focus: QWidget | None = None
        # Each hidden window's focus field and its caret (see _put_caret).
        self._carets: list[tuple[QWidget, tuple[int, int, int]]] = []
        self._pending_actor: Actor | None = None
        # An admin changed the signed-in person's account: the next sign-in opens new windows
        # (for the role they have now), never the ones left open.
        self.access_changed = False
        RUNNER_EVENTS.access_changed.connect(self.lock_after_access_changed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check_idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)

    # Set-up --------------------------------------------------------------------------------

    def attach(self, window: MainWindow) -> None:
        """Put the lock screen behind ``window``'s content and add the Account menu.

        The lock belongs to the window it guards, so it is deleted on the UI thread with it
        (never by Python's collector on a worker thread, with its timer running).
        """
        self.window = window
        self.setParent(window)
        content = window.takeCentralWidget()
        self.content = content
        self.lock_screen = LockScreen(self.screen)
        self.lock_screen.form.signed_in.connect(self._signed_in)
        pages = QStackedWidget()
        pages.addWidget(content)
        pages.addWidget(self.lock_screen)
        window.setCentralWidget(pages)
        self.pages = pages
        self._add_account_menu(window)
        self.is_locked = False
        self._read_limit()
        self._restart_timer()

    def _add_account_menu(self, window: MainWindow) -> None:
        self.lock_action = QAction("&Lock now", window)
        self.lock_action.setShortcut(QKeySequence(LOCK_KEYS))
        # Ctrl+L works from a chart window or a form too, not only the main window.
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.setToolTip("Hide everything until you sign in again (Ctrl+L)")
        self.lock_action.triggered.connect(lambda: self.lock())
        self.switch_action = QAction("&Sign out / switch user…", window)
        self.switch_action.setToolTip("Let someone else sign in at this desk")
        self.switch_action.triggered.connect(lambda: self.lock(signing_out=True))
        self.password_action = QAction("&Change my password…", window)
        self.password_action.triggered.connect(self.change_password)
        menu = QMenu("&Account", window)
        menu.addActions([self.lock_action, self.switch_action])
        menu.addSeparator()
        menu.addAction(self.password_action)
        bar = window.menuBar()
        help_menu = next(
            (action for action in bar.actions() if action.text().replace("&", "") == "Help"),
            None,
        )
        if help_menu is not None:
            bar.insertMenu(help_menu, menu)
        else:
            bar.addMenu(menu)
        for action in (self.lock_action, self.switch_action, self.password_action):
            window.addAction(action)
        self.account_menu = menu
        self.password_dialog: QWidget | None = None

    def change_password(self) -> None:
        from frontdesk.ui.security.password_dialog import ChangePasswordDialog

        if self.window is None:
            return
        dialog = ChangePasswordDialog(self.screen, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.password_dialog = dialog
        dialog.open()

    # The idle timer --------------------------------------------------------------------------

    def _read_limit(self) -> None:
        if self._fixed_limit is not None:
            return
        call = partial(settings.get_setting, self.screen.services, AUTO_LOCK_MINUTES)
        self.screen.runner.run(call, self._set_minutes, self._limit_unreadable)

    def _set_minutes(self, minutes: int) -> None:
        if self._fixed_limit is None:
            self.idle_limit_ms = int(minutes) * 60_000
            self._restart_timer()

    def _limit_unreadable(self, _message: str) -> None:
        # Locking with the default is safer than never locking.
        self._set_minutes(AUTO_LOCK_MINUTES.default)

    def set_idle_limit_ms(self, limit_ms: int | None) -> None:
        """Lock after ``limit_ms`` of inactivity from now on, whatever the practice setting
        says (None: follow the setting again)."""
        self._fixed_limit = limit_ms
        if limit_ms is None:
            self._read_limit()
            return
        self.idle_limit_ms = limit_ms
        self._restart_timer()

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, SETTINGS_TABLES):
            self._read_limit()

    def _restart_timer(self) -> None:
        self._last_activity = time.monotonic()
        if self.idle_limit_ms is None or self.is_locked:
            self._timer.stop()
            return
        self._timer.start(self.idle_limit_ms)

    def _check_idle(self) -> None:
        if self.is_locked or self.idle_limit_ms is None or self.window is None:
            return
        idle_ms = (time.monotonic() - self._last_activity) * 1000
        if idle_ms >= self.idle_limit_ms:
            log.info("locking after %d s without activity", int(idle_ms / 1000))
            self.lock()
        else:
            self._timer.start(max(1, int(self.idle_limit_ms - idle_ms)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in ACTIVITY_EVENTS:
            self._last_activity = time.monotonic()
            if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                return self._lock_key(event)
        elif self.is_locked:
            if kind == QEvent.Type.Show and isinstance(watched, QWidget):
                self._hide_if_late(watched)
            elif kind == QEvent.Type.Close and watched is self.window:
                return self._refuse_close_with_edits(event)
        return False

    def _lock_key(self, event: QKeyEvent) -> bool:
        """Ctrl+L locks from any window, any dialog and any field.

        The menu's shortcut alone misses while a modal dialog is open (Qt gives no window
        shortcut to a window a modal dialog blocks, even an application-wide one), so the
        intake form's First name would take the key and the next password typed.
        """
        if self.is_locked or self.window is None or not _alive(self.window):
            return False
        if QKeyCombination(event.modifiers(), Qt.Key(event.key())) != LOCK_KEYS:
            return False
        self.lock()
        return True

    # Locking -----------------------------------------------------------------------------------

    def lock(self, *, signing_out: bool = False) -> None:
        """Hide every window's content now; only a sign-in shows it again."""
        window, pages, lock_screen = self.window, self.pages, self.lock_screen
        if window is None or pages is None or lock_screen is None:
            return
        if self.is_locked:
            if signing_out and not self.signed_out:
                self.signed_out = True
                lock_screen.show_for(self.screen.services.actor, signed_out=True)
            return
        self.is_locked = True
        self.signed_out = signing_out
        self._timer.stop()
        focus = QApplication.focusWidget()
        self._focus = focus if focus is not None and focus is not window else None
        self._hide_other_windows(window)
        for action in window.actions():
            if action.isEnabled():
                action.setEnabled(False)
                self._disabled.append(action)
        window.menuBar().setEnabled(False)
        window.statusBar().clearMessage()
        actor = self.screen.services.actor
        window.user_label.setText(
            "Signed out" if signing_out else f"Locked: {actor.label} was signed in"
        )
        pages.setCurrentWidget(lock_screen)
        lock_screen.show_for(actor, signed_out=signing_out)
        self.locked.emit()

    def _hide_other_windows(self, window: QWidget) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        for widget in app.topLevelWidgets():
            if widget is window or not widget.isVisible():
                continue
            if widget.windowType() in TRANSIENT_WINDOWS:
                widget.hide()  # menus, tooltips: closed, not brought back
                continue
            self._hidden.append(widget)
            caret = _caret_of(widget.focusWidget())
            if caret is not None:
                self._carets.append((widget.focusWidget(), caret))
            widget.hide()

    def _hide_if_late(self, widget: QWidget) -> None:
        """A window that opens while locked (a slow reply opening a chart) waits hidden."""
        if not widget.isWindow() or widget is self.window or widget is self.switch_question:
            return
        if widget.windowType() in TRANSIENT_WINDOWS:
            # The lock screen's own tooltips and popups may show; nothing else has focus.
            return
        if widget not in self._hidden:
            self._hidden.append(widget)
        QTimer.singleShot(0, widget.hide)

    def _refuse_close_with_edits(self, event: QEvent) -> bool:
        if not self.unsaved_forms():
            return False
        event.ignore()
        if self.lock_screen is not None:
            self.lock_screen.form.show_problem(
                f"{APP_TITLE} cannot close while work is left unsaved behind the lock. "
                "Sign in first, then save or close it."
            )
        return True

    def unlock(self) -> None:
        """Show everything again exactly as it was (the same user signed back in)."""
        window, pages = self.window, self.pages
        if window is None or pages is None or not self.is_locked:
            return
        self.is_locked = False
        self.signed_out = False
        pages.setCurrentWidget(self.content)
        window.menuBar().setEnabled(True)
        for action in self._disabled:
            if _alive(action):
                action.setEnabled(True)
        self._disabled = []
        window.user_label.setText(f"Signed in: {self.screen.user_label}")
        hidden = [widget for widget in self._hidden if _alive(widget)]
        self._hidden = []
        # Parents first, so a form comes back above the chart it belongs to.
        for widget in sorted(hidden, key=_depth):
            widget.show()
        focus = self._focus
        self._focus = None
        if _alive(focus) and focus is not None and focus.isVisible():
            focus.activateWindow()
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        # A re-shown dialog gives its field a Tab focus-in (on X11) that selects all of a
        # line edit: the first key typed after the unlock would replace the text.
        for field, caret in self._carets:
            if _alive(field):
                _put_caret(field, caret)
        self._carets = []
        self._restart_timer()
        self.unlocked.emit()

    # Someone signs in at the lock screen ---------------------------------------------------------

    def lock_after_access_changed(self, message: str) -> None:
        """The database refused the signed-in person (an admin deactivated them or changed
        their role): sign out at once, saying so once."""
        if self.access_changed and self.is_locked:
            return
        self.access_changed = True
        self.lock(signing_out=True)
        if self.lock_screen is not None:
            self.lock_screen.form.show_problem(message)

    def _signed_in(self, actor: Actor) -> None:
        current = self.screen.services.actor
        if self.access_changed:
            forms = self.unsaved_forms()
            if forms:
                self.ask_before_switching(actor, forms)
            else:
                self.switch_user(actor)
            return
        if actor.user_id is not None and actor.user_id == current.user_id:
            self.screen = self.screen.for_actor(actor)  # a renamed user's new label
            self.unlock()
            return
        forms = self.unsaved_forms()
        if not forms:
            self.switch_user(actor)
            return
        self.ask_before_switching(actor, forms)

    def unsaved_forms(self) -> list[str]:
        """What the signed-in user left unsaved, named by form (never by patient)."""
        if self.window is None or self.content is None:
            return []
        windows = {id(self.window)} | {id(w) for w in self._hidden if _alive(w)}
        roots: list[QWidget] = [self.content, *[w for w in self._hidden if _alive(w)]]
        seen: set[int] = set()
        names: list[str] = []
        for root in roots:
            for widget in [root, *root.findChildren(QWidget)]:
                if id(widget) in seen:
                    continue
                seen.add(id(widget))
                if not isinstance(widget, SavingForm) or id(widget.window()) not in windows:
                    continue
                if widget.has_unsaved_changes():
                    names.append(self._form_name(widget))
        return names

    @staticmethod
    def _form_name(widget: QWidget) -> str:
        name = widget.accessibleName()
        if not name and widget.isWindow():
            name = widget.windowTitle()
        return name or "a form"

    def ask_before_switching(self, actor: Actor, forms: list[str]) -> None:
        """Ask the person signing in what happens to the unsaved work; Cancel keeps it all."""
        previous = self.screen.services.actor
        self._pending_actor = actor
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setTextFormat(Qt.TextFormat.PlainText)
        listed = "\n".join(f"• {name}" for name in forms)
        box.setText(
            f"{previous.label} left changes that are not saved:\n{listed}\n\n"
            f"Signing in as {actor.label} closes them without saving."
        )
        box.setInformativeText(
            f"Choose Cancel to keep them: the screen stays locked for {previous.label}."
        )
        self.discard_button = box.addButton(
            f"Discard them and sign in as {actor.label}", QMessageBox.ButtonRole.DestructiveRole
        )
        keep = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.setAccessibleName("Unsaved changes")
        box.finished.connect(lambda _code: self._answered(box))
        self.switch_question = box
        box.open()

    def _answered(self, box: QMessageBox) -> None:
        actor, self._pending_actor = self._pending_actor, None
        self.switch_question = None
        box.deleteLater()
        if actor is not None and box.clickedButton() is self.discard_button:
            self.switch_user(actor)
            return
        if self.lock_screen is not None:
            self.lock_screen.show_for(self.screen.services.actor, signed_out=self.signed_out)
            self.lock_screen.form.show_problem(
                "Nothing was discarded. The previous user can unlock to save their work."
            )

    def switch_user(self, actor: Actor) -> MainWindow:
        """Close the previous session's windows without saving and open ``actor``'s."""
        old, hidden = self.window, [w for w in self._hidden if _alive(w)]
        self._hidden, self._disabled, self._focus = [], [], None
        self._carets = []
        if old is not None:
            old.save_settings()
        self.screen = self.screen.for_actor(actor)
        self.is_locked = False
        self.signed_out = False
        self.access_changed = False
        window = self.open_window(self.screen)
        self.attach(window)
        for widget in hidden:
            widget.deleteLater()
        if old is not None:
            # Hidden, never closed: closing would ask the old areas about their edits again.
            old.hide()
            old.deleteLater()
        log.info("another user signed in at the lock screen")
        self.user_switched.emit(window)
        return window

    def detach(self) -> None:
        """Stop watching (the app is closing)."""
        self._timer.stop()
        with contextlib.suppress(RuntimeError, TypeError):
            RUNNER_EVENTS.access_changed.disconnect(self.lock_after_access_changed)
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def _caret_of(widget: QWidget | None) -> tuple[int, int, int] | None:
    """A line edit's cursor and selection (position, selection start, selection length)."""
    if not isinstance(widget, QLineEdit):
        return None
    return widget.cursorPosition(), widget.selectionStart(), widget.selectionLength()


def _put_caret(widget: QWidget, caret: tuple[int, int, int]) -> None:
    if not isinstance(widget, QLineEdit):
        return
    position, start, length = caret
    if length > 0 and start >= 0:
        widget.setSelection(start, length)
    else:
        widget.deselect()
        widget.setCursorPosition(position)
