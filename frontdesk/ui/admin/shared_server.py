"""Admin → Shared server: this workstation's connection profile, Test connection, Save, Move.

The profile is per workstation (a small file in the data folder, never the password); the
password goes to the operating system's keyring where there is one, and is otherwise asked
at each start, which the tab says plainly. Saving takes effect at the next start: the open
database is never swapped under open screens.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.platform import connection
from frontdesk.services.platform.connection import (
    ConnectionCheck,
    ConnectionProfile,
    KeyringStatus,
    PasswordSource,
    SslMode,
)
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.widgets.file_dialogs import FileKind, open_file_name
from frontdesk.ui.widgets.form import (
    Banner,
    FormFields,
    add_form_row,
    form_layout,
    line_edit,
    plain_label,
)
from frontdesk.ui.widgets.saving_form import FormPanel

# "require" or stricter first (the floor for a practice network); the weaker modes
# stay available for a server that has no certificate yet, and their labels say so.
OFFERED_MODES = (
    SslMode.REQUIRE,
    SslMode.VERIFY_CA,
    SslMode.VERIFY_FULL,
    SslMode.PREFER,
    SslMode.DISABLE,
)


def load_saved() -> tuple[ConnectionProfile | None, str, KeyringStatus]:
    """The saved profile (None: none yet), a problem reading it, and the keyring's state."""
    status = connection.keyring_status()
    try:
        return connection.load_profile(), "", status
    except Exception as error:  # an unreadable file: say so and let the admin set it again
        return None, str(error), status


def check_profile(profile: ConnectionProfile, password: str) -> ConnectionCheck:
    """Test connection with the typed password, else the one kept in the keyring."""
    return connection.test_connection(
        profile, password or connection.stored_password(profile) or None
    )


def save_with_password(profile: ConnectionProfile, password: str) -> ConnectionProfile:
    """Store the password where this computer can (keyring, else nowhere) and the profile."""
    if password:
        profile = connection.remember_password(profile, password)
    elif connection.stored_password(replace(profile, password_source=PasswordSource.KEYRING)):
        profile = replace(profile, password_source=PasswordSource.KEYRING)  # kept as it was
    else:
        profile = replace(profile, password_source=PasswordSource.ASK)
    return connection.save_profile(profile)


def password_place(profile: ConnectionProfile) -> str:
    if profile.password_source is PasswordSource.KEYRING:
        return "The password is kept in this computer's keyring."
    return "The password is not stored on this computer: it is asked at each start."


class SharedServerPanel(FormPanel):
    """The connection form, its Test/Save buttons and the result beside them."""

    saved = Signal(object)  # the ConnectionProfile as stored
    DISCARD_TEXT = "The shared server settings have changes that are not saved. Discard them?"

    def __init__(self, screen: ScreenContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.screen = screen
        self.fields = FormFields()
        self.last_check: ConnectionCheck | None = None
        self.move_dialog: QWidget | None = None
        self.keyring: KeyringStatus | None = None
        self.stored: ConnectionProfile | None = None

        self.current = plain_label(
            f"This workstation works on: {screen.database_label}", "hint", wrap=True
        )
        self.current.setAccessibleName("Database in use")

        self.host = line_edit("Server name or address", "server.clinic.lan")
        self.port = QSpinBox()
        self.port.setRange(1, 65_535)
        self.port.setValue(connection.DEFAULT_PORT)
        self.port.setAccessibleName("Port")
        self.port.setMaximumWidth(120)
        self.database = line_edit("Database name")
        self.database.setText("frontdesk")
        # Empty: each person signs in as their own database login (per-person roles).
        self.user = line_edit("User name", "empty: each person signs in as themselves")
        self.sslmode = QComboBox()
        self.sslmode.setAccessibleName("Encryption (TLS)")
        for mode in OFFERED_MODES:
            self.sslmode.addItem(mode.label, mode.value)
        self.sslmode.currentIndexChanged.connect(self._mode_changed)
        self.ca_file = line_edit("Certificate authority file", "libpq's default root.crt")
        self.ca_button = QPushButton("Choose…")
        self.ca_button.setToolTip("Choose the certificate authority file (root.crt)")
        self.ca_button.clicked.connect(self.choose_ca_file)
        ca_row = QWidget()
        row = QHBoxLayout(ca_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ca_file, 1)
        row.addWidget(self.ca_button)
        ca_row.setFocusProxy(self.ca_file)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password_note = plain_label("", "hint", wrap=True)
        self.password_note.setAccessibleName("Where the password is kept")

        form = form_layout()
        add_form_row(form, self.fields, "host", "Server", self.host)
        add_form_row(form, self.fields, "port", "Port", self.port, "PostgreSQL's usual port: 5432")
        add_form_row(form, self.fields, "database", "Database", self.database)
        add_form_row(form, self.fields, "user", "User", self.user)
        add_form_row(form, self.fields, "sslmode", "Encryption", self.sslmode)
        add_form_row(
            form,
            self.fields,
            "ssl_root_cert",
            "CA file",
            ca_row,
            "Checks the server's certificate (for the two “check” modes)",
        )
        add_form_row(form, self.fields, "password", "Password", self.password)
        form.addRow("", self.password_note)

        self.test_button = QPushButton("Test connection")
        self.test_button.setToolTip("Connect with these settings and say what works (Alt+T)")
        self.test_button.setShortcut("Alt+T")
        self.test_button.clicked.connect(self.test)
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Use this server from the next start of Front Desk")
        self.save_button.clicked.connect(self.save)
        self.move_button = QPushButton("Move to a shared server…")
        self.move_button.setToolTip(
            "Copy every record of this workstation's database to the server and check the copy"
        )
        self.move_button.clicked.connect(self.open_move)
        self.move_button.setVisible(screen.services.actor.can(Permission.BACKUP))
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.move_button)

        self.result = Banner()
        self.result.setAccessibleName("Connection test result")
        self.banner = Banner()

        # The heading, margins and width of the other Admin pages (Practice rules, Inbox).
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(16, 16, 16, 16)
        column.addWidget(plain_label("Shared server", "sectionTitle"))
        column.addWidget(
            plain_label(
                "Several workstations share one practice server (PostgreSQL). Set where this "
                "workstation finds it; saved settings take effect at the next start.",
                "hint",
                wrap=True,
            )
        )
        column.addWidget(self.current)
        column.addWidget(self.banner)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.result)
        column.addStretch(1)
        self.scroll = self.show_scrolling(body, 1000)

        self._mode_changed()
        self.screen.runner.run(load_saved, self._loaded)

    # Loading and reading the form -------------------------------------------------------------

    def _loaded(self, loaded: tuple[ConnectionProfile | None, str, KeyringStatus]) -> None:
        profile, problem, status = loaded
        self.keyring = status
        if problem:
            self.banner.show_message("error", problem)
        if profile is not None:
            self.stored = profile
            self.show_profile(profile)
        else:
            self.password_note.setText(status.message + ".")
        self.mark_clean()

    def show_profile(self, profile: ConnectionProfile) -> None:
        self.host.setText(profile.host)
        self.port.setValue(profile.port)
        self.database.setText(profile.database)
        self.user.setText(profile.user)
        index = self.sslmode.findData(profile.sslmode.value)
        self.sslmode.setCurrentIndex(max(index, 0))
        self.ca_file.setText(profile.ssl_root_cert)
        self.password_note.setText(password_place(profile))

    def snapshot(self) -> tuple[object, ...]:
        return (
            self.host.text().strip(),
            self.port.value(),
            self.database.text().strip(),
            self.user.text().strip(),
            self.sslmode.currentData(),
            self.ca_file.text().strip(),
            self.password.text(),
        )

    def undo(self) -> None:
        """Back to the saved server (or the blank form when none is saved)."""
        if self.stored is not None:
            self.show_profile(self.stored)
        self.password.clear()
        self.fields.clear_messages()
        self.mark_clean()

    def profile(self) -> ConnectionProfile | None:
        """The form as a checked profile; None (and messages by the fields) when it is not."""
        profile = ConnectionProfile(
            host=self.host.text(),
            database=self.database.text(),
            user=self.user.text(),
            port=self.port.value(),
            sslmode=SslMode(self.sslmode.currentData()),
            ssl_root_cert=self.ca_file.text(),
        )
        try:
            checked = connection.validate_profile(profile)
        except ValidationError as error:
            self.fields.show_messages(error.fields)
            return None
        self.fields.clear_messages()
        return checked

    def _mode_changed(self) -> None:
        checks = SslMode(self.sslmode.currentData()).checks_certificate
        self.ca_file.setEnabled(checks)
        self.ca_button.setEnabled(checks)

    def choose_ca_file(self) -> None:
        path = open_file_name(
            self,
            FileKind.CERTIFICATE,
            "Certificate authority file",
            "Certificates (*.crt *.pem);;All files (*)",
        )
        if path:
            self.ca_file.setText(path)

    # Actions -----------------------------------------------------------------------------------

    def test(self) -> None:
        profile = self.profile()
        if profile is None:
            return
        self.test_button.setEnabled(False)
        self.result.show_message("info", f"Connecting to {profile.host}:{profile.port}…")
        self.screen.runner.run(
            lambda: check_profile(profile, self.password_text), self._tested, self._test_failed
        )

    @property
    def password_text(self) -> str:
        return self.password.text()

    def _tested(self, check: ConnectionCheck) -> None:
        self.test_button.setEnabled(True)
        self.last_check = check
        self.result.show_message("success" if check.ok else "error", check.message)
        self.scroll.ensureWidgetVisible(self.result)  # below the fold at 150% scaling

    def _test_failed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        self.result.show_message("error", message)

    def save(self) -> None:
        # Not paused in an outage: the profile is this workstation's file, not the database.
        if self.saving:
            return
        profile = self.profile()
        if profile is None:
            return
        self.saving = True
        password = self.password_text
        self.save_button.setEnabled(False)
        self.screen.runner.run(
            lambda: save_with_password(profile, password), self._saved, self._save_failed
        )

    def _saved(self, profile: ConnectionProfile) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        self.stored = profile
        self.password.clear()
        self.mark_clean()
        self.password_note.setText(password_place(profile))
        self.banner.show_message(
            "success",
            f"Saved: from the next start, this workstation works on {profile.describe()}. "
            f"{password_place(profile)} Until then it stays on {self.screen.database_label}.",
        )
        self.saved.emit(profile)

    def _save_failed(self, message: str) -> None:
        self.saving = False
        self.save_button.setEnabled(True)
        self.banner.show_message("error", message)

    def open_move(self) -> None:
        profile = self.profile()
        if profile is None:
            return
        from frontdesk.ui.admin.shared_server_move import MoveToServerDialog

        dialog = MoveToServerDialog(self.screen, profile, self.password_text, self)
        dialog.switched.connect(self._saved)
        self.move_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
