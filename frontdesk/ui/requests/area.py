"""The Requests area: the work queue (counts, filters, lazy table) beside the open request."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.dates import parse_date
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import RequestState, Urgency
from frontdesk.services.history import records
from frontdesk.services.kernel.changes import touches
from frontdesk.services.requests import assignment, work_queue
from frontdesk.services.requests import data as requests_data
from frontdesk.services.requests.data import (
    QueueFilter,
    QueueSnapshot,
    RequestData,
    RequestDetail,
    StaffMember,
)
from frontdesk.ui.patients.referrer_picker import ReferrerPicker
from frontdesk.ui.practice_day import PracticeDay
from frontdesk.ui.requests.detail import RequestDetailPanel
from frontdesk.ui.requests.intake import IntakeDialog
from frontdesk.ui.requests.queue_model import GIVE_WAY, NEXT_ACTION, RequestQueueModel
from frontdesk.ui.runner import LatestOnly
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import Banner, line_edit, plain_label, show_whole_placeholder
from frontdesk.ui.widgets.table_columns import FittedColumns

# The records' received state lives partly on the chart's history (services.history.records).
TABLES = requests_data.TABLES | records.TABLES | {"patients", "referrers"}
PAGE_SIZE = 100
OPEN = "open"
ALL = "all"


class RequestsArea(QWidget):
    """``queue_loaded`` fires each time a fresh first page and the counts are on screen."""

    queue_loaded = Signal()

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.practice_day = PracticeDay(screen.services)  # typed days' two-digit years
        self.intake: IntakeDialog | None = None
        self.counts: dict[RequestState, int] = {}
        self.letter_dialog: QWidget | None = None
        self.report_dialog: QWidget | None = None

        title = plain_label("Consultation requests", "pageTitle")
        self.new_button = mark_primary(QPushButton("&New request…"))
        self.new_button.setToolTip("Record a call or a referral (Ctrl+N)")
        self.new_button.clicked.connect(self.new_item)
        header = QHBoxLayout()
        header.addWidget(title)
        header.addStretch(1)
        self.report_button = QPushButton("Referrals re&port…")
        self.report_button.setToolTip("Requests per referring physician and category per month")
        self.report_button.clicked.connect(self.open_report)
        header.addWidget(self.report_button)
        header.addWidget(self.new_button)

        # Counts per state: each one is also a quick filter.
        self.count_buttons: dict[RequestState, QPushButton] = {}
        counts_row = QHBoxLayout()
        counts_row.setSpacing(2)
        for state in RequestState:
            button = QPushButton(f"{state.label}: …")
            button.setAccessibleName(f"{state.label} requests")
            button.setToolTip(f"Show only requests that are {state.label.lower()}")
            button.setFlat(True)
            button.setStyleSheet("QPushButton { padding: 2px 6px; }")
            button.clicked.connect(partial(self.show_state, state))
            self.count_buttons[state] = button
            counts_row.addWidget(button)
        counts_row.addStretch(1)

        self.state = QComboBox()
        self.state.setAccessibleName("State filter")
        self.state.addItem("Open requests", OPEN)
        self.state.addItem("All requests", ALL)
        for state in RequestState:
            self.state.addItem(state.label, state.value)
        self.urgency = QComboBox()
        self.urgency.setAccessibleName("Urgency filter")
        self.urgency.addItem("Any urgency", None)
        for urgency in Urgency:
            self.urgency.addItem(urgency.label, urgency.value)
        self.category = QComboBox()
        self.category.setAccessibleName("Category filter")
        self.category.addItem("Any category", None)
        for category in RequestCategory:
            self.category.addItem(category.label, category.value)
        self.assignee = QComboBox()
        self.assignee.setAccessibleName("Assignee filter")
        self.assignee.addItem("Anyone", None)
        self.referrer = ReferrerPicker(screen, "Referrer filter")
        self.referrer.edit.setPlaceholderText("Any referrer")
        self.referrer.add_button.hide()
        self.referrer.changed.connect(self.refresh)
        self.received_from = line_edit("Received from", "from MM/DD/YYYY")
        self.received_to = line_edit("Received to", "to MM/DD/YYYY")
        for combo in (self.state, self.urgency, self.category, self.assignee):
            combo.currentIndexChanged.connect(self.refresh)
            # Long labels must not widen the window past a 1280-pixel screen.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(10)
        for edit in (self.received_from, self.received_to):
            edit.returnPressed.connect(self.refresh)
            # As wide as "to MM/DD/YYYY" needs in the desk's font (130 px cut it at 150%).
            show_whole_placeholder(edit)
            edit.setMaximumWidth(edit.minimumWidth())
        filters = QVBoxLayout()
        first_row, second_row = QHBoxLayout(), QHBoxLayout()
        for widget in (self.state, self.urgency, self.category, self.assignee):
            first_row.addWidget(widget)
        first_row.addStretch(1)
        second_row.addWidget(self.referrer, 1)
        second_row.addWidget(self.received_from)
        second_row.addWidget(self.received_to)
        filters.addLayout(first_row)
        filters.addLayout(second_row)

        self.banner = Banner()
        self.model = RequestQueueModel(screen.runner, self)
        self.model.fetch_failed.connect(lambda message: self.banner.show_message("error", message))
        self.table = QTableView()
        self.table.setAccessibleName("Request queue")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Beside the open request the queue has about 600 pixels at 150% on 1080p: the next
        # action takes what is left and wraps; category, referrer and assignee give way.
        self.columns = FittedColumns(self.table, wrap=NEXT_ACTION, give_way=GIVE_WAY)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.detail = RequestDetailPanel(screen)
        self.detail.changed.connect(self.refresh)
        self.detail.letter_requested.connect(self.open_letter)
        self.detail.new_requested.connect(self.new_item)

        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 0, 0)
        left_column.addLayout(counts_row)
        left_column.addLayout(filters)
        left_column.addWidget(self.banner)
        left_column.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([640, 420])
        # With the queue's counts row beside it, more than this made the area wider than the
        # window opens at 150% on 1080p (1152 - 190 logical pixels): the window grew off-screen.
        # The detail scrolls sideways when narrower than its content.
        self.detail.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(header)
        layout.addWidget(self.splitter, 1)

        self.loads = LatestOnly(screen.runner)
        if screen.changes is not None:
            screen.changes.changed.connect(self._on_changed)
        screen.runner.run(
            partial(assignment.staff_members, screen.services), self._show_staff, lambda _m: None
        )
        self.refresh()

    # Filters ---------------------------------------------------------------------------

    def filters(self) -> QueueFilter:
        state_value = self.state.currentData()
        problems = []
        days = []
        for edit, name in ((self.received_from, "from"), (self.received_to, "to")):
            text = edit.text().strip()
            try:
                days.append(parse_date(text, today=self.practice_day()) if text else None)
            except InvalidValue as error:
                problems.append(f"Received {name}: {error}")
                days.append(None)
        if problems:
            self.banner.show_message("error", "; ".join(problems))
        urgency = self.urgency.currentData()
        category = self.category.currentData()
        return QueueFilter(
            state=RequestState(state_value) if state_value not in (OPEN, ALL) else None,
            open_only=state_value == OPEN,
            urgency=Urgency(urgency) if urgency else None,
            category=RequestCategory(category) if category else None,
            assignee_id=self.assignee.currentData(),
            referrer_id=self.referrer.referrer_id,
            received_from=days[0],
            received_to=days[1],
        )

    def show_state(self, state: RequestState) -> None:
        self.state.setCurrentIndex(self.state.findData(state.value))

    def refresh(self) -> None:
        """Read the first page and the counts again (a filter change or a save)."""
        filters = self.filters()
        self.loads.run(
            partial(work_queue.open_queue, self.screen.services, filters, limit=PAGE_SIZE),
            partial(self._show_queue, filters),
            lambda message: self.banner.show_message("error", message),
        )

    def _show_queue(self, filters: QueueFilter, snapshot: QueueSnapshot) -> None:
        selected = self.detail.request_id
        self.counts = snapshot.counts
        for state, button in self.count_buttons.items():
            button.setText(f"{state.label}: {snapshot.counts.get(state, 0):,}")
        call = partial(work_queue.queue, self.screen.services, filters, limit=PAGE_SIZE)
        self.model.reset(lambda cursor: call(cursor=cursor), snapshot.page)
        if selected is not None:
            for row, item in enumerate(self.model.rows):
                if item.id == selected:
                    self.table.selectRow(row)
                    break
            self.detail.load(selected)
        self.queue_loaded.emit()

    def _show_staff(self, staff: list[StaffMember]) -> None:
        current = self.assignee.currentData()
        self.assignee.blockSignals(True)
        for member in staff:
            self.assignee.addItem(member.name, member.id)
        self.assignee.setCurrentIndex(max(0, self.assignee.findData(current)))
        self.assignee.blockSignals(False)
        self.detail.set_staff(staff)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.row_at(current.row()) if current.isValid() else None
        if item is not None and item.id != self.detail.request_id:
            self.detail.load(item.id)

    def _on_changed(self, tables: frozenset[str]) -> None:
        if touches(tables, TABLES):
            self.refresh()

    # Hooks of the main window ------------------------------------------------------------

    def new_item(self) -> bool:
        dialog = IntakeDialog(self.screen, self)
        dialog.saved.connect(self._saved)
        dialog.call_added.connect(self._call_added)
        dialog.finished.connect(lambda _code: setattr(self, "intake", None))
        self.intake = dialog
        dialog.open()
        return True

    def _saved(self, data: RequestData) -> None:
        self.banner.show_message(
            "success",
            f"Request recorded for {data.patient_name} ({data.mrn})"
            + (
                ": urgent, red-flag instruction given."
                if data.red_flags
                else f". Red-flag questions: {data.red_flag_summary}."
            ),
        )
        self.detail.request_id = data.id
        self.refresh()

    def _call_added(self, detail: RequestDetail) -> None:
        data = detail.request
        self.banner.show_message(
            "success",
            f"Call added to request {data.id} for {data.patient_name} ({data.mrn}); "
            "no second request was made.",
        )
        self.detail.request_id = data.id
        self.refresh()

    def focus_target(self) -> QWidget:
        """Where Ctrl+digit puts the keyboard: the list (Enter, the arrows)."""
        return self.table

    def focus_search(self) -> bool:
        self.state.setFocus()
        return True

    def open_report(self) -> None:
        from frontdesk.ui.requests.report import ReferralsReportDialog

        dialog = ReferralsReportDialog(self.screen, self)
        self.report_dialog = dialog
        dialog.open()

    def open_letter(self, detail: object) -> None:
        from frontdesk.ui.requests.letter import RecordsLetterDialog

        dialog = RecordsLetterDialog(self.screen, detail, self)  # type: ignore[arg-type]
        self.letter_dialog = dialog
        dialog.finished.connect(lambda _code: setattr(self, "letter_dialog", None))
        dialog.open()
