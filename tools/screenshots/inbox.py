"""Screenshots of the Inbox with a morning's faxes (an MRI report scanned at 200 dpi, an
operative report, a referral for someone without a chart) and of Admin → Inbox.

``render(screen, folder)`` is the hook ``tools.screenshots.render_all`` calls: inbox.png, its
New study, Discard, Split and New surgery dialogs, admin-inbox.png and chart-faxes.png (the
chart's Faxes tab, once the MRI report is filed) at 1280x800, then the same (in a child
process on a 1080p monitor at 150%, 1280x720 logical pixels) into 150/.
``python -m tools.screenshots.inbox FOLDER [--scaled]`` builds a small demo database itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog

from frontdesk.demo import generator as demo
from frontdesk.demo.faxes import (
    Person,
    mri_lines,
    operative_lines,
    referral_lines,
    scanned_tiff,
    text_pdf,
)
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Role
from frontdesk.services.inbox import arrivals, listing, reading
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.search import search
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.practice.settings import (
    INBOX_FOLDERS,
    INBOX_MAIL_DONE_FOLDER,
    INBOX_MAIL_HOST,
    INBOX_MAIL_USER,
    save_settings,
)
from frontdesk.ui.admin.area import AdminArea
from frontdesk.ui.inbox.area import InboxArea
from frontdesk.ui.patients.chart import PatientChart
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from frontdesk.ui.style import apply_style
from tools.screenshots.capture import main_window, save_grab, wait_until

FULL_HD_FOLDER = "150"
PICTURES = (
    "inbox.png",
    "inbox-new-study.png",
    "inbox-new-surgery.png",
    "inbox-discard.png",
    "inbox-split.png",
    "admin-inbox.png",
    "chart-faxes.png",
)
_wait = partial(wait_until, settle=20, timeout=120)


def _person(context: ServiceContext, query: str) -> Person:
    found = search(context, query, limit=1).items[0]
    return Person(found.first_name, found.last_name, f"{found.date_of_birth:%m/%d/%Y}")


def prepare(context: ServiceContext) -> None:
    """The sources set up, and a morning's faxes read as the watcher reads them (unless the
    demo practice brought its own)."""
    save_settings(
        context,
        {
            INBOX_FOLDERS.key: "\\\\faxserver\\incoming\n\\\\scanner\\front-desk",
            INBOX_MAIL_HOST.key: "imap.efax.example.com",
            INBOX_MAIL_USER.key: "faxes@lakeside-spine.example.com",
            INBOX_MAIL_DONE_FOLDER.key: "Faxes/Done",
        },
    )
    if listing.unfiled_count(context):
        return
    for data, name, source in _faxes(context):
        origin = (
            r"\\faxserver\incoming"
            if source == "folder"
            else "e-mail from faxes@efax.example.com: Fax from (503) 410-2000"
        )
        arrival = arrivals.receive(context, data, name, source=source, origin=origin)
        if arrival.document_id is not None:
            reading.read_document(context, arrival.document_id)


def _faxes(context: ServiceContext) -> list[tuple[bytes, str, str]]:
    """An MRI report scanned at 200 dpi, an operative report, a referral for a newcomer."""
    maria = _person(context, "nunez maria jose")
    other = search(context, "smith", limit=1).items
    operated = (
        Person(other[0].first_name, other[0].last_name, f"{other[0].date_of_birth:%m/%d/%Y}")
        if other
        else maria
    )
    newcomer = Person("Daniel", "Okonkwo-Reyes", "11/02/1974", "(217) 555-0166")
    return [
        (scanned_tiff(text_pdf(mri_lines(maria))), "fax-20261207-0814.tif", "folder"),
        (text_pdf(operative_lines(operated)), "OpNote_General_Hospital.pdf", "email"),
        (
            text_pdf(referral_lines(newcomer), ["Attached: office notes", "Thank you."]),
            "fax-20261207-0902.pdf",
            "folder",
        ),
    ]


def render_pictures(screen: ScreenContext, folder: Path, size: tuple[int, int]) -> list[Path]:
    written: list[Path] = []
    window = main_window(screen, size)
    window.show_area("inbox")
    area = window.current_area()
    assert isinstance(area, InboxArea)
    _wait(lambda: area.current is not None and area.panel.file_button.isEnabled())
    screen.runner.wait_for_idle()
    _wait()
    written.append(save_grab(window, folder / "inbox.png"))
    written.extend(_dialogs(area, folder))

    window.show_area("admin")
    admin = window.current_area()
    assert isinstance(admin, AdminArea)
    admin.tabs.setCurrentWidget(admin.inbox)
    _wait(lambda: admin.inbox.loaded and admin.inbox.facts is not None)
    written.append(save_grab(window, folder / "admin-inbox.png"))
    window.show_area("inbox")
    written.append(_chart_faxes(screen, area, folder, size))
    window.close()
    return written


def _dialog_grab(area: InboxArea, open_it: Callable[[], None], path: Path) -> Path:
    """Open one of the area's dialogs at the size it picks itself, picture it, cancel it."""
    open_it()
    dialog = area.dialog
    assert isinstance(dialog, QDialog)
    _wait(dialog.isVisible)
    _wait()
    save_grab(dialog, path)
    getattr(dialog, "mark_clean", lambda: None)()  # nothing typed: close without asking
    dialog.reject()
    _wait()
    return path


def _dialogs(area: InboxArea, folder: Path) -> list[Path]:
    """New study (the MRI report on screen), Discard, Split on the two-page referral, then
    New surgery on the operative report."""
    written = [
        _dialog_grab(area, area.new_study, folder / "inbox-new-study.png"),
        _dialog_grab(area, area.discard, folder / "inbox-discard.png"),
    ]
    rows = [area.model.record(row) for row in range(area.model.rowCount())]
    two_pages = next(row for row in rows if row.page_count >= 2)
    area.table.selectRow(area.model.row_of(two_pages.id))
    _wait(lambda: area.current is not None and area.current.row.id == two_pages.id)
    written.append(_dialog_grab(area, area.split, folder / "inbox-split.png"))
    operative = next(row for row in rows if row.suggested_kind == "operative-report")
    area.table.selectRow(area.model.row_of(operative.id))
    _wait(lambda: area.current is not None and area.current.row.id == operative.id)
    _wait(lambda: area.panel.patient_id is not None)
    written.append(_dialog_grab(area, area.new_surgery, folder / "inbox-new-surgery.png"))
    area.table.selectRow(0)
    _wait(lambda: area.current is not None and area.current.row.id == rows[0].id)
    return written


def _chart_faxes(
    screen: ScreenContext, area: InboxArea, folder: Path, size: tuple[int, int]
) -> Path:
    """The MRI report filed, then its patient's chart open on the Faxes tab."""
    _wait(lambda: area.current is not None and area.panel.file_button.isEnabled())
    patient_id = area.panel.patient_id
    assert patient_id is not None
    before = area.model.rowCount()
    area.panel.file_here()
    _wait(lambda: area.model.rowCount() < before)
    screen.runner.wait_for_idle()
    chart = PatientChart(screen, patient_id)
    chart.resize(min(size[0], 1100), min(size[1], 780))
    chart.show()
    _wait(lambda: chart.patient is not None)
    chart.tabs.setCurrentWidget(chart.faxes)
    _wait(lambda: chart.faxes.model.rowCount() > 0)
    drawn: list[int] = []
    chart.faxes.pages.page_drawn.connect(drawn.append)
    chart.faxes.table.selectRow(0)
    _wait(lambda: bool(drawn))
    path = save_grab(chart, folder / "chart-faxes.png")
    chart.close()
    return path


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    prepare(screen.services)
    written = render_pictures(screen, folder, (1280, 800))
    child = subprocess.run(
        [sys.executable, "-m", "tools.screenshots.inbox", str(folder), "--scaled"],
        env={**os.environ, "QT_SCALE_FACTOR": "1.5", "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    if child.returncode == 0:
        written.extend(folder / FULL_HD_FOLDER / name for name in PICTURES)
    return written


def main(argv: list[str]) -> int:
    scaled = "--scaled" in argv
    args = [arg for arg in argv if arg != "--scaled"]
    folder = Path(args[0] if args else "docs/screenshots").absolute()
    with tempfile.TemporaryDirectory(prefix="frontdesk-inbox-shots-") as home:
        os.environ["FRONTDESK_HOME"] = home
        if scaled:
            from tools.screenshots.render_all import FULL_HD, _configure_platform

            _configure_platform(Path(home), *FULL_HD)
            folder = folder / FULL_HD_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        app = QApplication.instance() or QApplication(sys.argv[:1])
        apply_style(app)  # type: ignore[arg-type]
        database, _copy = open_for_use(f"sqlite:///{Path(home) / 'demo.sqlite3'}")
        actor = Actor("maria.lopez", Role.ADMIN, workstation="front-desk-1")
        context = make_context(database, actor)
        demo.generate(context, patients=500, seed=1)
        prepare(context)
        runner = Runner()
        try:
            screen = ScreenContext(context, runner)
            # 1280x720 logical on the 1080p monitor at 150%: the whole screen.
            size = (1280, 720) if scaled else (1280, 800)
            for path in render_pictures(screen, folder, size):
                print(path)
        finally:
            runner.wait_for_idle()
            database.dispose()
        del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
