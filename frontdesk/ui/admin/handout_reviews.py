"""Admin → Handout reviews: each handout's review (who, when, on what evidence), most urgent
first, and the dialog that records a review of the current text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.handout_format import Handout
from frontdesk.domain.permissions import Permission
from frontdesk.domain.plurals import counted
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts import reviews
from frontdesk.services.handouts.library import HandoutLibrary, LibraryEntry
from frontdesk.services.handouts.reviews import ReviewForm, ReviewRecord, ReviewStanding
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.date_field import check_date_field
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    multiline_edit,
    plain_label,
)
from frontdesk.ui.widgets.record_table import Column, RecordTableModel
from frontdesk.ui.widgets.saving_form import FormDialog


@dataclass(frozen=True)
class ReviewRow:
    """One handout in one language: where its file is, and where its review stands."""

    entry: LibraryEntry
    standing: ReviewStanding

    @property
    def state_text(self) -> str:
        """In words (the colour only repeats it); "Draft" is what the page then says."""
        standing = self.standing
        if standing.status is reviews.ReviewStatus.REVIEWED and standing.due_on is not None:
            return f"Reviewed; due {standing.due_on:%m/%d/%Y}"
        if standing.status is reviews.ReviewStatus.OVERDUE and standing.due_on is not None:
            return f"Draft: overdue since {standing.due_on:%m/%d/%Y}"
        if standing.earlier_version_reviewed:
            return "Draft: this version not reviewed"
        return "Draft: not reviewed"


def _where(entry: LibraryEntry) -> str:
    if entry.origin is handouts.Origin.PRACTICE:
        replaces = " (replaces the shipped one)" if entry.replaces_shipped else ""
        return f"The practice's file{replaces}: {entry.file}"
    return f"Shipped with Front Desk: {entry.file}"


def _reviewed(row: ReviewRow) -> str:
    review = row.standing.review
    return f"{review.reviewed_on:%m/%d/%Y}" if review else "—"


def _evidence(row: ReviewRow) -> str:
    review = row.standing.review
    return " ".join(review.evidence.split()) if review else ""


def review_model(parent: QWidget | None = None) -> RecordTableModel:
    return RecordTableModel(
        (
            Column(
                "Handout",
                lambda r: r.standing.title,
                lambda r: f"{r.standing.title}\n{_where(r.entry)}",
            ),
            Column("Language", lambda r: r.standing.language_name),
            Column("Version", lambda r: r.standing.version),
            Column("State", lambda r: r.state_text, warning=lambda r: r.standing.is_draft),
            Column("Reviewed", _reviewed),
            Column("Reviewer", lambda r: r.standing.review.reviewer if r.standing.review else ""),
            Column("Evidence", _evidence, _evidence, stretch=True),
        ),
        parent=parent,
    )


def read_reviews(
    context: ServiceContext, today: dt.date | None = None
) -> tuple[HandoutLibrary, list[ReviewRow], bool, dt.tzinfo]:
    """Runs on the Runner: the library, each handout's review, whether the practice
    folder exists yet, and the practice's zone (its day is a new review's default day)."""
    library = handouts.load_library()
    entries = {entry.key: entry for entry in library.entries}
    rows = [
        ReviewRow(entries[(s.handout_id, s.language)], s)
        for s in reviews.list_standings(context, library, today)
    ]
    folder = library.practice_folder or handouts.practice_folder()
    return library, rows, folder.is_dir(), practice_clock.practice_zone(context)


class RecordReviewDialog(FormDialog):
    """Record that a clinician reviewed the current text of one handout in one language."""

    def __init__(
        self,
        screen: ScreenContext,
        handout: Handout,
        parent: QWidget | None = None,
        *,
        today: dt.date,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.handout = handout
        self.today = today
        self.record: ReviewRecord | None = None
        title = "Record a handout review"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.fields = FormFields()
        self.banner = Banner()
        self.reviewer = line_edit("Reviewer", "e.g. Dr. Ana Lindqvist, MD", reviews.MAX_REVIEWER)
        self.reviewed_on = line_edit("Day of the review", "e.g. 12/1/2026", 20)
        self.reviewed_on.setText(f"{today:%m/%d/%Y}")
        self.evidence = multiline_edit("Evidence used", rows=5)
        self.evidence.setPlaceholderText(
            "What the text was checked against: guidelines, the source page, articles…"
        )
        form = form_layout()
        add_form_row(form, self.fields, "reviewer", "&Reviewed by *", self.reviewer)
        add_form_row(
            form,
            self.fields,
            "reviewed_on",
            "&Day of the review *",
            self.reviewed_on,
            hint="A date such as 12/1/2026 (month/day/year) or 2026-12-01.",
        )
        check_date_field(self.reviewed_on, self.fields.message("reviewed_on"), lambda: today)
        add_form_row(
            form,
            self.fields,
            "evidence",
            "&Evidence used *",
            self.evidence,
            hint="Ctrl+Enter saves from this box.",
        )
        what = plain_label(
            f"{handout.title} — {handout.language_name}, version {handout.version} "
            f"(text {handout.content_hash[:12]}). The review applies to this text only: an "
            "edited file needs a review of its own.",
            "hint",
            wrap=True,
        )
        what.setAccessibleName("Handout reviewed")
        self.buttons = self.save_cancel_buttons("Record the review (Enter)", save_text="Rec&ord")
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(title, "sectionTitle"))
        layout.addWidget(what)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.follow_gate(self.buttons.button(QDialogButtonBox.StandardButton.Save))
        self.mark_clean()
        self.reviewer.setFocus()

    def snapshot(self) -> ReviewForm:
        return ReviewForm(
            reviewer=self.reviewer.text(),
            reviewed_on=self.reviewed_on.text(),
            evidence=self.evidence.toPlainText(),
        )

    def save(self) -> None:
        if self.save_refused():
            return
        self.begin_save()
        call = partial(
            reviews.record_review,
            self.screen.services,
            self.handout,
            self.snapshot(),
            today=self.today,
        )
        self.screen.runner.run(call, self._saved, failure=self.save_error)

    def _saved(self, record: ReviewRecord) -> None:
        self.end_save()
        self.record = record
        self.mark_clean()
        self.done(QDialog.DialogCode.Accepted)


class OneLineDelegate(QStyledItemDelegate):
    """A cell on one line, cut short with "…", in a table whose other cells wrap."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.WrapText


class HandoutReviewsPanel(QWidget):
    """Reads the library files and the recorded reviews on the Runner each time the tab is
    shown, after a review is recorded, or when Reload is pressed (files change outside the
    app, so there is no change signal to follow)."""

    def __init__(
        self,
        screen: ScreenContext,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.today = today
        self.zone: dt.tzinfo | None = None  # the practice's, read with the list
        self.loaded = False
        self.library: HandoutLibrary | None = None
        self.dialog: RecordReviewDialog | None = None
        self.notice = ""  # said in the banner once the list is read again
        self.folder: Path = handouts.practice_folder()
        self.folder_exists: bool | None = None  # not looked at yet
        self.can_record = screen.services.actor.can(Permission.EDIT_PRACTICE)
        self.banner = Banner()
        self.counts = plain_label("Reading the handout library…", "hint", wrap=True)
        self.counts.setAccessibleName("Reviews due")
        self.model = review_model(self)
        self.table = QTableView()
        self.table.setAccessibleName("Handout reviews")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Titles wrap onto a second line rather than being cut ("Cuando una fusión no sana
        # (seudoartr…" once a review's date and reviewer took their room): the row grows.
        self.table.setWordWrap(True)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        rows.setMinimumSectionSize(rows.defaultSectionSize())  # one-line rows as before
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)  # see fit_columns
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        # The evidence (a paragraph) stays one line, whole in its tooltip.
        self.table.setItemDelegateForColumn(6, OneLineDelegate(self.table))
        self.table_viewport = self.table.viewport()
        self.table_viewport.installEventFilter(self)
        self.table.activated.connect(lambda _index: self.record_selected())

        self.record_button = QPushButton("&Record a review…")
        self.record_button.setToolTip(
            "Record who reviewed the selected handout's current text, when, and on what "
            "evidence (Enter on a row)"
        )
        self.record_button.clicked.connect(self.record_selected)
        self.record_button.setEnabled(self.can_record)
        self.folder_label = plain_label("", wrap=True)
        self.folder_label.setAccessibleName("The practice's handout folder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("&Open the folder")
        self.open_button.setToolTip(
            "Open the practice's handout folder (made, with the editors' guide, if missing)"
        )
        self.open_button.clicked.connect(self.open_folder)
        self.reload_button = QPushButton("Re&load")
        self.reload_button.setToolTip("Read the handout files again after editing them")
        self.reload_button.clicked.connect(self.reload)
        actions = QHBoxLayout()
        actions.addWidget(self.record_button)
        actions.addStretch(1)
        actions.addWidget(self.open_button)
        actions.addWidget(self.reload_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(plain_label("Handout reviews", "sectionTitle"))
        layout.addWidget(
            plain_label(
                "A handout prints as a draft until a clinician's review of its current text "
                "is recorded here, and again once that review is older than the practice's "
                "review period (Admin → Practice rules, which can also stop drafts from being "
                "given). Each review is kept in the audit trail.",
                "hint",
                wrap=True,
            )
        )
        layout.addWidget(self.banner)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.folder_label)
        self._show_folder()
        self.reload()

    def _today(self) -> dt.date | None:
        """The day given (tests), else the practice's once its zone is read."""
        if self.today is not None:
            return self.today()
        return practice_clock.today_in(self.zone) if self.zone is not None else None

    def reload(self) -> None:
        self.screen.runner.run(
            partial(read_reviews, self.screen.services, self._today()),
            self._show,
            self._load_failed,
        )

    def _show(self, read: tuple[HandoutLibrary, list[ReviewRow], bool, dt.tzinfo]) -> None:
        library, rows, self.folder_exists, self.zone = read
        self.library = library
        if library.practice_folder is not None:
            self.folder = library.practice_folder
        self.model.set_records(rows)
        QTimer.singleShot(0, self.fit_columns)  # once the short columns fit their new text
        overdue = sum(1 for r in rows if r.standing.status is reviews.ReviewStatus.OVERDUE)
        pending = sum(1 for r in rows if r.standing.status is reviews.ReviewStatus.PENDING)
        parts = [counted(len(rows), "handout")]
        parts.append(f"{pending} not reviewed" if pending else "every one reviewed")
        parts.append(f"{overdue} overdue for review" if overdue else "none overdue")
        self.counts.setText(" · ".join(parts) + ".")
        if library.problems:
            self.banner.show_message(
                "error",
                f"Left out: {counted(len(library.problems), 'handout file')} that could not be "
                "read; 'frontdesk handouts check' names each file, line and reason.",
            )
        elif self.notice:
            self.banner.show_message("success", self.notice)
        else:
            self.banner.clear()
        self.notice = ""
        self._show_folder()
        self.loaded = True

    def fit_columns(self) -> None:
        """The titles get all the room they need, or what is left beside the short columns
        once the evidence keeps a few words: a title wraps only when it must."""
        if not shiboken6.isValid(self.table):  # the timer of a list shown as it closed
            return
        header = self.table.horizontalHeader()
        short = sum(header.sectionSize(column) for column in range(1, 6))
        spare = self.table.viewport().width() - short
        letter = self.table.fontMetrics().averageCharWidth()
        wanted = self.table.sizeHintForColumn(0)
        header.resizeSection(0, max(min(wanted, spare - 14 * letter), 18 * letter))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.table_viewport:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def _load_failed(self, message: str) -> None:
        self.banner.show_message("error", f"Could not read the handout reviews. {message}")

    def _show_folder(self) -> None:
        state = " (not made yet: Open the folder makes it)" if self.folder_exists is False else ""
        self.folder_label.setText(f"The practice's handout folder: {self.folder}{state}")

    def selected_row(self) -> ReviewRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        record = self.model.record(rows[0].row())
        return record if isinstance(record, ReviewRow) else None

    def record_selected(self) -> RecordReviewDialog | None:
        """Open the dialog for the selected handout (the first one when none is selected)."""
        if not self.can_record:
            self.banner.show_message("info", "Only an administrator records handout reviews.")
            return None
        row = self.selected_row()
        if row is None and self.model.rowCount() > 0:
            self.table.selectRow(0)
            row = self.selected_row()
        if row is None:
            return None
        # Its day of the review starts as the practice's today (the zone is read by now,
        # with the rows; read it here should it not be).
        today = self._today() or practice_clock.today(self.screen.services)
        dialog = RecordReviewDialog(self.screen, row.entry.handout, self, today=today)
        dialog.accepted.connect(self._recorded)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _recorded(self) -> None:
        dialog = self.dialog
        if dialog is not None and dialog.record is not None:
            record = dialog.record
            self.notice = (
                f"Review recorded: {record.title} ({record.language}, version "
                f"{record.version}), reviewed {record.reviewed_on:%m/%d/%Y} by "
                f"{record.reviewer}."
            )
        self.reload()

    def open_folder(self) -> None:
        """Make the folder if needed (on the Runner: it writes the guide), then open it."""
        folder = self.folder

        def opened(path: Path) -> None:
            self.folder_exists = True
            self._show_folder()
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

        self.screen.runner.run(
            lambda: handouts.create_practice_folder(folder),
            opened,
            lambda message: self.banner.show_message("error", message),
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.loaded:
            self.reload()  # a file may have been edited since
