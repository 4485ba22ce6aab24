"""The new/edit patient form: checked next to each field, duplicates and conflicts handled."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.services.kernel.clock import STAMP, clock_text
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import (
    FORM_FIELDS,
    AgeConfirmationNeeded,
    DuplicateCandidate,
    PatientData,
    PossibleDuplicatesError,
)
from frontdesk.services.patients.lookup import get_patient
from frontdesk.ui.patients.duplicates import DuplicatesDialog
from frontdesk.ui.patients.form_fields import FieldState, PatientFormFields, state_of
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.form import Banner, plain_label
from frontdesk.ui.widgets.saving_form import FormDialog
from frontdesk.ui.widgets.screen_fit import fit_to_screen
from frontdesk.ui.widgets.scrolling import keep_focus_in_view

LABELS = {
    "first_name": "first name",
    "middle_name": "middle name",
    "last_name": "last name",
    "preferred_name": "preferred name",
    "date_of_birth": "date of birth",
    "mobile_phone": "mobile phone",
    "home_phone": "home phone",
    "work_phone": "work phone",
    "preferred_language": "language",
    "interpreter_needed": "interpreter",
    "large_print": "large print",
    "preferred_contact": "preferred contact",
    "referring_id": "referring physician",
    "primary_care_id": "primary care physician",
}


class PatientEditor(FormDialog):
    """Create a chart (``patient=None``) or edit one.

    Enter saves; Esc cancels and asks first when something was typed. The service checks
    everything and its messages appear next to each field. An age over 120 is confirmed
    first; likely duplicates are shown side by side before a new chart is created; a save
    over someone else's newer save keeps what was typed and offers to reload theirs and
    re-apply it.
    """

    saved = Signal(object)  # PatientData
    open_chart_requested = Signal(int)
    DISCARD_TEXT = "You have changes that are not saved. Close the form and discard them?"

    def __init__(
        self,
        screen: ScreenContext,
        patient: PatientData | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.screen = screen
        self.patient = patient
        self.version = patient.version if patient is not None else None
        title = (
            "New patient"
            if patient is None
            else f"Edit patient — {patient.display_name} ({patient.mrn})"
        )
        self.setWindowTitle(title)
        self.setAccessibleName("New patient" if patient is None else "Edit patient")
        self.conflicted = False
        self._confirmed_birth_date: str | None = None
        self.age_question: QMessageBox | None = None
        self.duplicates: DuplicatesDialog | None = None

        self.banner = Banner()
        self.fields = PatientFormFields(screen)
        if patient is not None:
            self.fields.load(patient)
        self.mark_clean()

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.fields)
        keep_focus_in_view(scroll)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.buttons = self.save_cancel_buttons(
            save_text="Save patient" if patient is None else "Save changes", default=False
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save patient")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setToolTip("Close without saving (Esc)")
        # Paused while the practice server is unreachable; the typing stays in the form.
        self.follow_gate(self.save_button)

        self.last_change = plain_label("", "hint")
        if patient is not None:
            when = clock_text(patient.updated_at, patient.zone, STAMP)
            self.last_change.setText(f"Last changed by {patient.updated_by} at {when}")
        bottom = QHBoxLayout()
        bottom.addWidget(self.last_change, 1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        heading = plain_label(title, "sectionTitle")
        heading.setAccessibleName("Form title")
        layout.addWidget(heading)
        layout.addWidget(
            plain_label("Fields marked * are required. Enter saves, Esc cancels.", "hint")
        )
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)
        fit_to_screen(self, QSize(1000, 760))
        self.fields.first_field().setFocus()

    # Changes -----------------------------------------------------------------------------

    def snapshot(self) -> dict[str, FieldState]:
        return self.fields.state()

    def changed_keys(self) -> list[str]:
        state = self.fields.state()
        before = self._baseline
        assert isinstance(before, dict)
        return [key for key in FORM_FIELDS if state[key] != before[key]]

    # Saving ------------------------------------------------------------------------------

    def save(self, *, allow_duplicates: bool = False) -> None:
        if self.save_refused():
            return
        unresolved = self.fields.unresolved_pickers()
        if unresolved:
            self.fields.show_messages(unresolved)
            self.banner.show_message("error", "Not saved: please correct the marked fields.")
            return
        form = self.fields.form()
        confirm_age = self._confirmed_birth_date == self.fields.edits["date_of_birth"].text()
        context = self.screen.services
        if self.patient is None:
            call = partial(
                create_patient,
                context,
                form,
                confirm_age=confirm_age,
                allow_duplicates=allow_duplicates,
            )
        else:
            call = partial(
                update_patient,
                context,
                self.patient.id,
                form,
                self.version,
                confirm_age=confirm_age,
            )
        self.begin_save()
        self.screen.runner.run(call, self._on_result, failure=self._on_error)

    def _on_result(self, result: PatientData) -> None:
        self.end_save()
        self.fields.fields.clear_messages()
        self.banner.clear()
        self.mark_clean()
        self.saved.emit(result)
        self.done(QDialog.DialogCode.Accepted)

    def _on_error(self, error: Exception) -> None:
        if isinstance(error, AgeConfirmationNeeded):  # before ValidationError: it is one
            self.end_save()
            self.banner.clear()
            self._ask_age(error.age)
        elif isinstance(error, PossibleDuplicatesError):
            self.end_save()
            self.banner.clear()
            self._show_duplicates(error.candidates)
        elif isinstance(error, ValidationError | ConflictError):
            self.end_save()
            self._show_rejected(error)
        else:
            self.save_error(error)  # also a save whose reply was lost

    def _show_rejected(self, error: ValidationError | ConflictError) -> None:
        if isinstance(error, ConflictError):
            self.conflicted = True
            self.banner.show_message(
                "error",
                f"Not saved. {error} What you typed is still in the form.",
                ("Load their version and re-apply mine", self.reload_and_reapply),
            )
            return
        unplaced = self.fields.show_messages(error.fields)
        text = "; ".join(unplaced.values()) if unplaced else "please correct the marked fields."
        self.banner.show_message("error", f"Not saved: {text}")

    # Age over 120 --------------------------------------------------------------------------

    def _ask_age(self, age: int) -> None:
        typed = self.fields.edits["date_of_birth"].text()
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Check the date of birth")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"The date of birth {typed.strip()} makes this patient {age} years old.")
        box.setInformativeText("Is that date right?")
        keep = box.addButton("Yes, the date is right", QMessageBox.ButtonRole.AcceptRole)
        fix = box.addButton("Correct the date", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(fix)
        box.setEscapeButton(fix)
        self.age_question = box

        def answered() -> None:
            self.age_question = None
            if box.clickedButton() is keep:
                self._confirmed_birth_date = typed
                self.save()
            else:
                self.fields.show_messages(
                    {"date_of_birth": f"this makes the patient {age} years old; check the date"}
                )

        box.finished.connect(answered)
        box.open()

    # Duplicates ----------------------------------------------------------------------------

    def _show_duplicates(self, candidates: tuple[DuplicateCandidate, ...]) -> None:
        # Kept until the form closes (see ReferrerPicker.add_physician: no WA_DeleteOnClose).
        dialog = DuplicatesDialog(self.fields.form(), candidates, self.fields.practice_day(), self)
        dialog.open_existing.connect(self._open_existing)
        dialog.create_anyway.connect(lambda: self.save(allow_duplicates=True))
        dialog.finished.connect(lambda _code: setattr(self, "duplicates", None))
        self.duplicates = dialog
        dialog.open()

    def _open_existing(self, patient_id: int) -> None:
        # The person chose the existing chart: what was typed here is not wanted.
        self.mark_clean()
        self.open_chart_requested.emit(patient_id)
        self.done(QDialog.DialogCode.Rejected)

    # Someone else saved first -------------------------------------------------------------

    def reload_and_reapply(self) -> None:
        """Load the saved chart as it is now and put the fields this user changed on top."""
        if self.patient is None:
            return
        self.banner.show_message("info", "Loading the saved chart…")
        self.screen.runner.run(
            partial(get_patient, self.screen.services, self.patient.id, record_view=False),
            self._reapply,
            lambda message: self.banner.show_message(
                "error", f"Could not load the saved chart. {message}"
            ),
        )

    def _reapply(self, theirs: PatientData) -> None:
        mine = self.fields.state()
        changed = self.changed_keys()
        before = self._baseline
        assert isinstance(before, dict)
        their_state: dict[str, FieldState] = state_of(theirs)
        both = [
            key
            for key in changed
            if their_state[key] != before[key] and their_state[key] != mine[key]
        ]
        self.patient = theirs
        self.version = theirs.version
        self.fields.load(theirs)
        self.mark_clean()
        self.fields.restore(mine, changed)
        self.conflicted = False
        when = clock_text(theirs.updated_at, theirs.zone, STAMP)
        self.last_change.setText(f"Last changed by {theirs.updated_by} at {when}")
        text = (
            f"Loaded the chart as {theirs.updated_by} saved it at {when}, with your changes "
            "on top. Review, then save."
        )
        if both:
            names = ", ".join(LABELS.get(key, key.replace("_", " ")) for key in both)
            text += f" You both changed: {names}; yours is shown."
        self.banner.show_message("info", text)
