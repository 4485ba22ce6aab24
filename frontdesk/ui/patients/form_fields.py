"""Every field of a patient chart as form widgets, in the order a receptionist fills them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import InvalidValue, normalize_phone
from frontdesk.domain.dates import DATE_HINT, age_on, parse_date
from frontdesk.services.patients.forms import (
    FORM_FIELDS,
    ContactMethod,
    PatientData,
    PatientForm,
    Sex,
)
from frontdesk.ui.patients.display import birth_date_text, phone_text
from frontdesk.ui.patients.referrer_picker import ReferrerPicker
from frontdesk.ui.practice_day import PracticeDay
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.date_field import check_date_field
from frontdesk.ui.widgets.form import (
    FieldMessage,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    multiline_edit,
)

PHONE_FIELDS = ("mobile_phone", "home_phone", "work_phone", "emergency_contact_phone")
DATE_FIELDS = ("date_of_birth", "subscriber_date_of_birth")
PICKER_FIELDS = ("referring_id", "primary_care_id")
# Offered first in the language box; any other language can be typed.
COMMON_LANGUAGES = (
    "English",
    "Spanish",
    "Vietnamese",
    "Chinese (Mandarin)",
    "Chinese (Cantonese)",
    "Arabic",
    "Tagalog",
    "Korean",
    "Russian",
    "Haitian Creole",
    "Portuguese",
    "French",
    "Polish",
    "Hindi",
    "American Sign Language",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Widget state per field: text, bool, or (referrer id, shown name) for the pickers.
FieldState = str | bool | tuple[int | None, str]


def spelled_date(value: date, today: date) -> str:
    """ "March 4, 1961 (age 63)": read back so a day/month mix-up shows before saving.

    The age is on ``today``, the practice's day (``PracticeDay``), not the computer's.
    """
    age = age_on(value, today)
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year} (age {age})"


class PatientFormFields(QWidget):
    """The chart's fields in sections; ``form()`` is what the services take.

    Messages from a ValidationError appear under the field they are about
    (``show_messages``); ``state()``/``restore()`` carry what the user typed across a reload.
    """

    edited = Signal()

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        # Today in the practice: the age read back beside a typed birth date is on it.
        self.practice_day = PracticeDay(screen.services)
        self.fields = FormFields()
        self.edits: dict[str, QLineEdit] = {}
        self.order: list[QWidget] = []
        self._sections: dict[int, list[QFormLayout]] = {}

        left = QVBoxLayout()
        right = QVBoxLayout()
        for column in (left, right):
            column.setSpacing(10)

        name = self._section(left, "Name")
        self._text(name, "first_name", "First name", required=True, max_length=100)
        self._text(name, "middle_name", "Middle name", max_length=100)
        self._text(name, "last_name", "Last name", required=True, max_length=100)
        self._text(name, "preferred_name", "Preferred name", "What the patient likes to be called")

        birth = self._section(left, "Birth")
        self._text(birth, "date_of_birth", "Date of birth", required=True, hint=DATE_HINT)
        # The hint under the date reads the typed date back ("March 4, 1961 (age 63)").
        self.birth_hint = next(
            label
            for label in birth.parentWidget().findChildren(QLabel, "hint")
            if label.text() == DATE_HINT
        )
        self.sex = QComboBox()
        self.sex.setAccessibleName("Sex")
        for sex in (Sex.UNKNOWN, Sex.FEMALE, Sex.MALE, Sex.OTHER):
            self.sex.addItem(sex.label, sex.value)
        self._row(birth, "sex", "Sex", self.sex)

        contact = self._section(left, "Contact")
        self._text(contact, "mobile_phone", "Mobile phone", "(217) 555-0142")
        self._text(contact, "home_phone", "Home phone")
        self._text(contact, "work_phone", "Work phone")
        self._text(contact, "email", "E-mail", "name@example.com", max_length=254)
        self.contact_method = QComboBox()
        self.contact_method.setAccessibleName("Preferred contact method")
        for method in ContactMethod:
            self.contact_method.addItem(method.label, method.value)
        self._row(contact, "preferred_contact", "Preferred contact", self.contact_method)
        self.language = QComboBox()
        self.language.setEditable(True)
        self.language.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.language.setAccessibleName("Preferred language")
        self.language.addItem("")
        self.language.addItems(COMMON_LANGUAGES)
        self.language.lineEdit().setPlaceholderText("English, Spanish, or type another")
        self._row(contact, "preferred_language", "Preferred language", self.language)
        self.interpreter = QCheckBox("Needs an interpreter")
        self.interpreter.setAccessibleName("Interpreter needed")
        self._row(contact, "interpreter_needed", "Interpreter", self.interpreter)
        self.large_print = QCheckBox("Prints in large print")
        self.large_print.setAccessibleName("Prints in large print")
        self.large_print.setToolTip("Handouts and packets for this patient print at 16 pt")
        self._row(contact, "large_print", "Print size", self.large_print)

        address = self._section(right, "Address")
        self._text(address, "address_line1", "Street", max_length=200)
        self._text(address, "address_line2", "Apt, suite", max_length=200)
        self._text(address, "city", "City", max_length=100)
        self._text(address, "state", "State", max_length=60)
        self._text(address, "postal_code", "ZIP code", max_length=20)
        self._text(address, "country", "Country", max_length=60)

        doctors = self._section(right, "Physicians")
        self.referring = ReferrerPicker(screen, "Referring physician")
        self._row(doctors, "referring_id", "Referred by", self.referring)
        self.primary_care = ReferrerPicker(screen, "Primary care physician")
        self._row(doctors, "primary_care_id", "Primary care", self.primary_care)

        insurance = self._section(right, "Insurance")
        self._text(insurance, "insurance_payer", "Payer", max_length=120)
        self._text(insurance, "insurance_plan", "Plan", max_length=120)
        self._text(insurance, "insurance_member_id", "Member ID", max_length=60)
        self._text(insurance, "insurance_group_number", "Group number", max_length=60)
        self._text(insurance, "subscriber_name", "Subscriber", "Leave empty if it is the patient")
        self._text(insurance, "subscriber_relationship", "Relationship", max_length=40)
        self._text(insurance, "subscriber_date_of_birth", "Subscriber born", "3/4/1961")

        emergency = self._section(right, "Emergency contact")
        self._text(emergency, "emergency_contact_name", "Name", max_length=200)
        self._text(emergency, "emergency_contact_relationship", "Relationship", max_length=60)
        self._text(emergency, "emergency_contact_phone", "Phone")

        self.notes = multiline_edit("Notes", rows=4)
        notes_box = QGroupBox("Notes")
        notes_layout = QVBoxLayout(notes_box)
        notes_layout.addWidget(self.notes)
        notes_message = FieldMessage()
        notes_layout.addWidget(notes_message)
        self.fields.add("notes", self.notes, notes_message)
        self.order.append(self.notes)

        left.addStretch(1)
        right.addStretch(1)
        self._align_captions()
        columns = QHBoxLayout()
        columns.setSpacing(16)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(self)
        # Room on the right so the scroll bar never touches the fields.
        layout.setContentsMargins(0, 0, 10, 0)
        layout.addLayout(columns)
        layout.addWidget(notes_box)

        # Tab goes down the left column, then the right, then the notes.
        for before, after in zip(self.order, self.order[1:], strict=False):
            QWidget.setTabOrder(before, after)
        for widget in self.edits.values():
            widget.textEdited.connect(self.edited)
        for combo in (self.sex, self.contact_method):
            combo.currentIndexChanged.connect(self.edited)
        self.language.editTextChanged.connect(self.edited)
        self.interpreter.toggled.connect(self.edited)
        self.large_print.toggled.connect(self.edited)
        self.referring.changed.connect(self.edited)
        self.primary_care.changed.connect(self.edited)
        self.notes.textChanged.connect(self.edited)
        for key in PHONE_FIELDS:
            edit = self.edits[key]
            edit.editingFinished.connect(partial_phone_tidy(edit))
        self.edits["date_of_birth"].textChanged.connect(self._read_back_birth_date)
        for key in DATE_FIELDS:
            check_date_field(self.edits[key], self.fields.message(key), self.practice_day)

    # Building ----------------------------------------------------------------------------

    def _section(self, column: QVBoxLayout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        layout = form_layout()
        box.setLayout(layout)
        column.addWidget(box)
        self._sections.setdefault(id(column), []).append(layout)
        return layout

    def _align_captions(self) -> None:
        """One caption width per column, so the fields of every section line up."""
        for layouts in self._sections.values():
            captions = [
                layout.itemAt(row, QFormLayout.ItemRole.LabelRole).widget()
                for layout in layouts
                for row in range(layout.rowCount())
                if layout.itemAt(row, QFormLayout.ItemRole.LabelRole) is not None
            ]
            width = max(caption.sizeHint().width() for caption in captions)
            for caption in captions:
                caption.setMinimumWidth(width)

    def _row(self, layout: QFormLayout, key: str, label: str, widget: QWidget) -> FieldMessage:
        message = add_form_row(layout, self.fields, key, label, widget)
        self.order.append(widget)
        return message

    def _text(
        self,
        layout: QFormLayout,
        key: str,
        label: str,
        placeholder: str = "",
        *,
        required: bool = False,
        max_length: int = 0,
        hint: str = "",
    ) -> QLineEdit:
        edit = line_edit(label, placeholder, max_length)
        caption = f"{label} *" if required else label
        if required:
            edit.setAccessibleDescription("Required")
        add_form_row(layout, self.fields, key, caption, edit, hint)
        self.order.append(edit)
        self.edits[key] = edit
        return edit

    def _read_back_birth_date(self, text: str) -> None:
        try:
            born = parse_date(text, today=self.practice_day()) if text.strip() else None
        except InvalidValue:
            born = None
        self.birth_hint.setText(
            spelled_date(born, self.practice_day()) if born is not None else DATE_HINT
        )

    # Reading and writing -----------------------------------------------------------------

    def state(self) -> dict[str, FieldState]:
        result: dict[str, FieldState] = {key: edit.text() for key, edit in self.edits.items()}
        result["sex"] = str(self.sex.currentData())
        result["preferred_contact"] = str(self.contact_method.currentData())
        result["preferred_language"] = self.language.currentText()
        result["interpreter_needed"] = self.interpreter.isChecked()
        result["large_print"] = self.large_print.isChecked()
        result["referring_id"] = self.referring.state()
        result["primary_care_id"] = self.primary_care.state()
        result["notes"] = self.notes.toPlainText()
        return result

    def restore(self, state: Mapping[str, FieldState], keys: Iterable[str] | None = None) -> None:
        for key in FORM_FIELDS if keys is None else keys:
            if key not in state:
                continue
            value = state[key]
            if key in self.edits:
                self.edits[key].setText(str(value))
                self.edits[key].setCursorPosition(0)
            elif key == "sex":
                self._select(self.sex, str(value))
            elif key == "preferred_contact":
                self._select(self.contact_method, str(value))
            elif key == "preferred_language":
                self.language.setEditText(str(value))
            elif key == "interpreter_needed":
                self.interpreter.setChecked(bool(value))
            elif key == "large_print":
                self.large_print.setChecked(bool(value))
            elif key in PICKER_FIELDS:
                referrer_id, name = value  # type: ignore[misc]
                self.picker(key).set_referrer(referrer_id, name)
            elif key == "notes":
                self.notes.setPlainText(str(value))
        self.edited.emit()

    def picker(self, key: str) -> ReferrerPicker:
        return self.referring if key == "referring_id" else self.primary_care

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(max(index, 0))

    def load(self, patient: PatientData) -> None:
        """Show a saved chart: phones in national format, dates as month/day/year."""
        self.restore(state_of(patient))
        self.fields.clear_messages()

    def form(self) -> PatientForm:
        state = self.state()
        values: dict[str, object] = {}
        for key in FORM_FIELDS:
            value = state[key]
            if key in PICKER_FIELDS:
                values[key] = value[0]  # type: ignore[index]
            else:
                values[key] = value
        return PatientForm(**values)  # type: ignore[arg-type]

    def unresolved_pickers(self) -> dict[str, str]:
        """Physician boxes with a name typed but nobody picked from the directory."""
        return {
            key: "pick a physician from the list, or add one with “Add…”"
            for key in PICKER_FIELDS
            if self.picker(key).is_unresolved()
        }

    def show_messages(self, messages: Mapping[str, str]) -> dict[str, str]:
        return self.fields.show_messages(messages)

    def first_field(self) -> QWidget:
        return self.order[0]


def state_of(patient: PatientData) -> dict[str, FieldState]:
    """A saved chart as the form shows it."""
    state: dict[str, FieldState] = {}
    for key in FORM_FIELDS:
        value = getattr(patient, key)
        if key in PHONE_FIELDS:
            state[key] = phone_text(value)
        elif key in DATE_FIELDS:
            state[key] = birth_date_text(value)
        elif key == "referring_id":
            state[key] = (value, patient.referring_name if value is not None else "")
        elif key == "primary_care_id":
            state[key] = (value, patient.primary_care_name if value is not None else "")
        elif key in ("interpreter_needed", "large_print"):
            state[key] = bool(value)
        else:
            state[key] = "" if value is None else str(value)
    return state


def partial_phone_tidy(edit: QLineEdit) -> Callable[[], None]:
    """On leaving a phone box, show a valid number in national format (bad ones stay as typed
    for the service to explain next to the field)."""

    def tidy() -> None:
        text = edit.text()
        if not text.strip():
            return
        try:
            shown = phone_text(normalize_phone(text))
        except InvalidValue:
            return
        if shown != text:
            edit.setText(shown)

    return tidy
