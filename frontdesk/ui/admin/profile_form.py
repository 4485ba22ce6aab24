"""The practice profile's fields (first-run setup and Admin share them), with the logo preview."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.contact import (
    InvalidValue,
    clean_text,
    format_phone,
    normalize_phone,
    normalize_website,
)
from frontdesk.domain.scheduling import check_zone_name
from frontdesk.services.practice.forms import PracticeProfileData, PracticeProfileForm
from frontdesk.services.practice.rows import MAX_LOGO_BYTES, check_logo
from frontdesk.ui.admin.scheduling_zone import TimeZoneCombo
from frontdesk.ui.widgets.file_dialogs import FileKind, open_file_name
from frontdesk.ui.widgets.form import (
    FormFields,
    add_form_row,
    field_text,
    form_layout,
    line_edit,
    multiline_edit,
    plain_label,
    set_field_text,
)
from frontdesk.ui.widgets.read_only import show_read_only

PHONE_FIELDS = ("main_phone", "toll_free_phone", "fax")
LOGO_PREVIEW_SIZE = (220, 90)


class LogoPicker(QWidget):
    """Choose, preview and remove the practice logo (PNG or JPEG)."""

    changed = Signal()
    # A message about the chosen file ("" clears it), shown in the logo row's message slot.
    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.logo: bytes | None = None
        self.preview = plain_label("No logo")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setAccessibleName("Logo preview")
        frame = QFrame()
        frame.setObjectName("logoPreview")
        frame.setFixedSize(LOGO_PREVIEW_SIZE[0] + 8, LOGO_PREVIEW_SIZE[1] + 8)
        inner = QVBoxLayout(frame)
        inner.setContentsMargins(4, 4, 4, 4)
        inner.addWidget(self.preview)
        self.choose_button = QPushButton("Choose logo…")
        self.choose_button.setAccessibleName("Choose logo image")
        self.choose_button.setToolTip("A PNG or JPEG image, up to 2 MB")
        self.remove_button = QPushButton("Remove logo")
        self.remove_button.setAccessibleName("Remove logo")
        self.choose_button.clicked.connect(self.choose)
        self.remove_button.clicked.connect(self.remove)
        buttons = QVBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(frame, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(buttons)
        row.addStretch(1)
        self.setAccessibleName("Logo")
        self.setFocusProxy(self.choose_button)
        self._show()

    def choose(self) -> None:
        path = open_file_name(
            self, FileKind.LOGO, "Choose the practice logo", "Images (*.png *.jpg *.jpeg)"
        )
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> bool:
        """Use the image at ``path`` if it is a sane PNG or JPEG; otherwise say why not."""
        try:
            size = path.stat().st_size
            if size > MAX_LOGO_BYTES:
                raise InvalidValue(
                    f"the logo must be under {MAX_LOGO_BYTES // (1024 * 1024)} MB "
                    f"(this file is {size / (1024 * 1024):.1f} MB)"
                )
            data = path.read_bytes()
            check_logo(data)
        except OSError:
            self.problem.emit(f"Cannot read {path.name}; choose another file.")
            return False
        except InvalidValue as error:
            self.problem.emit(f"{path.name}: {error}")
            return False
        self.problem.emit("")
        self.set_logo(data)
        self.changed.emit()
        return True

    def remove(self) -> None:
        self.set_logo(None)
        self.problem.emit("")
        self.changed.emit()

    def set_logo(self, data: bytes | None) -> None:
        self.logo = data or None
        self._show()

    def _show(self) -> None:
        pixmap = QPixmap()
        if self.logo and pixmap.loadFromData(self.logo):
            self.preview.setPixmap(
                pixmap.scaled(
                    *LOGO_PREVIEW_SIZE,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        else:
            self.preview.setText("No logo")
        self.remove_button.setEnabled(self.logo is not None)


class PracticeProfileFields(QWidget):
    """Name, address, phones, website, time zone and logo, with a message slot under each."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = FormFields()
        self.time_zone = TimeZoneCombo()
        self.name = line_edit("Practice name", "e.g. Lakeside Spine Center", 200)
        self.address = multiline_edit("Address", rows=3)
        self.address.setPlaceholderText("Street\nCity, State ZIP")
        self.main_phone = line_edit("Main phone", "e.g. 217-555-0142", 40)
        self.toll_free_phone = line_edit("Toll-free phone", "optional", 40)
        self.fax = line_edit("Fax", "optional", 40)
        self.website = line_edit("Website", "optional, e.g. www.lakeside-spine.com", 300)
        self.logo = LogoPicker()

        layout = form_layout()
        add_form_row(layout, self.fields, "name", "Practice &name *", self.name)
        add_form_row(layout, self.fields, "address", "&Address", self.address)
        add_form_row(layout, self.fields, "main_phone", "&Main phone *", self.main_phone)
        add_form_row(
            layout, self.fields, "toll_free_phone", "&Toll-free phone", self.toll_free_phone
        )
        add_form_row(layout, self.fields, "fax", "Fa&x", self.fax)
        add_form_row(layout, self.fields, "website", "&Website", self.website)
        add_form_row(
            layout,
            self.fields,
            "time_zone",
            "Time &zone",
            self.time_zone,
            hint="The calendar shows and books times on this clock. Type to search.",
        )
        logo_message = add_form_row(
            layout,
            self.fields,
            "logo",
            "Logo",
            self.logo,
            hint="Printed on letters and handouts. PNG or JPEG, up to 2 MB.",
        )
        # Messages about a chosen file share the slot with the service's logo message.
        self.logo.problem.connect(logo_message.show_message)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(layout)
        # Spare height goes below the form, not into its rows.
        outer.addStretch(1)
        # No width cap of its own: the fields reach the right edge of the buttons under them
        # (Save in Admin, Next in the first run); the page around them sets the width.

        for edit in self.line_edits():
            edit.textEdited.connect(self.edited)
        self.address.textChanged.connect(self.edited)
        self.logo.changed.connect(self.edited)
        self.setTabOrder(self.name, self.address)
        self.setTabOrder(self.address, self.main_phone)
        self.setTabOrder(self.main_phone, self.toll_free_phone)
        self.setTabOrder(self.toll_free_phone, self.fax)
        self.setTabOrder(self.fax, self.website)
        self.time_zone.edited.connect(self.edited)
        self.setTabOrder(self.website, self.time_zone)
        self.setTabOrder(self.time_zone, self.logo.choose_button)
        self.setTabOrder(self.logo.choose_button, self.logo.remove_button)

    def set_editable(self, editable: bool) -> None:
        """Read-only for someone who may not change the profile; the text stays readable
        and can be copied (a phone number, the address)."""
        for widget in (*self.text_widgets(), self.time_zone):
            show_read_only(widget, not editable)
        self.logo.choose_button.setVisible(editable)
        self.logo.remove_button.setVisible(editable)

    def line_edits(self) -> list[QLineEdit]:
        return [self.name, self.main_phone, self.toll_free_phone, self.fax, self.website]

    def text_widgets(self) -> list[QLineEdit | QPlainTextEdit]:
        return [*self.line_edits(), self.address]

    def form(self) -> PracticeProfileForm:
        return PracticeProfileForm(
            name=self.name.text(),
            address=self.address.toPlainText(),
            main_phone=self.main_phone.text(),
            toll_free_phone=self.toll_free_phone.text(),
            fax=self.fax.text(),
            website=self.website.text(),
            logo=self.logo.logo,
            time_zone=self.time_zone.zone(),
        )

    def load(self, data: PracticeProfileData) -> None:
        set_field_text(self.name, data.name)
        set_field_text(self.address, data.address)
        for key in PHONE_FIELDS:
            set_field_text(getattr(self, key), format_phone(getattr(data, key)))
        set_field_text(self.website, data.website)
        self.logo.set_logo(data.logo)
        self.time_zone.set_zone(data.time_zone)
        self.fields.clear_messages()

    def has_text(self) -> bool:
        return any(clean_text(field_text(widget)) for widget in self.text_widgets()) or bool(
            self.logo.logo
        )

    def show_messages(self, messages: dict[str, str]) -> dict[str, str]:
        return self.fields.show_messages(messages)

    def precheck(self) -> dict[str, str]:
        """Format checks with the domain's own parsers, so a mistake shows before the next
        step; the service repeats every check when the profile is saved."""
        problems: dict[str, str] = {}
        if not clean_text(self.name.text()):
            problems["name"] = "required"
        for key in PHONE_FIELDS:
            try:
                normalize_phone(getattr(self, key).text())
            except InvalidValue as error:
                problems[key] = str(error)
        if "main_phone" not in problems and not clean_text(self.main_phone.text()):
            problems["main_phone"] = "required"
        try:
            normalize_website(self.website.text())
        except InvalidValue as error:
            problems["website"] = str(error)
        try:
            check_zone_name(self.time_zone.zone())
        except ValueError as error:
            problems["time_zone"] = str(error)
        return problems


def tidy_form(form: PracticeProfileForm) -> PracticeProfileForm:
    """The form as it compares: surrounding blanks are not a change."""
    return replace(
        form,
        name=clean_text(form.name),
        address=clean_text(form.address),
        main_phone=clean_text(form.main_phone),
        toll_free_phone=clean_text(form.toll_free_phone),
        fax=clean_text(form.fax),
        website=clean_text(form.website),
    )
