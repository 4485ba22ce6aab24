"""Fixtures for the week-at-the-desk scenarios (/work/shared/SCENARIOS.md): a screen whose
change hub delivers this desk's commits, as the running app does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from frontdesk.services.kernel.context import ServiceContext
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.screens import open_screen

WAIT_MS = 15_000


@pytest.fixture
def screen(qtbot: QtBot, context: ServiceContext, hub: ChangeHub) -> Iterator[ScreenContext]:
    with open_screen(context, hub) as screen:
        yield screen
