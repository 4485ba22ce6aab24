"""`make screenshots`: render first-run setup, every area and the Admin screens to PNGs.

``python -m tools.screenshots FOLDER`` builds a temporary demo database (the demo
practice and a few thousand synthetic patients), renders the screens at 1280x800 under the
offscreen platform, then renders a few again at 150% scaling in a child process
(QT_SCALE_FACTOR=1.5), and every picture once more on a 1080p monitor at 150% (1280x720
logical pixels, no window larger than the screen) into FOLDER/150 (``--full-hd-only`` runs
that pass alone).
An area's detailed pictures come from its module in this package
(``tools/screenshots/<area>.py``, exposing ``render(screen, folder) -> list[Path]``).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 1280, 800
SCALED = 1.5
# 1920x1080 at 150%: 1280x720 logical pixels, the smallest screen every window must fit.
FULL_HD = (1920, 1080)
FULL_HD_FOLDER = "150"
DEMO_PATIENTS = 5_000


def _configure_platform(home: Path, width: int, height: int) -> None:
    """Offscreen rendering on a screen of ``width`` x ``height`` pixels (before Qt starts)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    if platform != "offscreen":
        return
    config = home / "screens.json"
    config.write_text(
        json.dumps(
            {
                "screens": [
                    {
                        "name": "shots",
                        "x": 0,
                        "y": 0,
                        "width": width,
                        "height": height,
                        "logicalDpi": 96,
                        "logicalBaseDpi": 96,
                        "dpr": 1,
                    }
                ]
            }
        )
    )
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def main(argv: list[str]) -> int:
    args = list(argv)
    scaled_only = "--scaled-only" in args
    full_hd_only = "--full-hd-only" in args
    args = [arg for arg in args if arg not in ("--scaled-only", "--full-hd-only")]
    folder = Path(args[0] if args else "docs/screenshots").absolute()
    folder.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="frontdesk-shots-"))
    # Logs and workstation settings of the demo stay out of the user's own folders.
    os.environ["FRONTDESK_HOME"] = str(home)
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    # The 150% pictures are of a 1280x800 display: 853x533 logical pixels to fit in.
    if scaled_only:
        _configure_platform(home, WIDTH, HEIGHT)
    elif full_hd_only:
        _configure_platform(home, *FULL_HD)
    else:
        _configure_platform(home, 2400, 1600)
    shots = _Shots(folder, home)
    try:
        if scaled_only:
            written = shots.render_scaled()
        elif full_hd_only:
            written = shots.render_full_hd()
        else:
            written = shots.render_all()
    finally:
        shots.close()
    for path in written:
        print(path)
    if not (scaled_only or full_hd_only):
        for flag in ("--scaled-only", "--full-hd-only"):
            child = subprocess.run(
                [sys.executable, "-m", "tools.screenshots", str(folder), flag],
                env={
                    **os.environ,
                    "QT_SCALE_FACTOR": str(SCALED),
                    "QT_QPA_PLATFORM": "offscreen",
                },
                check=False,
            )
            if child.returncode:
                print(f"the 150% screenshots ({flag}) failed", file=sys.stderr)
                return child.returncode
        _render_shared_server(folder)
    return 0


def _render_shared_server(folder: Path) -> None:
    """Admin → Shared server and the outage banner, at 100% and 150%: their own processes
    (they need the local PostgreSQL and really cut a connection; a failure is reported and
    the other pictures are kept)."""
    module = "tools.screenshots.shared_server"
    for extra, scale in (([], "1"), (["--scaled"], str(SCALED))):
        child = subprocess.run(
            [sys.executable, "-m", module, str(folder), *extra],
            env={**os.environ, "QT_SCALE_FACTOR": scale, "QT_QPA_PLATFORM": "offscreen"},
            check=False,
        )
        if child.returncode:
            print(f"the shared-server screenshots ({scale}x) failed", file=sys.stderr)


class _Shots:
    """One Qt application, two demo databases (set up, and empty for the first run)."""

    def __init__(self, folder: Path, home: Path) -> None:
        from PySide6.QtCore import QSettings

        from frontdesk.domain.actor import Actor
        from frontdesk.domain.permissions import Role
        from frontdesk.services.platform.bootstrap import make_context, open_for_use
        from frontdesk.ui.app import make_application
        from frontdesk.ui.runner import Runner
        from frontdesk.ui.screen_context import ScreenContext

        self.folder = folder
        self.home = home
        self.app = make_application()
        self.actor = Actor(
            "maria.lopez", Role.ADMIN, workstation="front-desk-1", display_name="Maria Lopez"
        )
        self.settings = QSettings(str(home / "desk.ini"), QSettings.Format.IniFormat)
        self.runner = Runner()
        self.databases = []
        database, _copy = open_for_use(f"sqlite:///{home / 'demo.sqlite3'}")
        self.databases.append(database)
        self.context = make_context(database, self.actor)
        self.screen = ScreenContext(self.context, self.runner)
        empty, _copy = open_for_use(f"sqlite:///{home / 'empty.sqlite3'}")
        self.databases.append(empty)
        self.empty_screen = ScreenContext(make_context(empty, self.actor), self.runner)
        self.written: list[Path] = []

    def close(self) -> None:
        self.runner.wait_for_idle()
        for database in self.databases:
            database.dispose()

    # Helpers ------------------------------------------------------------------------------

    def settle(self, condition: Callable[[], bool] = lambda: True, timeout: float = 30) -> None:
        from tools.screenshots.capture import wait_until

        wait_until(condition, timeout, failure="a screen did not finish loading")
        self.runner.wait_for_idle()
        wait_until(settle=20)  # deliver results, then let layouts and paints settle

    def save(self, widget: object, name: str) -> Path:
        path = self.folder / name
        widget.grab().save(str(path))  # type: ignore[attr-defined]
        self.written.append(path)
        return path

    # The demo practice --------------------------------------------------------------------

    def fill_demo_database(self) -> None:
        from frontdesk.services.practice.first_run import complete_first_run
        from frontdesk.services.practice.forms import (
            LocationForm,
            PracticeProfileForm,
            ProviderForm,
        )
        from frontdesk.services.practice.locations import save_location
        from frontdesk.services.practice.profile import get_profile, save_profile

        try:
            from frontdesk.demo import generator as demo
        except ImportError:  # an older tree: the practice alone, through the services
            demo = None
        if demo is not None:
            demo.generate(self.context, patients=DEMO_PATIENTS, seed=1)
        else:
            complete_first_run(
                self.context,
                PracticeProfileForm(
                    name="Lakeside Spine Center",
                    address="100 Main St\nSpringfield, IL 62701",
                    main_phone="217-555-0142",
                    toll_free_phone="800-555-0199",
                    fax="217-555-0143",
                    website="lakeside-spine.example.com",
                ),
                [
                    ProviderForm("Ana", "Lindqvist", "MD", "Orthopedic spine surgery"),
                    ProviderForm("Rahul", "Menon", "MD", "Neurosurgery"),
                    ProviderForm("Tomás", "Ibarra", "PA-C", "Spine surgery"),
                ],
            )
            for name, address, phone in (
                ("Main office", "100 Main St\nSpringfield, IL 62701", "217-555-0100"),
                ("Decatur clinic", "455 N Water St\nDecatur, IL 62523", "217-555-0180"),
            ):
                save_location(self.context, LocationForm(name, address, phone))
        profile = get_profile(self.context)
        if profile is not None and not profile.logo:
            form = PracticeProfileForm(
                **{
                    key: getattr(profile, key)
                    for key in (
                        "name",
                        "address",
                        "main_phone",
                        "toll_free_phone",
                        "fax",
                        "website",
                        "time_zone",
                    )
                },
                logo=demo_logo(),
            )
            save_profile(self.context, form, profile.version)

    # Screens ------------------------------------------------------------------------------

    def render_all(self) -> list[Path]:
        self.render_first_run()
        self.fill_demo_database()
        self.render_welcome()
        window = self.main_window()
        self.render_areas(window)
        self.render_admin(window)
        self.render_help(window)
        window.close()
        self.render_area_hooks()
        self.render_security()
        return self.written

    def render_scaled(self) -> list[Path]:
        """A 1280x800 display at 150%: the window gets the whole (853x533 logical) screen."""
        from PySide6.QtGui import QGuiApplication

        self.fill_demo_database()
        window = self.main_window()
        display = QGuiApplication.primaryScreen()
        if display is not None:
            window.setGeometry(display.availableGeometry())  # type: ignore[attr-defined]
        window.show_area("admin")
        self.settle(lambda: window.current_area().profile.version is not None)  # type: ignore[union-attr]
        self.save(window, "admin-profile@150%.png")
        admin = window.current_area()  # type: ignore[attr-defined]
        admin.tabs.setCurrentWidget(admin.providers)
        self.settle(lambda: admin.providers.loaded)
        self.save(window, "admin-providers@150%.png")
        window.close()
        dialog = self.first_run_dialog()
        self.save(dialog, "first-run-practice@150%.png")
        dialog.done(0)
        return self.written

    def render_full_hd(self) -> list[Path]:
        """A 1080p monitor at 150% (1280x720 logical): every picture of the 100% pass, each
        window at most as large as the screen, into FOLDER/150; last, the main window and the
        main dialogs at the sizes they pick themselves."""
        from tools.screenshots import full_hd_150

        self.folder = self.folder / FULL_HD_FOLDER
        self.folder.mkdir(parents=True, exist_ok=True)
        self.render_first_run()
        self.fill_demo_database()
        self.render_welcome()
        window = self.main_window()
        self.render_areas(window)
        self.render_admin(window)
        self.render_help(window)
        window.close()
        self.render_area_hooks(full_hd=True)
        self.render_security()
        self.written.extend(full_hd_150.render(self.screen, self.folder))
        return self.written

    def main_window(self) -> object:
        from frontdesk.ui.main_window import MainWindow

        window = MainWindow(self.screen, self.settings, practice_name="Lakeside Spine Center")
        from tools.screenshots.capture import sized

        sized(window, WIDTH, HEIGHT)
        window.show()
        self.settle()
        return window

    def first_run_dialog(self) -> object:
        from frontdesk.ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(self.empty_screen)
        dialog.show()
        profile = dialog.profile
        profile.name.setText("Lakeside Spine Center")
        profile.address.setPlainText("100 Main St\nSpringfield, IL 62701")
        profile.main_phone.setText("217-555-0142")
        profile.toll_free_phone.setText("1-800-555-0199")
        profile.fax.setText("217-555-0143")
        profile.website.setText("www.lakeside-spine.example.com")
        profile.logo.set_logo(demo_logo())
        self.settle()
        return dialog

    def render_first_run(self) -> None:
        dialog = self.first_run_dialog()
        self.save(dialog, "first-run-1-practice.png")
        dialog.profile.main_phone.setText("555-01")
        dialog.next_step()
        self.settle()
        self.save(dialog, "first-run-1-phone-message.png")
        dialog.profile.main_phone.setText("217-555-0142")
        dialog.next_step()
        rows = dialog.providers
        first = rows.rows[0].edits
        first["first_name"].setText("Ana")
        first["last_name"].setText("Lindqvist")
        first["credentials"].setText("MD")
        first["specialty"].setText("Orthopedic spine surgery")
        second = rows.add_row().edits
        second["first_name"].setText("Rahul")
        second["last_name"].setText("Menon")
        second["credentials"].setText("MD")
        second["specialty"].setText("Neurosurgery")
        rows.add_row()
        self.settle()
        self.save(dialog, "first-run-2-providers.png")
        dialog.next_step()
        self.settle()
        self.save(dialog, "first-run-3-hours.png")
        dialog.done(0)

    def render_welcome(self) -> None:
        """The first screen of a new database, and the demo practice's window."""
        from frontdesk.ui.main_window import MainWindow
        from frontdesk.ui.welcome import WelcomeDialog

        welcome = WelcomeDialog(self.empty_screen)
        welcome.show()
        self.settle()
        self.save(welcome, "welcome.png")
        welcome.done(0)
        demo = replace(self.screen, demo=True)
        window = MainWindow(demo, self.settings, practice_name="Lakeside Spine Center")
        from tools.screenshots.capture import sized

        sized(window, WIDTH, HEIGHT)
        window.show()
        window.show_area("today")
        self.settle(lambda: getattr(window.current_area(), "snapshot", None) is not None)
        self.save(window, "demo-practice.png")
        window.close()
        self.render_without_hours()

    def render_without_hours(self) -> None:
        """Today in a practice set up without weekly hours: what to do next, and where."""
        from frontdesk.services.platform.bootstrap import make_context, open_for_use
        from frontdesk.services.practice.first_run import complete_first_run
        from frontdesk.services.practice.forms import PracticeProfileForm, ProviderForm
        from frontdesk.ui.main_window import MainWindow
        from frontdesk.ui.screen_context import ScreenContext

        database, _copy = open_for_use(f"sqlite:///{self.home / 'no-hours.sqlite3'}")
        self.databases.append(database)
        context = make_context(database, self.actor)
        complete_first_run(
            context,
            PracticeProfileForm(name="Lakeside Spine Center", main_phone="217-555-0142"),
            [ProviderForm("Ana", "Lindqvist", "MD", "Orthopedic spine surgery")],
        )
        screen = ScreenContext(context, self.runner)
        window = MainWindow(screen, self.settings, practice_name="Lakeside Spine Center")
        from tools.screenshots.capture import sized

        sized(window, WIDTH, HEIGHT)
        window.show()
        window.show_area("today")
        area = window.current_area()
        self.settle(lambda: getattr(area, "snapshot", None) is not None)
        self.save(window, "today-no-hours.png")
        window.close()

    def render_areas(self, window: object) -> None:
        from frontdesk.ui.main_window import AREAS

        for area in AREAS:
            window.show_area(area.key)  # type: ignore[attr-defined]
            shown = window.current_area()  # type: ignore[attr-defined]
            # The calendar draws once its week is read: before that it is an empty grid; the
            # handouts' preview draws a moment after its list is filled and a handout chosen.
            self.settle(lambda shown=shown: getattr(shown, "data", True) is not None)
            preview = getattr(shown, "preview", None)
            if hasattr(preview, "rendered"):  # the handouts' live preview
                self.settle(lambda preview=preview: preview.rendered is not None)
            self.save(window, f"area-{area.key}.png")

    def render_admin(self, window: object) -> None:
        from frontdesk.ui.admin.area import AdminArea

        window.show_area("admin")  # type: ignore[attr-defined]
        admin = window.current_area()  # type: ignore[attr-defined]
        assert isinstance(admin, AdminArea)
        self.settle(lambda: admin.profile.version is not None)
        self.save(window, "admin-profile.png")

        admin.tabs.setCurrentWidget(admin.locations)
        self.settle(lambda: admin.locations.loaded)
        self.save(window, "admin-locations.png")
        dialog = admin.locations.open_dialog(admin.locations.selected())
        self.settle()
        self.save(dialog, "admin-location-editor.png")
        dialog.done(0)

        admin.tabs.setCurrentWidget(admin.providers)
        self.settle(lambda: admin.providers.loaded)
        self.save(window, "admin-providers.png")
        dialog = admin.providers.open_dialog(None)
        dialog.first_name.setText("Grace")
        dialog.save()
        self.settle(lambda: not dialog.saving)
        self.save(dialog, "admin-provider-editor-message.png")
        dialog.done(0)

        from tools.screenshots.admin_scheduling import render_scheduling

        render_scheduling(window, admin, self.save, self.settle)

        admin.tabs.setCurrentWidget(admin.practice_rules)
        self.settle(lambda: admin.practice_rules.loaded)
        self.save(window, "admin-practice-rules.png")
        admin.tabs.setCurrentWidget(admin.handout_reviews)
        self.settle(lambda: admin.handout_reviews.loaded)
        self.save(window, "admin-handout-reviews.png")
        reviews_panel = admin.handout_reviews
        dialog = reviews_panel.record_selected()
        if dialog is not None:
            dialog.reviewer.setText("Dr. Ana Lindqvist, MD")
            dialog.evidence.setPlainText(
                "NASS patient education guidance (2024); the practice's own page on this "
                "condition; checked line by line against the current text."
            )
            self.settle()
            self.save(dialog, "admin-handout-review-record.png")
            dialog.save()
            self.settle(lambda: dialog.record is not None or not dialog.saving)
            self.settle(lambda: reviews_panel.loaded and "recorded" in reviews_panel.banner.text)
            self.save(window, "admin-handout-reviews-recorded.png")

        # A conflict: another desk saved the profile after this one loaded it.
        from frontdesk.services.practice.forms import PracticeProfileForm
        from frontdesk.services.practice.profile import get_profile, save_profile

        admin.tabs.setCurrentWidget(admin.profile)
        current = get_profile(self.context)
        assert current is not None
        other = self.context.as_actor(
            self.actor.__class__("jamal.reed", self.actor.role, display_name="Jamal Reed")
        )
        fields = {
            key: getattr(current, key)
            for key in (
                "name",
                "address",
                "main_phone",
                "toll_free_phone",
                "website",
                "logo",
                "time_zone",  # kept: the Schedule pictures after this use the practice's zone
            )
        }
        save_profile(other, PracticeProfileForm(**fields, fax=""), current.version)
        admin.profile.fields.fax.setText("217-555-0199")
        admin.profile.save()
        self.settle(lambda: admin.profile.banner.kind == "error")
        self.save(window, "admin-profile-conflict.png")
        admin.profile.reload()
        self.settle(lambda: not admin.profile.has_unsaved_changes())

    def render_help(self, window: object) -> None:
        window.show_help()  # type: ignore[attr-defined]
        dialog = window.about_dialog  # type: ignore[attr-defined]
        self.settle()
        self.save(dialog, "help-about.png")
        dialog.close()

    def render_security(self) -> None:
        """Sign-in, lock screen and Admin → Users (not an area of their own)."""
        from tools.screenshots.security import render

        try:
            self.written.extend(render(self.screen, self.folder))
        except Exception as error:  # the other pictures are still worth having
            print(f"screenshots of sign-in and users failed: {error!r}", file=sys.stderr)
        self.runner.wait_for_idle()

    def render_area_hooks(self, *, full_hd: bool = False) -> None:
        """The areas' detailed pictures, each from its module here, in the sidebar's order
        (on the 1080p monitor at 150%, ``full_hd``: the same pictures, no child processes)."""
        from tools.screenshots import (
            audit,
            desk_calls,
            handouts,
            history,
            inbox,
            patients,
            requests,
            schedule,
            today,
        )

        def today_pictures(screen: Any, folder: Path) -> list[Path]:
            today.prepare(screen.services)
            return today.render_pictures(screen, folder)

        def inbox_pictures(screen: Any, folder: Path) -> list[Path]:
            inbox.prepare(screen.services)
            return inbox.render_pictures(screen, folder, (WIDTH, HEIGHT))

        for name, render in (
            ("today", today_pictures if full_hd else today.render),
            ("requests", requests.render),
            ("schedule", schedule.render),
            ("patients", patients.render),
            ("history", history.render),
            ("desk calls", desk_calls.render),
            ("handouts", handouts.render),
            ("inbox", inbox_pictures if full_hd else inbox.render),
            ("audit", audit.render),
        ):
            try:
                self.written.extend(render(self.screen, self.folder))
            except Exception as error:  # one area's pictures must not stop the others
                print(f"screenshots of {name} failed: {error!r}", file=sys.stderr)
            self.runner.wait_for_idle()


def demo_logo() -> bytes:
    """A plain made-up logo (PNG) for the demo practice."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (360, 120), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 112, 112), radius=18, fill=(47, 102, 144))
    draw.line((60, 24, 60, 96), fill=(255, 255, 255), width=10)
    for y in (36, 60, 84):
        draw.line((36, y, 84, y), fill=(255, 255, 255), width=6)
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 30)
        small = ImageFont.truetype("DejaVuSans.ttf", 20)
    except OSError:
        font = small = ImageFont.load_default()
    draw.text((128, 30), "Lakeside", fill=(31, 35, 40), font=font)
    draw.text((128, 70), "Spine Center", fill=(87, 96, 106), font=small)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
