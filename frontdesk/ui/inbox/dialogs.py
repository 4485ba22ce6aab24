"""The inbox's forms: their base, discard a document with a reason, split a fax by pages, and
the base of the forms that create a history entry from a report."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from frontdesk.domain.errors import ValidationError
from frontdesk.domain.plurals import counted
from frontdesk.services.inbox import filing, pages
from frontdesk.services.inbox.data import InboxRow, Suggestions
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    plain_label,
)
from frontdesk.ui.widgets.saving_form import FormDialog
from frontdesk.ui.widgets.screen_fit import fit_to_screen


def _buttons(dialog: FormDialog, action: QPushButton, keep_text: str) -> QHBoxLayout:
    action.setDefault(True)
    action.clicked.connect(dialog.save)
    dialog.follow_gate(action)
    keep = QPushButton(keep_text)
    keep.setToolTip("Close without changing anything (Esc)")
    keep.setAutoDefault(False)
    keep.clicked.connect(dialog.reject)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(keep)
    row.addWidget(action)
    return row


class InboxForm(FormDialog):
    """A form of the inbox: it saves through one service call, and ``done(result)`` fires
    with what the call returned once it is saved (a refusal shows in place)."""

    done = Signal(object)
    screen: ScreenContext

    def run_save(self, call: Callable[[], object]) -> None:
        self.screen.runner.run(call, self._saved, failure=self.save_error)

    def _saved(self, result: object) -> None:
        self.end_save()
        self.mark_clean()
        self.done.emit(result)
        self.accept()


class NewEntryForm(InboxForm):
    """A history entry the chart lacks, as a report describes it: the person checks and
    completes the fields, then saving creates the entry and files the report to it;
    ``done(Filed)`` fires once both are done.

    A subclass names its entry (``TITLE``, ``NOUN``, ``SAVE_TIP``, ``DISCARD_TEXT``) and its
    service call (``file_as_new``), and answers ``add_fields()``, ``snapshot()`` and ``form()``.
    """

    DISCARD_TITLE = "Leave the report in the inbox?"
    TITLE: str
    NOUN: str
    SAVE_TIP: str
    # filing.file_as_new_study or filing.file_as_new_surgery.
    file_as_new: Callable[..., filing.Filed]

    def __init__(
        self,
        screen: ScreenContext,
        row: InboxRow,
        suggestions: Suggestions,
        patient_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.row = row
        self.patient_id = patient_id
        self.setWindowTitle(self.TITLE)
        self.setAccessibleName(self.TITLE)
        self.fields = FormFields()
        self.banner = Banner()
        self.rows = form_layout()
        first = self.add_fields(suggestions)
        save = mark_primary(QPushButton(f"Create the {self.NOUN} and &file"))
        save.setToolTip(self.SAVE_TIP)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                "Filled in from the report: check each line against the page, then create it.",
                wrap=True,
            )
        )
        layout.addWidget(self.banner)
        layout.addLayout(self.rows)
        layout.addLayout(_buttons(self, save, "Cancel"))
        # Wide enough that a facility's name and a line of findings read in full.
        fit_to_screen(self, QSize(560, self.sizeHint().height()))
        first.setFocus()
        self.mark_clean()

    def add_fields(self, suggestions: Suggestions) -> QWidget:
        """Add the entry's fields to ``self.rows``, filled in from the report; return the
        field that takes the focus first."""
        raise NotImplementedError

    def form(self) -> object:
        raise NotImplementedError

    def save(self) -> None:
        if self.save_refused():
            return
        self.begin_save()
        self.fields.clear_messages()
        call = partial(
            self.file_as_new,
            self.screen.services,
            self.row.id,
            self.patient_id,
            self.form(),
            expected_version=self.row.version,
        )
        self.run_save(call)


class DiscardDialog(InboxForm):
    """``done(int)`` fires with the document's id once it is discarded."""

    DISCARD_TITLE = "Keep it in the inbox?"
    DISCARD_TEXT = "Close without discarding and lose the reason typed?"

    def __init__(self, screen: ScreenContext, row: InboxRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.screen = screen
        self.row = row
        self.setWindowTitle("Discard a document")
        self.setAccessibleName("Discard a document")
        self.fields = FormFields()
        self.banner = Banner()
        form = form_layout()
        self.reason = line_edit("Reason for discarding", "junk fax, wrong number, duplicate…", 500)
        add_form_row(form, self.fields, "reason", "&Reason *", self.reason)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                f"{row.file_name} ({counted(row.page_count, 'page')}) "
                "leaves the inbox. The file is kept "
                "for the period the practice sets, and the reason is recorded.",
                wrap=True,
            )
        )
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(_buttons(self, QPushButton("&Discard it"), "&Keep it"))
        # Wide enough for the file name and the reason's example to read in full.
        fit_to_screen(self, QSize(520, self.sizeHint().height()))
        self.reason.setFocus()
        self.mark_clean()

    def snapshot(self) -> str:
        return self.reason.text().strip()

    def save(self) -> None:
        if self.save_refused():
            return
        self.begin_save()
        self.fields.clear_messages()
        services, row, reason = self.screen.services, self.row, self.reason.text()

        def discard() -> int:
            filing.discard(services, row.id, reason, expected_version=row.version)
            return row.id

        self.run_save(discard)


class SplitDialog(InboxForm):
    """``done(list[int])`` fires with the new documents' ids once the fax is split."""

    DISCARD_TITLE = "Leave the fax whole?"
    DISCARD_TEXT = "Close without splitting and lose the page ranges typed?"

    def __init__(self, screen: ScreenContext, row: InboxRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.screen = screen
        self.row = row
        self.setWindowTitle("Split a fax into documents")
        self.setAccessibleName("Split a fax into documents")
        self.fields = FormFields()
        self.banner = Banner()
        form = form_layout()
        half = max(1, row.page_count // 2)
        example = f"1-{half}, {half + 1}-{row.page_count}"  # a "5-2" example misleads
        self.ranges = line_edit("Page ranges", example, 200)
        add_form_row(form, self.fields, "pages", "&Parts (pages) *", self.ranges)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                f"{row.file_name} has {row.page_count} pages. Type each part's pages in order, "
                f"for example {example}: each part becomes a document of its own "
                "with its own suggestions.",
                wrap=True,
            )
        )
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(_buttons(self, QPushButton("&Split"), "&Cancel"))
        fit_to_screen(self, QSize(520, self.sizeHint().height()))
        self.ranges.setFocus()
        self.mark_clean()

    def snapshot(self) -> str:
        return self.ranges.text().strip()

    def save(self) -> None:
        if self.save_refused():
            return
        self.fields.clear_messages()
        try:
            parts = pages.parse_ranges(self.ranges.text(), self.row.page_count)
        except ValidationError as error:
            self.show_refusal(error)
            return
        self.begin_save()
        call = partial(
            pages.split, self.screen.services, self.row.id, parts, expected_version=self.row.version
        )
        self.run_save(call)
