"""The change hub: every commit, here or on another workstation, reaches the UI thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QThread
from pytestqt.qtbot import QtBot

from frontdesk.services.kernel.changes import EVERYTHING
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.forms import LocationForm
from frontdesk.services.practice.locations import save_location
from frontdesk.ui.change_hub import ChangeHub
from frontdesk.ui.runner import Runner
from tests.platform.workstation import OtherWorkstation

WAIT_MS = 10_000


class Received:
    """What the hub emitted, and whether each emission came on the UI thread."""

    def __init__(self, hub: ChangeHub) -> None:
        self.tables: list[frozenset[str]] = []
        self.on_ui_thread: list[bool] = []
        hub.changed.connect(self.record)

    def record(self, tables: frozenset[str]) -> None:
        self.tables.append(tables)
        app = QCoreApplication.instance()
        assert app is not None
        self.on_ui_thread.append(QThread.currentThread() is app.thread())


def names(table: str) -> Callable[[frozenset[str]], bool]:
    return lambda tables: table in tables or "*" in tables


@pytest.fixture
def hub(qtbot: QtBot, context: ServiceContext) -> Iterator[ChangeHub]:
    started = ChangeHub(context)
    started.start()
    assert started.wait_until_watching(WAIT_MS / 1000), "not watching other workstations"
    yield started
    started.stop()


@pytest.mark.ui_postgresql
def test_another_workstations_commit_reaches_the_ui_thread(
    qtbot: QtBot, hub: ChangeHub, database_url: str, backend: str
) -> None:
    received = Received(hub)
    with qtbot.waitSignal(hub.changed, timeout=WAIT_MS, check_params_cb=names("locations")):
        OtherWorkstation(database_url).save_location("North Clinic")

    assert received.on_ui_thread and all(received.on_ui_thread)
    if backend == "postgresql":
        assert "locations" in received.tables[-1]
    else:
        assert received.tables[-1] == EVERYTHING


def test_a_commit_in_this_app_emits_with_the_changed_tables(
    qtbot: QtBot, hub: ChangeHub, context: ServiceContext
) -> None:
    with qtbot.waitSignal(hub.changed, timeout=WAIT_MS) as blocker:
        save_location(context, LocationForm(name="North Clinic"))

    assert "locations" in blocker.args[0]
    assert "*" not in blocker.args[0]


def test_a_commit_on_a_worker_thread_is_delivered_on_the_ui_thread(
    qtbot: QtBot, hub: ChangeHub, context: ServiceContext
) -> None:
    received = Received(hub)
    # Parented: a Runner dropped while its finished call's events are queued crashes Qt.
    runner = Runner(hub)
    with qtbot.waitSignal(hub.changed, timeout=WAIT_MS, check_params_cb=names("locations")):
        runner.run(lambda: save_location(context, LocationForm(name="Back Office")))
    assert runner.wait_for_idle()

    assert received.on_ui_thread and all(received.on_ui_thread)


def test_a_burst_of_changes_is_one_refresh(qtbot: QtBot, context: ServiceContext) -> None:
    hub = ChangeHub(context, watch_other_workstations=False)
    hub.start()
    try:
        received = Received(hub)
        with qtbot.waitSignal(hub.changed, timeout=WAIT_MS):
            # All published before the UI thread gets to run: the views refresh once.
            context.changes.publish(frozenset({"locations"}))
            context.changes.publish(frozenset({"providers"}))
            context.changes.publish(frozenset({"locations", "audit_entries"}))
        qtbot.wait(50)  # let any second emission arrive, so that the count below means it
        assert received.tables == [frozenset({"locations", "providers", "audit_entries"})]
    finally:
        hub.stop()


def test_nothing_is_emitted_after_stop(qtbot: QtBot, context: ServiceContext) -> None:
    hub = ChangeHub(context)
    hub.start()
    assert hub.wait_until_watching(WAIT_MS / 1000)
    hub.stop()
    assert not hub.is_watching_other_workstations

    with qtbot.assertNotEmitted(hub.changed, wait=100):
        save_location(context, LocationForm(name="After Closing"))
