"""The new/edit patient form: checked next to each field, duplicates and conflicts handled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ConflictError, ValidationError
from frontdesk.services.patients import charts as patients
from frontdesk.services.patients.charts import (
    FORM_FIELDS,
    AgeConfirmationNeeded,
    DuplicateCandidate,
    PatientData,
    PossibleDuplicatesError,
)
from frontdesk.ui.connection_monitor import PAUSED_REASON, follow_saving_gate, saving_allowed
from frontdesk.ui.main_window import ScreenContext
from frontdesk.ui.patients.duplicates import DuplicatesDialog
from frontdesk.ui.patients.form_fields import FieldState, PatientFormFields, state_of
from frontdesk.ui.style import mark_primary
from frontdesk.ui.widgets.form import Banner, Rejected, plain_label

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
    "preferred_contact": "preferred contact",
    "referring_id": "referring physician",
    "primary_care_id": "primary care physician",
}


@dataclass(frozen=True)
class NeedsAgeConfirmation:
    age: int


@dataclass(frozen=True)
class MaybeDuplicates:
    candidates: tuple[DuplicateCandidate, ...]


def save_outcome(call: Callable[[], PatientData]) -> Callable[[], object]:
    """Run a save so that what the form handles in place comes back as a value."""

    def wrapped() -> object:
        try:
            return call()
        except AgeConfirmationNeeded as error:  # before ValidationError: it is one
            return NeedsAgeConfirmation(error.age)
        except PossibleDuplicatesError as error:
            return MaybeDuplicates(error.candidates)
        except ValidationError as error:
            return Rejected(str(error), dict(error.fields))
        except ConflictError as error:
            return Rejected(str(error), conflict=True)

    return wrapped


class PatientEditor(QDialog):
    """Create a chart (``patient=None``) or edit one.

    Enter saves; Esc cancels and asks first when something was typed. The service checks
    everything and its messages appear next to each field. An age over 120 is confirmed
    first; likely duplicates are shown side by side before a new chart is created; a save
    over someone else's newer save keeps what was typed and offers to reload theirs and
    re-apply it.
    """

    saved = Signal(object)  # PatientData
    open_chart_requested = Signal(int)

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
        self.saving = False
        self.conflicted = False
        self._confirmed_birth_date: str | None = None
        self.age_question: QMessageBox | None = None
        self.discard_question: QMessageBox | None = None
        self.duplicates: DuplicatesDialog | None = None

        self.banner = Banner()
        self.fields = PatientFormFields(screen)
        if patient is not None:
            self.fields.load(patient)
        self._baseline = self.fields.state()

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.fields)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save patient" if patient is None else "Save changes")
        self.save_button.setToolTip("Save (Enter)")
        self.save_button.setAccessibleName("Save patient")
        mark_primary(self.save_button)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setToolTip("Close without saving (Esc)")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        for button in (self.save_button, self.cancel_button):
            button.setAutoDefault(False)
        # Paused while the practice server is unreachable; the typing stays in the form.
        follow_saving_gate(self.save_button, lambda: self.saving)

        self.last_change = plain_label("", "hint")
        if patient is not None:
            when = patient.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
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
        self.resize(1000, 760)
        self.fields.first_field().setFocus()

    # Changes -----------------------------------------------------------------------------

    def is_modified(self) -> bool:
        return self.fields.state() != self._baseline

    def changed_keys(self) -> list[str]:
        state = self.fields.state()
        return [key for key in FORM_FIELDS if state[key] != self._baseline[key]]

    # Saving ------------------------------------------------------------------------------

    def save(self, *, allow_duplicates: bool = False) -> None:
        if self.saving:
            return
        if not saving_allowed():  # Enter still reaches here while the button is disabled
            self.banner.show_message("error", f"Not saved. {PAUSED_REASON}")
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
                patients.create_patient,
                context,
                form,
                confirm_age=confirm_age,
                allow_duplicates=allow_duplicates,
            )
        else:
            call = partial(
                patients.update_patient,
                context,
                self.patient.id,
                form,
                self.version,
                confirm_age=confirm_age,
            )
        self.saving = True
        self.save_button.setEnabled(False)
        self.banner.show_message("info", "Saving…")
        self.screen.runner.run(save_outcome(call), self._on_result, self._on_error)

    def _on_result(self, result: Any) -> None:
        self.saving = False
        self.save_button.setEnabled(saving_allowed())
        if isinstance(result, PatientData):
            self.fields.fields.clear_messages()
            self.banner.clear()
            self._baseline = self.fields.state()
            self.saved.emit(result)
            self.done(QDialog.DialogCode.Accepted)
        elif isinstance(result, NeedsAgeConfirmation):
            self.banner.clear()
            self._ask_age(result.age)
        elif isinstance(result, MaybeDuplicates):
            self.banner.clear()
            self._show_duplicates(result.candidates)
        elif isinstance(result, Rejected):
            self._show_rejected(result)

    def _on_error(self, message: str) -> None:
        self.saving = False
        self.save_button.setEnabled(saving_allowed())
        self.banner.show_message("error", f"Not saved. {message}")

    def _show_rejected(self, rejected: Rejected) -> None:
        if rejected.conflict:
            self.conflicted = True
            self.banner.show_message(
                "error",
                f"Not saved. {rejected.message} What you typed is still in the form.",
                ("Load their version and re-apply mine", self.reload_and_reapply),
            )
            return
        unplaced = self.fields.show_messages(rejected.fields)
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
        dialog = DuplicatesDialog(self.fields.form(), candidates, self)
        dialog.open_existing.connect(self._open_existing)
        dialog.create_anyway.connect(lambda: self.save(allow_duplicates=True))
        dialog.finished.connect(lambda _code: setattr(self, "duplicates", None))
        self.duplicates = dialog
        dialog.open()

    def _open_existing(self, patient_id: int) -> None:
        # The person chose the existing chart: what was typed here is not wanted.
        self._baseline = self.fields.state()
        self.open_chart_requested.emit(patient_id)
        self.done(QDialog.DialogCode.Rejected)

    # Someone else saved first -------------------------------------------------------------

    def reload_and_reapply(self) -> None:
        """Load the saved chart as it is now and put the fields this user changed on top."""
        if self.patient is None:
            return
        self.banner.show_message("info", "Loading the saved chart…")
        self.screen.runner.run(
            partial(patients.get_patient, self.screen.services, self.patient.id, record_view=False),
            self._reapply,
            lambda message: self.banner.show_message(
                "error", f"Could not load the saved chart. {message}"
            ),
        )

    def _reapply(self, theirs: PatientData) -> None:
        mine = self.fields.state()
        changed = self.changed_keys()
        before = self._baseline
        their_state: dict[str, FieldState] = state_of(theirs)
        both = [
            key
            for key in changed
            if their_state[key] != before[key] and their_state[key] != mine[key]
        ]
        self.patient = theirs
        self.version = theirs.version
        self.fields.load(theirs)
        self._baseline = self.fields.state()
        self.fields.restore(mine, changed)
        self.conflicted = False
        when = theirs.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
        self.last_change.setText(f"Last changed by {theirs.updated_by} at {when}")
        text = (
            f"Loaded the chart as {theirs.updated_by} saved it at {when}, with your changes "
            "on top. Review, then save."
        )
        if both:
            names = ", ".join(LABELS.get(key, key.replace("_", " ")) for key in both)
            text += f" You both changed: {names}; yours is shown."
        self.banner.show_message("info", text)

    # Closing -----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            focus = self.focusWidget()
            if focus is self.cancel_button:
                self.reject()
            elif isinstance(focus, QPushButton) and focus is not self.save_button:
                focus.click()  # "Add…" next to a physician box
            else:
                self.save()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.saving:
            return
        if self.is_modified():
            self._ask_discard()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.saving or self.is_modified():
            event.ignore()
            if not self.saving:
                self._ask_discard()
            return
        super().closeEvent(event)

    def _ask_discard(self) -> None:
        if self.discard_question is not None:
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Discard changes?")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText("You have changes that are not saved. Close the form and discard them?")
        discard = box.addButton("Discard changes", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        self.discard_question = box

        def answered() -> None:
            self.discard_question = None
            if box.clickedButton() is discard:
                self._baseline = self.fields.state()
                QDialog.reject(self)

        box.finished.connect(answered)
        box.open()
