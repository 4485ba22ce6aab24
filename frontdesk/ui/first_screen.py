"""The first screen at start: the one the database needs, and which one this workstation saw last.

Opening the database loads SQLAlchemy, every model and Alembic, then asks two questions; that
is most of a cold start. A workstation almost always starts to the same screen (the sign-in),
so it remembers, per database, the first screen it showed: next time that screen shows at
once while the database opens on a worker thread (``DatabaseOpening``), and the app switches
screens only if the database then needs another one.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from frontdesk import __version__
from frontdesk.domain.actor import operating_system_actor
from frontdesk.services.platform.address import without_password

if TYPE_CHECKING:
    from frontdesk.services.kernel.context import ServiceContext

log = logging.getLogger(__name__)

SETTINGS_GROUP = "firstScreen"


class FirstScreen(StrEnum):
    SIGN_IN = "sign-in"
    # No account yet: the practice, its providers and the first admin.
    FIRST_RUN = "first-run"
    # A practice set up before accounts existed: only the first admin.
    FIRST_ADMIN = "first-admin"


@dataclass(frozen=True)
class FirstScreenFacts:
    """What the database says about the first screen."""

    needs_setup: bool
    has_users: bool

    @property
    def first_screen(self) -> FirstScreen:
        if self.has_users:
            return FirstScreen.SIGN_IN
        return FirstScreen.FIRST_RUN if self.needs_setup else FirstScreen.FIRST_ADMIN


def read_first_screen(services: ServiceContext) -> FirstScreenFacts:
    """Two small queries: whether the practice is set up and whether accounts exist."""
    from frontdesk.services.practice.first_run import has_users, needs_first_run

    return FirstScreenFacts(needs_first_run(services), has_users(services))


@dataclass(frozen=True)
class OpenedDatabase:
    services: ServiceContext  # acting as the computer's login until someone signs in
    copy: Path | None  # the copy kept before the schema was upgraded, if it was
    facts: FirstScreenFacts


def open_practice_database(url: str) -> OpenedDatabase:
    """Open the database, bring its schema up to date, and read what the first screen is."""
    from frontdesk.services.platform.bootstrap import make_context, open_for_use

    database, copy = open_for_use(url)
    try:
        services = make_context(database, operating_system_actor())
        facts = read_first_screen(services)
    except BaseException:
        database.dispose()
        raise
    log.info("Front Desk %s started on %s", __version__, database.describe())
    return OpenedDatabase(services, copy, facts)


class DatabaseOpening:
    """``open_practice_database`` as one call for the runner, keeping what it opened: the app
    closes it at exit even when it quit before the result was delivered."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opened: OpenedDatabase | None = None

    def __call__(self) -> OpenedDatabase:
        self.opened = open_practice_database(self.url)
        return self.opened

    def close(self) -> None:
        if self.opened is not None:
            self.opened.services.database.dispose()


def _settings_key(url: str) -> str:
    # A digest: the settings file is plain text, and the key must not depend on the password.
    digest = hashlib.sha256(without_password(url).encode("utf-8")).hexdigest()[:24]
    return f"{SETTINGS_GROUP}/{digest}"


def remembered_first_screen(settings: QSettings, url: str) -> FirstScreen | None:
    """The first screen this workstation showed last time for this database, if any."""
    value = settings.value(_settings_key(url))
    try:
        return FirstScreen(str(value)) if value is not None else None
    except ValueError:
        return None


def remember_first_screen(settings: QSettings, url: str, screen: FirstScreen) -> None:
    if remembered_first_screen(settings, url) is not screen:
        settings.setValue(_settings_key(url), screen.value)
        settings.sync()
