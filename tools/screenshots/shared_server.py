"""Screenshots of Admin → Shared server (with a real test result) and of the outage banner.

``python -m tools.screenshots.shared_server FOLDER`` makes a scratch database on the local
PostgreSQL server the tests use (with PostgreSQL's own ``createdb`` and ``dropdb``), fills it
with the demo generator, renders the pictures, and drops the database. The outage is real:
the window talks to the server through a relay on this computer, and the relay is cut, as a
network drop would.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QApplication

from frontdesk.demo import generator as demo
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.platform.connection import ConnectionProfile, SslMode
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.admin.shared_server import SharedServerPanel
from frontdesk.ui.admin.shared_server_move import MoveToServerDialog
from frontdesk.ui.patients.area import PatientsArea
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tools.screenshots.capture import main_window, save_grab, wait_until

HOST, PORT, SUPERUSER = "127.0.0.1", 5432, "postgres"
SIZE = (1280, 800)
SHOTS_DATABASE = "lakeside_spine"
# The outage picture's window reaches the server through this port (fixed: it is shown).
RELAY_PORT = 55432
# With QT_SCALE_FACTOR=1.5 (``--scaled``): a 1280x800 display is 853x533 logical pixels.
SCALED_SIZE = (853, 533)


_wait = partial(wait_until, timeout=30.0, failure="the screen did not finish")


def _createdb(name: str) -> None:
    subprocess.run(
        ["createdb", "-h", HOST, "-p", str(PORT), "-U", SUPERUSER, name],
        check=True,
        capture_output=True,
    )


def _dropdb(name: str) -> None:
    subprocess.run(
        ["dropdb", "-h", HOST, "-p", str(PORT), "-U", SUPERUSER, "--if-exists", "--force", name],
        check=True,
        capture_output=True,
    )


class _Relay:
    """A TCP relay to the server on a fixed local port; ``cut()`` drops every connection
    through it and refuses new ones, as a network drop does."""

    def __init__(self, port: int = RELAY_PORT) -> None:
        self.port = port
        self.listener = socket.create_server((HOST, port))
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:  # cut
                return
            server = socket.create_connection((HOST, PORT))
            with self.lock:
                self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self.listener.close()
        with self.lock:
            for end in self.sockets:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()


def render_settings(
    screen: ScreenContext, folder: Path, host: str, port: int, name: str, *, scaled: bool = False
) -> list[Path]:
    """admin-shared-server.png (a passing test) and admin-shared-server-unreachable.png."""
    window = main_window(screen, SCALED_SIZE if scaled else SIZE)
    window.show_area("admin")
    area = window.current_area()
    assert isinstance(area, AdminArea) and area.shared_server is not None
    panel: SharedServerPanel = area.shared_server
    area.tabs.setCurrentWidget(panel)
    _wait(lambda: panel.keyring is not None)
    panel.host.setText(host)
    panel.port.setValue(port)
    panel.database.setText(name)
    panel.user.setText("postgres")
    panel.sslmode.setCurrentIndex(panel.sslmode.findData(SslMode.PREFER.value))
    panel.test()
    _wait(lambda: panel.last_check is not None)
    if scaled:
        written = [save_grab(window, folder / "admin-shared-server@150%.png")]
        window.close()
        return written
    written = [save_grab(window, folder / "admin-shared-server.png")]
    panel.last_check = None
    panel.port.setValue(5439)
    panel.sslmode.setCurrentIndex(panel.sslmode.findData(SslMode.VERIFY_FULL.value))
    panel.test()
    _wait(lambda: panel.last_check is not None)
    written.append(save_grab(window, folder / "admin-shared-server-unreachable.png"))
    window.close()
    return written


def render_outage(screen: ScreenContext, folder: Path, cut: Callable[[], None]) -> list[Path]:
    """outage-banner.png: the Patients area with a search typed, the server just gone."""
    window = main_window(screen)
    window.show_area("patients")
    area = window.current_area()
    assert isinstance(area, PatientsArea)
    shown: list[str] = []
    area.results_shown.connect(shown.append)
    area.search_box.setText("garc")
    _wait(lambda: "garc" in shown)
    cut()
    monitor = window.connection_monitor
    area.search_box.setText("garcia m")  # the next call finds the server gone
    _wait(lambda: monitor.in_outage)
    written = [save_grab(window, folder / "outage-banner.png")]
    window.close()
    return written


def render_move(screen: ScreenContext, folder: Path, target: ConnectionProfile) -> list[Path]:
    """shared-server-move-plan.png and shared-server-move-report.png: a SQLite desk copied."""
    panel = SharedServerPanel(screen)
    dialog = MoveToServerDialog(screen, target, "", panel)
    dialog.show()
    _wait(lambda: dialog.plan is not None)
    written = [save_grab(dialog, folder / "shared-server-move-plan.png")]
    dialog.start_copy()
    _wait(lambda: dialog.report is not None, timeout=120)
    written.append(save_grab(dialog, folder / "shared-server-move-report.png"))
    dialog.close()
    panel.deleteLater()
    return written


def main(argv: list[str]) -> int:
    scaled = "--scaled" in argv
    argv = [arg for arg in argv if arg != "--scaled"]
    folder = Path(argv[0] if argv else "docs/screenshots").absolute()
    folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from frontdesk.ui.style import apply_style

    apply_style(app)  # type: ignore[arg-type]
    # Fixed names: the pictures show them (a random suffix would change every run).
    name = SHOTS_DATABASE
    for leftover in (name, f"{name}_target"):  # from an interrupted run
        _dropdb(leftover)
    _createdb(name)
    written: list[Path] = []
    try:
        database, _copy = open_for_use(f"postgresql+psycopg://{SUPERUSER}@{HOST}:{PORT}/{name}")
        actor = Actor(
            username="office.manager",
            role=Role.ADMIN,
            workstation="desk-1",
            display_name="Office Manager",
        )
        context = make_context(database, actor)
        demo.generate(context, patients=300)
        runner = Runner()
        screen = ScreenContext(context, runner)
        written += render_settings(screen, folder, HOST, PORT, name, scaled=scaled)
        if not scaled:
            written += _render_move(runner, folder, name + "_target", actor)
            written += _render_outage(runner, folder, name, actor)
        runner.wait_for_idle()
        database.dispose()
    finally:
        _dropdb(name)
        _dropdb(f"{name}_target")
    for path in written:
        print(path)
    return 0


def _render_move(runner: Runner, folder: Path, target: str, actor: Actor) -> list[Path]:
    """The move from a desk's own SQLite file (a small demo) to an empty scratch database."""
    _createdb(target)
    desk = Path(tempfile.mkdtemp(prefix="frontdesk-shots-")) / "frontdesk.sqlite3"
    database, _copy = open_for_use(f"sqlite:///{desk}")
    try:
        context = make_context(database, actor)
        demo.generate(context, patients=300)
        profile = ConnectionProfile(
            host=HOST, port=PORT, database=target, user=SUPERUSER, sslmode=SslMode.PREFER
        )
        return render_move(ScreenContext(context, runner), folder, profile)
    finally:
        runner.wait_for_idle()
        database.dispose()


def _render_outage(runner: Runner, folder: Path, name: str, actor: Actor) -> list[Path]:
    """The window on the demo database through the relay; the relay is cut mid-search."""
    relay = _Relay()
    database, _copy = open_for_use(
        f"postgresql+psycopg://{SUPERUSER}@{HOST}:{relay.port}/{name}", upgrade=False
    )
    try:
        return render_outage(
            ScreenContext(make_context(database, actor), runner), folder, relay.cut
        )
    finally:
        runner.wait_for_idle()
        database.dispose()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
