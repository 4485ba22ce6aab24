"""Admin → Shared server → "Move to a shared server": plan, confirm, copy with progress, report.

The copy itself is services/db_copy (one target transaction, verified afterwards); this
dialog only shows its plan for confirmation, its stages and progress with Cancel, and its
report, then offers to point this workstation at the server from the next start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, QSize, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import DatabaseUnavailableError, FrontDeskError
from frontdesk.domain.plurals import counted
from frontdesk.domain.progress import ProgressCallback
from frontdesk.services.platform import connection, db_copy
from frontdesk.services.platform.connection import ConnectionProfile
from frontdesk.services.platform.db_copy import CopyPlan, CopyReport, TargetState
from frontdesk.ui.admin.shared_server import save_with_password
from frontdesk.ui.runner import Task
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.screen_fit import fit_to_screen

T = TypeVar("T")


def about_the_server(call: Callable[[], T]) -> Callable[[], T]:
    """Run ``call``; an unreachable server is this dialog's news, not an outage of the
    database this workstation works on (which the connection monitor watches)."""

    def wrapped() -> T:
        try:
            return call()
        except DatabaseUnavailableError as error:
            raise FrontDeskError(str(error)) from error

    return wrapped


class StageRelay(QObject):
    """Carries the copy's stage names from the worker thread to the dialog (queued)."""

    stage = Signal(str)


def plan_text(plan: CopyPlan) -> str:
    lines = [plan.describe() + ".", ""]
    lines.extend(
        f"  {table}: {counted(count, 'record')}"
        for table, count in plan.source_rows.items()
        if count
    )
    empty = [table for table, count in plan.source_rows.items() if not count]
    if empty:
        lines.append(f"  (no records yet in: {', '.join(empty)})")
    return "\n".join(lines)


def report_text(report: CopyReport) -> str:
    """The report's verdict, then every table that holds records, compared."""
    tables = [check.describe() for check in report.tables if check.source_rows or not check.matches]
    return report.describe() + "\n\nTable by table:\n" + "\n".join(f"  {line}" for line in tables)


class MoveToServerDialog(QDialog):
    """Plan → confirm → copy (stages, progress, Cancel) → report → switch this workstation."""

    switched = Signal(object)  # the saved ConnectionProfile

    def __init__(
        self,
        screen: ScreenContext,
        profile: ConnectionProfile,
        password: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Move to a shared server")
        self.setAccessibleName("Move to a shared server")
        self.screen = screen
        self.profile = profile
        self.password = password
        self.source_url = screen.services.database.url.render_as_string(hide_password=False)
        self.plan: CopyPlan | None = None
        self.report: CopyReport | None = None
        self.task: Task | None = None
        self.relay = StageRelay(self)

        self.intro = plain_label(
            f"Copy every record of this workstation's database ({screen.database_label}) to "
            f"the practice server {profile.describe()}, then compare both sides table by table. "
            "Nothing is changed here; on the server the copy is written in one step, so a "
            "cancelled or failed copy leaves it as it was.",
            wrap=True,
        )
        self.banner = Banner()
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName("What will be copied")
        self.replace_box = QCheckBox()
        self.replace_box.setAccessibleName("Replace the records on the server")
        self.replace_box.hide()
        self.replace_box.toggled.connect(self._update_buttons)
        self.stage = plain_label("", wrap=True)
        self.stage.setAccessibleName("Stage")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Copy progress")
        self.progress.hide()

        self.copy_button = QPushButton("Copy")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.start_copy)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.switch_button = QPushButton("Switch this workstation to the server")
        self.switch_button.setToolTip("Save the server profile: used from the next start")
        self.switch_button.clicked.connect(self.switch)
        self.switch_button.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.banner)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.replace_box)
        layout.addWidget(self.stage)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        fit_to_screen(self, QSize(720, 520))

        self.relay.stage.connect(self.stage.setText)
        self.stage.setText("Checking both databases…")
        target = self.target_url
        self.screen.runner.run(
            about_the_server(lambda: db_copy.plan_copy(self.source_url, target)),
            self._planned,
            self._failed,
        )

    @property
    def target_url(self) -> str:
        return connection.database_url(self.profile, self.password or None)

    # Plan and confirmation ---------------------------------------------------------------------

    def _planned(self, plan: CopyPlan) -> None:
        self.plan = plan
        self.stage.setText("")
        self.details.setPlainText(plan_text(plan))
        if plan.target_state is TargetState.HOLDS_DATA:
            self.replace_box.setText(
                f"Replace the {plan.target_rows:,} records already in {plan.target}: "
                "they are deleted and this workstation's records take their place"
            )
            self.replace_box.show()
            self.banner.show_message(
                "error",
                f"The server's database already holds {plan.target_rows:,} records. Copy to an "
                "empty database, or tick the box below to replace them.",
            )
        self._update_buttons()
        self.copy_button.setDefault(True)

    def _update_buttons(self) -> None:
        ready = self.plan is not None and self.task is None and self.report is None
        if self.plan is not None and self.plan.target_state is TargetState.HOLDS_DATA:
            ready = ready and self.replace_box.isChecked()
        self.copy_button.setEnabled(ready)

    # The copy ----------------------------------------------------------------------------------

    def start_copy(self) -> None:
        if self.plan is None:
            return
        replace = self.plan.target_state is TargetState.HOLDS_DATA
        if replace and not self.replace_box.isChecked():
            return
        source, target, relay = self.source_url, self.target_url, self.relay
        actor = self.screen.services.actor
        self.banner.clear()
        self.replace_box.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()

        def copy(progress: ProgressCallback) -> CopyReport:
            return about_the_server(
                lambda: db_copy.copy_database(
                    source,
                    target,
                    actor=actor,
                    replace=replace,
                    progress=progress,
                    stage=relay.stage.emit,
                )
            )()

        self.task = self.screen.runner.run_with_progress(copy, self._copied, self._failed)
        self.task.progressed.connect(self._progressed)
        self.task.cancelled.connect(self._cancelled)
        self._update_buttons()

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _copied(self, report: CopyReport) -> None:
        self.task = None
        self.report = report
        self.progress.hide()
        self.details.setAccessibleName("Copy report")
        self.details.setPlainText(report_text(report))
        if report.ok:
            self.stage.setText("")
            self.banner.show_message(
                "success",
                "The copy is complete and identical. Switch this workstation to the server, "
                "then connect the other desks in their Admin → Shared server.",
            )
            self.switch_button.show()
            self.switch_button.setDefault(True)
        else:
            self.banner.show_message(
                "error",
                "The copy differs from this database (see below): keep working here and "
                "send the report to whoever looks after the server.",
            )
        self.cancel_button.setText("Close")
        self.copy_button.hide()  # done: the next step is switching, or closing
        self._update_buttons()

    def _failed(self, message: str) -> None:
        self.task = None
        self.progress.hide()
        self.stage.setText("")
        self.replace_box.setEnabled(True)
        self.banner.show_message("error", message)
        self._update_buttons()

    def _cancelled(self) -> None:
        self.task = None
        self.progress.hide()
        self.stage.setText("")
        self.replace_box.setEnabled(True)
        self.banner.show_message(
            "info", "The copy was cancelled; nothing was written on the server."
        )
        self._update_buttons()

    def cancel(self) -> None:
        if self.task is not None:
            self.stage.setText("Cancelling…")
            self.task.cancel()
            return
        self.reject()

    # After the copy ----------------------------------------------------------------------------

    def switch(self) -> None:
        profile, password = self.profile, self.password
        self.switch_button.setEnabled(False)
        self.screen.runner.run(
            lambda: save_with_password(profile, password), self._switched, self._failed
        )

    def _switched(self, profile: ConnectionProfile) -> None:
        self.banner.show_message(
            "success",
            f"This workstation works on {profile.describe()} from the next start of Front Desk.",
        )
        self.switch_button.hide()
        self.switched.emit(profile)

    def reject(self) -> None:
        if self.task is not None:  # Esc while copying: cancel first, close once it stopped
            self.cancel()
            return
        super().reject()
