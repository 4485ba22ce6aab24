"""Guard against the PySide6 6.12.0 + Python 3.11 crash when item models return None.

Every model in the app returns None from ``data()`` for the roles it does not answer; C++
callers (a proxy sorting, a view painting) receive it as an empty QVariant, and reading such a
cell back into Python (``proxy.data(index, role)``, ``index.data(role)``, ``headerData``)
turns the empty QVariant into ``None``. PySide6 6.12.0 does that without counting the
reference (measured: each of 1,000 reads of an empty role lowers ``sys.getrefcount(None)``
by one). Python 3.12+ has an immortal ``None``; on 3.11 the count reaches zero after some
thousands of reads and the process dies with ``Fatal Python error: none_dealloc``.
pyproject.toml's markers keep that pair out; this test fails (before the crash) if they stop.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import PySide6
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
PYSIDE_DISTRIBUTIONS = {"pyside6", "pyside6-essentials", "pyside6-addons"}
# Well past the ~10,000 calls after which the bad pair crashes.
NONE_RETURNS_NEEDED = 30_000
# Far above the drift of a sound pair, far below the count at which the bad pair crashes.
NONE_LEAK_TOLERANCE = 2_000

ModelIndex = QModelIndex | QPersistentModelIndex


class MostlyNoneModel(QAbstractTableModel):
    """A table that, like the app's models, answers only the display role: None otherwise."""

    def __init__(self, rows: int, columns: int) -> None:
        super().__init__()
        self.rows = rows
        self.columns = columns
        self.calls = 0
        self.none_returned = 0

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.rows

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.columns

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        self.calls += 1
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            return f"{(index.row() * 7919) % self.rows:05d}-{index.column()}"
        self.none_returned += 1
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"Column {section}" if orientation == Qt.Orientation.Horizontal else section
        return None


def test_many_none_returns_through_a_proxy_and_a_painting_view(qtbot: QtBot) -> None:
    model = MostlyNoneModel(rows=300, columns=4)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    # Sorting on a role the model never answers: each comparison gets None from Python.
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.resize(600, 400)
    view.show()
    qtbot.waitExposed(view)
    scroll_bar = view.verticalScrollBar()
    unanswered_roles = (Qt.ItemDataRole.UserRole, Qt.ItemDataRole.FontRole)

    none_references_before = sys.getrefcount(None)
    read_back_as_none = 0
    rounds = 0
    while model.none_returned < NONE_RETURNS_NEEDED or read_back_as_none < NONE_RETURNS_NEEDED:
        rounds += 1
        assert rounds < 1_000, "the proxy and the view stopped calling data()"
        proxy.sort(rounds % model.columns, Qt.SortOrder(rounds % 2))
        proxy.invalidate()
        # Painting asks every visible cell for its font, colours, alignment, check state...
        scroll_bar.setValue((rounds * 13) % (scroll_bar.maximum() + 1))
        view.viewport().grab()
        # ...and screens read cells back through the proxy: each empty answer crosses from
        # C++ to Python as None, where the 6.12.0 bindings forget to count the reference.
        for row in range(0, proxy.rowCount(), 3):
            for column in range(model.columns):
                index = proxy.index(row, column)
                for role in unanswered_roles:
                    read_back_as_none += proxy.data(index, role) is None
                    read_back_as_none += index.data(role) is None
        lost = none_references_before - sys.getrefcount(None)
        # On a sound pair the count barely moves (None is immortal on 3.12+). Fail with a
        # message here rather than let the process die of none_dealloc a little later.
        assert lost < NONE_LEAK_TOLERANCE, (
            f"PySide6 {PySide6.__version__} on Python {sys.version.split()[0]} lost {lost} "
            "references to None while reading empty model data: this pair crashes "
            "(none_dealloc) and must not be installed"
        )

    # Still a working model afterwards: the proxy sorts the rows it shows.
    proxy.setSortRole(Qt.ItemDataRole.DisplayRole)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    first = proxy.data(proxy.index(0, 0))
    last = proxy.data(proxy.index(proxy.rowCount() - 1, 0))
    assert proxy.rowCount() == 300
    assert first < last


def test_the_crash_guard_model_is_a_valid_qt_model(qtmodeltester: Any) -> None:
    qtmodeltester.check(MostlyNoneModel(rows=25, columns=3))


def _pyside_requirements(python_version: str) -> list[Requirement]:
    """The PySide6 requirements of pyproject.toml that apply on ``python_version``."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    environment = {"python_version": python_version, "python_full_version": f"{python_version}.0"}
    applicable = []
    for line in project["dependencies"]:
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) not in PYSIDE_DISTRIBUTIONS:
            continue
        if requirement.marker is None or requirement.marker.evaluate(environment):
            applicable.append(requirement)
    return applicable


def _allowed(version: str, python_version: str) -> bool:
    requirements = _pyside_requirements(python_version)
    assert requirements, f"no PySide6 requirement applies on Python {python_version}"
    return all(requirement.specifier.contains(version) for requirement in requirements)


def test_pyproject_never_installs_pyside_6_12_0_on_python_3_11() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    oldest = Version(project["requires-python"].removeprefix(">="))
    assert oldest == Version("3.11"), "the oldest supported Python changed: revisit this guard"

    assert not _allowed("6.12.0", "3.11")
    assert _allowed("6.11.3", "3.11")
    # Python 3.12's immortal None makes 6.12 safe there.
    assert _allowed("6.12.0", "3.12")


def test_the_installed_pair_is_not_the_crashing_one() -> None:
    if sys.version_info < (3, 12):
        assert Version(PySide6.__version__) < Version("6.12"), PySide6.__version__
