"""At start: ask for the shared server's password when this computer's keyring has none."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from frontdesk.services.platform import connection
from frontdesk.services.platform.connection import ConnectionProfile
from frontdesk.ui import APP_TITLE
from frontdesk.ui.widgets.form import FormFields, add_form_row, form_layout, plain_label


class ServerPasswordDialog(QDialog):
    """One field: the password of the profile's user. Cancel ends the start quietly."""

    def __init__(self, profile: ConnectionProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_TITLE}: practice server password")
        self.setAccessibleName("Practice server password")
        self.profile = profile
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Server password")
        self.fields = FormFields()
        explanation = plain_label(
            f"This workstation works on the practice server {profile.describe()}.\n"
            "Its password is not stored on this computer (there is no keyring), so type it "
            "each time Front Desk starts.",
            wrap=True,
        )
        form = form_layout()
        add_form_row(form, self.fields, "password", f"Password of {profile.user}", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Connect")
        ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.password.setFocus()


def ask_server_password(profile: ConnectionProfile) -> str | None:
    """The typed password, or None when the person cancels."""
    dialog = ServerPasswordDialog(profile)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.password.text()


def server_url_at_start() -> str | None:
    """The saved server's URL (password from the keyring or asked), or None without a profile.

    Raises Cancelled when the person cancels the password question.
    """
    return connection.server_url_for_startup(ask_server_password)
