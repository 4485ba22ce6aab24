"""The quick-intake form: a consultation request recorded during a phone call, keyboard only."""

from __future__ import annotations

import itertools
from datetime import date
from functools import partial

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.dates import parse_date
from frontdesk.domain.duplicates import birth_dates_to_compare
from frontdesk.domain.errors import (
    DatabaseUnavailableError,
    SavedAfterAll,
    SaveOutcomeUnknownError,
)
from frontdesk.domain.history_vocab import BodyRegion, ImagingModality, Procedure
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import Channel, RedFlag
from frontdesk.services.patients.forms import (
    DuplicateCandidate,
    PatientForm,
    PatientSummary,
    PossibleDuplicatesError,
    SearchPage,
)
from frontdesk.services.patients.search import search
from frontdesk.services.practice import settings
from frontdesk.services.requests import intake, linking
from frontdesk.services.requests.data import (
    IntakeForm,
    ReportedSurgery,
    RequestData,
    RequestDetail,
)
from frontdesk.services.requests.linking import ChartLinkCheck
from frontdesk.ui.connection_monitor import watch_saving_gate
from frontdesk.ui.patients.duplicates import DuplicatesDialog
from frontdesk.ui.patients.referrer_picker import ReferrerPicker
from frontdesk.ui.practice_day import PracticeDay
from frontdesk.ui.requests.linked_chart import LinkedChartDialog
from frontdesk.ui.runner import LatestOnly, user_message
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import ERROR_BACKGROUND, ERROR_INK, mark_primary
from frontdesk.ui.widgets.date_field import check_date_field
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    multiline_edit,
    plain_label,
    show_start,
)
from frontdesk.ui.widgets.saving_form import FormDialog
from frontdesk.ui.widgets.screen_fit import fit_to_screen
from frontdesk.ui.widgets.scrolling import keep_focus_in_view

REQUEST_SAVED_AFTER_ALL = (
    "Request recorded. The connection to the server dropped just as it was saved; a check "
    "once it was back found it saved, and the work queue shows it. Do not enter it again: "
    "close this window."
)
REQUEST_OUTCOME_UNKNOWN = (
    "The connection to the server dropped while saving, so whether this request was "
    "recorded is not known yet. Once the connection is back, look for it in the work queue "
    "before saving it again; what you typed stays here."
)
TITLE = "New consultation request"
LOOKUP_DELAY_MS = 150
LOOKUP_RETRY_MS = 2000
MAX_MATCHES = 8
SURGERY_DETAIL_ROWS = 3

# Under the red-flag instruction: what saving the form as it stands records.
FLAGGED_NOTE = "The request is marked urgent and the record shows this instruction was given."
UNFLAGGED_URGENT_NOTE = (
    "No red flag is ticked now: the record will not show this instruction as given. The "
    "request is marked urgent by the Urgent box."
)
UNFLAGGED_ROUTINE_NOTE = (
    "No red flag is ticked now: the request is saved as routine and the record will not show "
    "this instruction as given."
)

INTAKE_STYLE = f"""
QFrame#redFlagInstruction {{
    background: {ERROR_BACKGROUND};
    border: 2px solid {ERROR_INK};
    border-radius: 4px;
}}
QFrame#redFlagInstruction QLabel {{
    color: {ERROR_INK};
    font-weight: 600;
}}
QLabel#redFlagTitle {{
    font-size: 13pt;
}}
"""


class RedFlagPanel(QGroupBox):
    """The red-flag screen. Any tick shows the practice's instruction, which then stays on
    screen for the rest of the call: once shown it is never hidden again."""

    ticked_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Red flags: ask every caller", parent)
        self.setAccessibleName("Red flags")
        self.boxes: dict[RedFlag, QCheckBox] = {}
        grid = QGridLayout()
        for index, flag in enumerate(RedFlag):
            box = QCheckBox(flag.label)
            box.setAccessibleName(f"Red flag: {flag.label}")
            box.toggled.connect(self._toggled)
            self.boxes[flag] = box
            grid.addWidget(box, index // 2, index % 2)
        # Without this, unticked boxes say nothing: "asked, all no" is not "never asked".
        self.all_asked = QCheckBox(
            "I asked every question above: the caller said no to each box left unticked"
        )
        self.all_asked.setAccessibleName("Red-flag questions all asked")
        self.all_asked.setToolTip(
            "Tick once you have asked all the red-flag questions; the request then records "
            "who asked, when, and each answer"
        )
        grid.addWidget(self.all_asked, (len(RedFlag) + 1) // 2, 0, 1, 2)
        self.instruction_frame = QFrame()
        self.instruction_frame.setObjectName("redFlagInstruction")
        column = QVBoxLayout(self.instruction_frame)
        column.setContentsMargins(12, 8, 12, 8)
        title = plain_label("RED FLAG: READ THIS TO THE CALLER NOW", "redFlagTitle")
        self.instruction = plain_label(settings.RED_FLAG_INSTRUCTION.default, wrap=True)
        self.instruction.setAccessibleName("Red-flag instruction")
        self.instruction.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.given_note = plain_label(FLAGGED_NOTE, wrap=True)
        self.given_note.setAccessibleName("What saving records")
        column.addWidget(title)
        column.addWidget(self.instruction)
        column.addWidget(self.given_note)
        self.instruction_frame.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.instruction_frame)
        self.shown_once = False

    def set_instruction(self, text: str) -> None:
        self.instruction.setText(text)

    def ticked(self) -> tuple[str, ...]:
        return tuple(flag.value for flag, box in self.boxes.items() if box.isChecked())

    def say_what_is_saved(self, *, urgent: bool) -> None:
        """The instruction stays once shown, but the sentence under it must stay true of what
        saving records now: a flag unticked again records no instruction given."""
        if self.ticked():
            text = FLAGGED_NOTE
        elif urgent:
            text = UNFLAGGED_URGENT_NOTE
        else:
            text = UNFLAGGED_ROUTINE_NOTE
        self.given_note.setText(text)

    def _toggled(self, _checked: bool) -> None:
        any_ticked = bool(self.ticked())
        if any_ticked and not self.shown_once:
            self.shown_once = True
            self.instruction_frame.show()
        self.ticked_changed.emit(any_ticked)


class IntakeDialog(FormDialog):
    """``saved(RequestData)`` fires once the request is stored; the dialog then closes."""

    saved = Signal(object)
    # The call was added to the chart's open request (RequestDetail) instead of a new one.
    call_added = Signal(object)
    open_chart_requested = Signal(int)
    DISCARD_TITLE = "Discard this request?"
    DISCARD_TEXT = "The request is not saved. Discard what was typed?"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        # Today in the practice: a typed birth date's two-digit year and ages are read on it.
        self.practice_day = PracticeDay(screen.services)
        self.heading = plain_label(TITLE, "pageTitle")
        self.set_title(TITLE)
        self.setStyleSheet(INTAKE_STYLE)
        self.linked: PatientSummary | None = None
        self.duplicates: DuplicatesDialog | None = None
        self.link_dialog: LinkedChartDialog | None = None
        self.fields = FormFields()
        self.banner = Banner()

        self.red_flags = RedFlagPanel()
        self.red_flags.ticked_changed.connect(self._red_flag_ticked)

        # Patient and caller -------------------------------------------------------------
        left = form_layout()
        self.last_name = line_edit("Last name", max_length=100)
        self.first_name = line_edit("First name", max_length=100)
        self.date_of_birth = line_edit("Date of birth", "MM/DD/YYYY")
        add_form_row(left, self.fields, "last_name", "Last &name *", self.last_name)
        add_form_row(left, self.fields, "first_name", "&First name *", self.first_name)
        add_form_row(left, self.fields, "date_of_birth", "Date of &birth *", self.date_of_birth)
        check_date_field(
            self.date_of_birth, self.fields.message("date_of_birth"), self.practice_day
        )
        self.matches = QListWidget()
        self.matches.setAccessibleName("Existing patients that match")
        self.matches.setFixedHeight(96)
        # Name, birth date, MRN and phone wrap under each other rather than run off the side.
        self.matches.setWordWrap(True)
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Enter links the highlighted chart and must not also reach the dialog's Save.
        self.matches.itemDoubleClicked.connect(self._link_item)
        self.matches.installEventFilter(self)
        self.match_hint = plain_label(
            "Existing charts appear here as you type; Down then Enter links one.",
            "hint",
            wrap=True,
        )
        self.linked_label = plain_label("", wrap=True)
        self.linked_label.setAccessibleName("Linked chart")
        self.unlink_button = QPushButton("Unlin&k")
        self.unlink_button.setToolTip("Create a new chart instead of using this one (Alt+K)")
        self.unlink_button.clicked.connect(self.unlink)
        linked_row = QHBoxLayout()
        linked_row.addWidget(self.linked_label, 1)
        linked_row.addWidget(self.unlink_button)
        match_column = QVBoxLayout()
        match_column.addWidget(self.matches)
        match_column.addWidget(self.match_hint)
        match_column.addLayout(linked_row)
        add_form_row(left, self.fields, "patient_id", "Matches", _wrap(match_column, self.matches))
        self.phone = line_edit("Phone", "(217) 555-0142")
        self.email = line_edit("Email")
        add_form_row(
            left, self.fields, "phone", "&Phone *", self.phone, "A phone or an email is required"
        )
        add_form_row(left, self.fields, "email", "E&mail", self.email)
        self.channel = QComboBox()
        self.channel.setAccessibleName("Channel")
        for channel in Channel:
            self.channel.addItem(channel.label, channel.value)
        add_form_row(left, self.fields, "channel", "C&hannel *", self.channel)
        self.caller_name = line_edit("Caller", "Blank when the patient calls")
        self.caller_relationship = line_edit("Relationship to the patient", "self, wife, son…")
        add_form_row(left, self.fields, "caller_name", "Ca&ller", self.caller_name)
        add_form_row(
            left, self.fields, "caller_relationship", "Rela&tionship", self.caller_relationship
        )
        self.referrer = ReferrerPicker(screen, "Referring physician")
        add_form_row(left, self.fields, "referrer_id", "&Referred by", self.referrer)
        self.language = line_edit("Preferred language", "English")
        self.interpreter = QCheckBox("Interpreter needed")
        language_row = QHBoxLayout()
        language_row.setContentsMargins(0, 0, 0, 0)
        language_row.addWidget(self.language, 1)
        language_row.addWidget(self.interpreter)
        add_form_row(left, self.fields, "language", "Lan&guage", _wrap(language_row, self.language))

        # Why and what -------------------------------------------------------------------
        right = form_layout()
        self.reason = multiline_edit("Reason in the caller's words", rows=2)
        add_form_row(right, self.fields, "reason", "Re&ason *", self.reason)
        self.category = QComboBox()
        self.category.setAccessibleName("Category")
        self.category.addItem("Choose a category", "")
        for category in RequestCategory:
            self.category.addItem(category.label, category.value)
        add_form_row(right, self.fields, "category", "Categor&y *", self.category)
        self.regions: dict[BodyRegion, QCheckBox] = {}
        region_row = QHBoxLayout()
        region_row.setContentsMargins(0, 0, 0, 0)
        for region in BodyRegion:
            box = QCheckBox(region.label)
            box.setAccessibleName(f"Region: {region.label}")
            self.regions[region] = box
            region_row.addWidget(box)
        region_row.addStretch(1)
        first_region = self.regions[next(iter(BodyRegion))]
        add_form_row(right, self.fields, "body_regions", "Region", _wrap(region_row, first_region))
        self.prior_surgery = QComboBox()
        self.prior_surgery.setAccessibleName("Prior spine surgery")
        for text, value in (("Not asked", None), ("No", False), ("Yes", True)):
            self.prior_surgery.addItem(text, value)
        self.surgery_count = line_edit("How many operations", "how many")
        self.surgery_year = line_edit("Year of the last operation", "last year")
        surgery_row = QHBoxLayout()
        surgery_row.setContentsMargins(0, 0, 0, 0)
        surgery_row.addWidget(self.prior_surgery)
        surgery_row.addWidget(self.surgery_count)
        surgery_row.addWidget(self.surgery_year)
        self.prior_surgery.currentIndexChanged.connect(self._surgery_changed)
        add_form_row(
            right,
            self.fields,
            "prior_surgery_count",
            "Prior s&urgery",
            _wrap(surgery_row, self.prior_surgery),
        )
        self.fields.add(
            "prior_surgery_last_year", self.surgery_year, self.fields.message("prior_surgery_count")
        )
        # What the caller can say of each operation: a structured draft the chart confirms.
        self.surgery_rows: list[tuple[QComboBox, QLineEdit, QLineEdit]] = []
        drafts = QVBoxLayout()
        drafts.setContentsMargins(0, 0, 0, 0)
        for number in range(1, SURGERY_DETAIL_ROWS + 1):
            procedure = QComboBox()
            procedure.setAccessibleName(f"Operation {number}: procedure")
            procedure.addItem("procedure not known", "")
            for choice in Procedure:
                if choice is not Procedure.OTHER:
                    procedure.addItem(choice.label, choice.value)
            procedure.addItem("Other", Procedure.OTHER.value)
            # The long names ("ACDF (anterior cervical …)") must not squeeze the levels out.
            procedure.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            procedure.setMinimumContentsLength(16)
            levels = line_edit(f"Operation {number}: levels", "levels (L4-L5)")
            levels.setMinimumWidth(110)
            year = line_edit(f"Operation {number}: year", "year")
            year.setFixedWidth(64)
            line = QHBoxLayout()
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(procedure, 1)
            line.addWidget(levels, 1)
            line.addWidget(year)
            drafts.addLayout(line)
            self.surgery_rows.append((procedure, levels, year))
        add_form_row(
            right,
            self.fields,
            "surgery_0_levels",
            "Each operation",
            _wrap(drafts, self.surgery_rows[0][0]),
            "As the caller says it; the chart keeps it as a draft to confirm",
        )
        for index in range(SURGERY_DETAIL_ROWS):
            for part, widget in zip(
                ("procedure", "levels", "year"), self.surgery_rows[index], strict=True
            ):
                key = f"surgery_{index}_{part}"
                if key != "surgery_0_levels":
                    self.fields.add(key, widget, self.fields.message("surgery_0_levels"))
        self.imaging_modality = QComboBox()
        self.imaging_modality.setAccessibleName("Imaging done")
        self.imaging_modality.addItem("None mentioned", "")
        for modality in (ImagingModality.MRI, ImagingModality.CT, ImagingModality.XRAY):
            self.imaging_modality.addItem(modality.label, modality.value)
        # Narrow boxes: a long imaging centre or plan shows its first words, not its last.
        self.imaging_when = show_start(line_edit("When the imaging was done", "when (May 2024)"))
        self.imaging_where = show_start(line_edit("Where the imaging was done", "where"))
        imaging_row = QHBoxLayout()
        imaging_row.setContentsMargins(0, 0, 0, 0)
        imaging_row.addWidget(self.imaging_modality)
        imaging_row.addWidget(self.imaging_when)
        imaging_row.addWidget(self.imaging_where, 1)
        add_form_row(
            right,
            self.fields,
            "imaging_when",
            "&Imaging",
            _wrap(imaging_row, self.imaging_modality),
        )
        self.fields.add("imaging_where", self.imaging_where, self.fields.message("imaging_when"))
        self.insurance = show_start(line_edit("Insurance", "payer and plan"))
        add_form_row(right, self.fields, "insurance_note", "Insuran&ce", self.insurance)
        self.preferred_days = show_start(line_edit("Preferred days", "days (Mon, Wed)"))
        self.preferred_times = show_start(line_edit("Preferred times", "times (mornings)"))
        prefer_row = QHBoxLayout()
        prefer_row.setContentsMargins(0, 0, 0, 0)
        prefer_row.addWidget(self.preferred_days)
        prefer_row.addWidget(self.preferred_times)
        add_form_row(
            right, self.fields, "preferred_days", "Pr&efers", _wrap(prefer_row, self.preferred_days)
        )
        self.notes = multiline_edit("Notes", rows=2)
        add_form_row(right, self.fields, "notes", "N&otes", self.notes)
        self.urgent = QCheckBox("Urgent (a red flag makes it urgent)")
        self.urgent.setAccessibleName("Urgent")
        self.urgent.toggled.connect(self._say_what_is_saved)
        self._urgent_before_flags = False
        right.addRow("", self.urgent)

        columns = QHBoxLayout()
        left_box, right_box = QWidget(), QWidget()
        left_box.setLayout(left)
        right_box.setLayout(right)
        # Top-aligned: each column keeps its rows together instead of spreading them out.
        columns.addWidget(left_box, 1, Qt.AlignmentFlag.AlignTop)
        columns.addSpacing(16)
        columns.addWidget(right_box, 1, Qt.AlignmentFlag.AlignTop)
        body = QWidget()
        body.setLayout(columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        keep_focus_in_view(scroll)

        self.save_button = mark_primary(QPushButton("&Save request"))
        self.save_button.setToolTip("Save the request (Enter or Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        # Paused while the practice server is unreachable; the typing stays in the form.
        self.follow_gate(self.save_button)
        cancel = self.cancel_button = QPushButton("Cancel")
        cancel.setToolTip("Close without saving (Esc)")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(plain_label("* required", "hint"))
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)

        # The red flags sit above the scrolling part, so the instruction is always in view.
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.red_flags)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+S"), self).activated.connect(self.save)
        # Tab runs down the call: who, why, what was done, then the red-flag questions, Save.
        chain: list[QWidget] = [self.notes, self.urgent, *self.red_flags.boxes.values()]
        chain.append(self.red_flags.all_asked)
        chain.append(self.save_button)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

        self._surgery_changed()
        self.unlink()
        self.lookups = LatestOnly(screen.runner)
        # What the banner says while the charts that match could not be looked up ("" when
        # they could): the lookup runs again by itself until the server answers, at once when
        # an outage ends (a restart short enough to end no outage is caught by the retry).
        self.lookup_problem = ""
        self._lookup_retry = QTimer(self)
        self._lookup_retry.setSingleShot(True)
        self._lookup_retry.setInterval(LOOKUP_RETRY_MS)
        self._lookup_retry.timeout.connect(self._retry_lookup)
        # A lambda, as elsewhere: a bound method of a deleted dialog cannot be disconnected.
        watch_saving_gate(self, lambda allowed: self._server_back(allowed))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOOKUP_DELAY_MS)
        self._timer.timeout.connect(self._look_up)
        for edit in (self.last_name, self.first_name, self.date_of_birth):
            edit.textEdited.connect(self._typed)
            # Down from where the name is typed reaches the charts that match it.
            edit.installEventFilter(self)
        self.mark_clean()
        fit_to_screen(self, QSize(1160, 780))
        self.last_name.setFocus()
        screen.runner.run(
            partial(settings.get_setting, screen.services, settings.RED_FLAG_INSTRUCTION),
            self.red_flags.set_instruction,
        )

    def set_title(self, title: str) -> None:
        """The window's title and the form's heading say the same (a referral's intake says
        where it comes from in both)."""
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.heading.setText(title)

    def regions_box(self, code: str) -> QCheckBox:
        return self.regions[BodyRegion(code)]

    # The patient -------------------------------------------------------------------------

    def _typed(self, _text: str) -> None:
        if self.linked is not None:
            self.unlink()
        self._timer.start()

    def _look_up(self) -> None:
        name = f"{self.last_name.text()} {self.first_name.text()}".strip()
        text = name if len(name) >= 2 else self.date_of_birth.text().strip()
        if not text:
            self._lookup_settled()
            self.matches.clear()
            return
        self.lookups.run(
            partial(search, self.screen.services, text, limit=MAX_MATCHES * 3),
            self._show_matches,
            failure=self._lookup_failed,
        )

    def _lookup_failed(self, error: Exception) -> None:
        if not isinstance(error, DatabaseUnavailableError):
            self.banner.show_message("error", user_message(error))
            return
        self.lookup_problem = (
            f"Existing charts could not be looked up ({user_message(error).rstrip('.')}); "
            "they show here by themselves once the server answers."
        )
        self.banner.show_message("error", self.lookup_problem)
        self._lookup_retry.start()

    def _retry_lookup(self) -> None:
        if self.lookup_problem:
            self._look_up()

    def _server_back(self, allowed: bool) -> None:
        if allowed:
            self._retry_lookup()

    def _lookup_settled(self) -> None:
        """The matches are right again: the banner no longer says they could not be found."""
        if self.lookup_problem and self.banner.text == self.lookup_problem:
            self.banner.clear()
        self.lookup_problem = ""

    def _show_matches(self, page: SearchPage) -> None:
        self._lookup_settled()
        typed_birth = self.date_of_birth.text().strip()
        items = list(page.items)
        born = _parse_birth(typed_birth, self.practice_day())
        if born is not None:
            # The same date of birth first: that is almost certainly the caller's chart; then
            # the day/month-swapped one the duplicate check would also name (3/4 typed as 4/3).
            ranks = {day: rank for rank, day in enumerate(birth_dates_to_compare(born))}
            items.sort(key=lambda item: ranks.get(item.date_of_birth, len(ranks)))
        self.matches.clear()
        for summary in items[:MAX_MATCHES]:
            text = (
                f"{summary.display_name}  ·  born {summary.date_of_birth:%m/%d/%Y}  ·  "
                f"{summary.mrn}" + (f"  ·  {summary.phone_display}" if summary.phone else "")
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, summary)
            self.matches.addItem(item)
        self.match_hint.setText(
            "Down then Enter links the highlighted chart; or keep typing for a new chart."
            if items
            else "No existing chart matches: a new chart will be created."
        )

    def _link_item(self, item: QListWidgetItem) -> None:
        self.link(item.data(Qt.ItemDataRole.UserRole))

    def link(self, summary: PatientSummary) -> None:
        self.linked = summary
        self.linked_label.setText(
            f"Linked to {summary.display_name}, born {summary.date_of_birth:%m/%d/%Y} "
            f"({summary.mrn})"
        )
        self.last_name.setText(summary.last_name)
        self.first_name.setText(summary.first_name)
        self.date_of_birth.setText(f"{summary.date_of_birth:%m/%d/%Y}")
        if summary.phone and not self.phone.text().strip():
            self.phone.setText(summary.phone_display)
        if summary.preferred_language and not self.language.text().strip():
            self.language.setText(summary.preferred_language)
            self.interpreter.setChecked(summary.interpreter_needed)
        self.unlink_button.show()
        self.phone.setFocus()

    def unlink(self) -> None:
        self.linked = None
        self.linked_label.setText("Not linked: saving creates a new chart.")
        self.unlink_button.hide()

    # Red flags ---------------------------------------------------------------------------

    def _red_flag_ticked(self, any_ticked: bool) -> None:
        if any_ticked and self.urgent.isEnabled():
            # The first flag: remember the box, so unticking every flag puts it back.
            self._urgent_before_flags = self.urgent.isChecked()
            self.urgent.setChecked(True)
        elif not any_ticked and not self.urgent.isEnabled():
            self.urgent.setChecked(self._urgent_before_flags)
        self.urgent.setEnabled(not any_ticked)
        self._say_what_is_saved()

    def _say_what_is_saved(self) -> None:
        self.red_flags.say_what_is_saved(urgent=self.urgent.isChecked())

    def _surgery_changed(self) -> None:
        yes = self.prior_surgery.currentData() is True
        self.surgery_count.setEnabled(yes)
        self.surgery_year.setEnabled(yes)
        for row in self.surgery_rows:
            for widget in row:
                widget.setEnabled(yes)

    def reported_surgeries(self) -> tuple[ReportedSurgery, ...]:
        said = (
            ReportedSurgery(str(procedure.currentData() or ""), levels.text(), year.text())
            for procedure, levels, year in self.surgery_rows
        )
        return tuple(surgery for surgery in said if not surgery.blank)

    # Saving ------------------------------------------------------------------------------

    def form(self) -> IntakeForm:
        prior = self.prior_surgery.currentData()
        return IntakeForm(
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            date_of_birth=self.date_of_birth.text(),
            patient_id=self.linked.id if self.linked else None,
            phone=self.phone.text(),
            email=self.email.text(),
            channel=str(self.channel.currentData()),
            caller_name=self.caller_name.text(),
            caller_relationship=self.caller_relationship.text(),
            referrer_id=self.referrer.referrer_id,
            reason=self.reason.toPlainText(),
            category=str(self.category.currentData() or ""),
            body_regions=tuple(r.value for r, box in self.regions.items() if box.isChecked()),
            prior_surgery=prior,
            prior_surgery_count=self.surgery_count.text() if prior else None,
            prior_surgery_last_year=self.surgery_year.text() if prior else None,
            surgeries=self.reported_surgeries() if prior else (),
            imaging_modality=str(self.imaging_modality.currentData() or ""),
            imaging_when=self.imaging_when.text(),
            imaging_where=self.imaging_where.text(),
            insurance_note=self.insurance.text(),
            preferred_days=self.preferred_days.text(),
            preferred_times=self.preferred_times.text(),
            language=self.language.text(),
            interpreter_needed=self.interpreter.isChecked(),
            notes=self.notes.toPlainText(),
            red_flags=self.red_flags.ticked(),
            red_flags_asked=self.red_flags.all_asked.isChecked(),
            urgent=self.urgent.isChecked(),
        )

    def snapshot(self) -> IntakeForm:
        return self.form()

    def save(self, *, allow_duplicates: bool = False) -> None:
        if self.save_refused():
            return
        if self.referrer.is_unresolved():
            self.fields.show_messages(
                {"referrer_id": "pick the physician from the list, or Add… them"}
            )
            return
        if self.linked is not None:
            # An existing chart: its open request and changed contact details are asked first.
            self.begin_save()
            check = partial(linking.check_link, self.screen.services, self.linked.id, self.form())
            self.screen.runner.run(check, self._link_checked, failure=self._failed)
            return
        self._create(allow_duplicates=allow_duplicates)

    def _create(
        self,
        *,
        allow_duplicates: bool = False,
        update_chart: tuple[str, ...] = (),
        chart_version: int | None = None,
    ) -> None:
        self.begin_save()
        call = partial(
            intake.create_request,
            self.screen.services,
            self.form(),
            allow_duplicates=allow_duplicates,
            update_chart=update_chart,
            chart_version=chart_version,
        )
        self.screen.runner.run(call, self._saved, failure=self._failed)

    def _link_checked(self, check: ChartLinkCheck) -> None:
        self.end_save()
        if not check.needs_question or self.linked is None:
            self._create()
            return
        dialog = LinkedChartDialog(check, self.linked.display_name, self)
        dialog.add_to.connect(partial(self._add_call, check.chart_version))
        dialog.save_new.connect(
            lambda fields: self._create(update_chart=fields, chart_version=check.chart_version)
        )
        dialog.finished.connect(lambda _code: setattr(self, "link_dialog", None))
        self.link_dialog = dialog
        dialog.open()

    def _add_call(self, chart_version: int, request_id: int, fields: tuple[str, ...]) -> None:
        self.begin_save()
        call = partial(
            linking.add_call_to_request,
            self.screen.services,
            request_id,
            self.form(),
            update_chart=fields,
            chart_version=chart_version,
        )
        self.screen.runner.run(call, self._call_added, failure=self._failed)

    def _call_added(self, detail: RequestDetail) -> None:
        self.end_save()
        self.banner.clear()
        self.mark_clean()
        self.call_added.emit(detail)
        self.accept()

    def _saved(self, result: RequestData) -> None:
        self.end_save()
        self.banner.clear()
        self.mark_clean()
        self.saved.emit(result)
        self.accept()

    def _failed(self, error: Exception) -> None:
        if isinstance(error, PossibleDuplicatesError):
            self.end_save()
            self.banner.clear()
            self._show_duplicates(error.candidates)
        elif isinstance(error, SavedAfterAll):
            self.saved_after_all(REQUEST_SAVED_AFTER_ALL)
            self.cancel_button.setText("Close")
            self.cancel_button.setToolTip("Close this window (Esc)")
            if isinstance(error.result, RequestData):
                # The queue says "Request recorded …" and selects it once this was read.
                data = error.result
                self.finished.connect(lambda _code: self.saved.emit(data))
            elif isinstance(error.result, RequestDetail):
                detail = error.result
                self.finished.connect(lambda _code: self.call_added.emit(detail))
        elif isinstance(error, SaveOutcomeUnknownError):
            self.end_save()
            self.banner.show_message("error", REQUEST_OUTCOME_UNKNOWN)
        else:
            self.save_error(error)

    def _show_duplicates(self, candidates: tuple[DuplicateCandidate, ...]) -> None:
        form = PatientForm(
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            date_of_birth=self.date_of_birth.text(),
            mobile_phone=self.phone.text(),
        )
        dialog = DuplicatesDialog(form, candidates, self.practice_day(), self)
        # The dialog is gone (finished) by the time it says which chart: keep its list.
        dialog.open_existing.connect(partial(self._use_existing, candidates))
        dialog.create_anyway.connect(lambda: self.save(allow_duplicates=True))
        dialog.finished.connect(lambda _code: setattr(self, "duplicates", None))
        self.duplicates = dialog
        dialog.open()

    def _use_existing(self, candidates: tuple[DuplicateCandidate, ...], patient_id: int) -> None:
        # The caller already has a chart: link the request to it and save.
        chosen = next((c.patient for c in candidates if c.patient.id == patient_id), None)
        if chosen is not None:
            self.link(chosen)
            self.save()

    # Keys --------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        if watched is self.matches and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.matches.currentItem()
            if item is not None:
                self._link_item(item)
            return True
        if (
            watched in (self.last_name, self.first_name, self.date_of_birth)
            and event.key() == Qt.Key.Key_Down
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and self.matches.count()
        ):
            # As in patient search: Down goes to the matches, on the first one, so Down then
            # Enter links it (in a line edit Down would only scroll the form).
            self.matches.setFocus(Qt.FocusReason.OtherFocusReason)
            if self.matches.currentRow() < 0:
                self.matches.setCurrentRow(0)
            return True
        return super().eventFilter(watched, event)


def _wrap(layout: QHBoxLayout | QVBoxLayout, first: QWidget) -> QWidget:
    """Fields on one row as one form field; its label's Alt+letter and a message about the
    row focus ``first`` (a bare container takes no focus: typed keys would go nowhere)."""
    widget = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    widget.setLayout(layout)
    widget.setFocusProxy(first)
    # Rows keep their natural height; the form's spare room goes below the last row.
    widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
    return widget


def _parse_birth(text: str, today: date) -> date | None:
    try:
        return parse_date(text, today=today) if text else None
    except InvalidValue:
        return None
