"""The base of lazy table models: Qt's ``fetchMore`` reads the next page off the UI thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from frontdesk.ui.runner import Runner

AnyIndex = QModelIndex | QPersistentModelIndex


class PagedTableModel(QAbstractTableModel):
    """Holds only the pages read so far. When a view scrolls to the end, Qt calls
    ``fetchMore``: the call ``next_page()`` returns runs on the runner's worker thread and
    ``add_page()`` appends its rows on the UI thread, unless the list was started over
    (``start_over()``, a new search or filter) while the page was read.

    A subclass supplies ``COLUMNS``, ``next_page()`` and ``add_page()``.
    """

    page_appended = Signal(int)  # rows added
    fetch_failed = Signal(str)

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, runner: Runner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._generation = 0
        self._fetching = False

    def next_page(self) -> Callable[[], Any] | None:
        """The call that reads the next page (on a worker thread); None when there is none."""
        raise NotImplementedError

    def add_page(self, page: Any) -> int:
        """Append a page's rows (inside ``beginInsertRows``); returns how many were added."""
        raise NotImplementedError

    def page_failed(self) -> None:
        """A page could not be read (its message goes out as ``fetch_failed``)."""

    def start_over(self) -> None:
        """Call while resetting the model: pages of the old list still on their way are
        dropped when they arrive."""
        self._generation += 1
        self._fetching = False

    @property
    def is_fetching(self) -> bool:
        return self._fetching

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._fetching and self.next_page() is not None

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        call = self.next_page()
        if parent.isValid() or self._fetching or call is None:
            return
        self._fetching = True
        generation = self._generation

        def arrived(page: Any) -> None:
            if generation != self._generation:
                return  # a newer list replaced this one while the page was read
            self._fetching = False
            self.page_appended.emit(self.add_page(page))

        def failed(message: str) -> None:
            if generation == self._generation:
                self._fetching = False
                self.page_failed()
                self.fetch_failed.emit(message)

        self.runner.run(call, arrived, failed)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return super().headerData(section, orientation, role)
