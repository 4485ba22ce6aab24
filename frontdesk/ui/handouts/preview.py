"""A live preview: re-rendered off the UI thread shortly after what it shows changes."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts.handout_prints import RenderedHandout
from frontdesk.ui.handouts.pages import PagePreview
from frontdesk.ui.runner import LatestOnly, Runner

# Typing a note re-renders once the typing pauses this long.
PREVIEW_DELAY_MS = 300

# Renders what to preview; runs on a worker thread.
PreviewCall = Callable[[], RenderedHandout]


def still_there(*objects: QObject) -> bool:
    """False once Qt has deleted one of these (its window closed while a call ran): a late
    result is then dropped instead of being drawn into a widget that no longer exists."""
    return all(shiboken6.isValid(item) for item in objects)


class LivePreview(QObject):
    """Drives a PagePreview: only the newest request's pages ever show.

    ``shown(RenderedHandout)`` fires when its pages are on screen, ``failed(message)`` when
    it could not be drawn (the message is shown in the preview too).
    """

    shown = Signal(object)
    failed = Signal(str)

    def __init__(self, runner: Runner, view: PagePreview, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.latest = LatestOnly(runner)
        self.call: PreviewCall | None = None
        self.rendered: RenderedHandout | None = None
        self.pending = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.refresh_now)

    def show(self, call: PreviewCall | None, empty_text: str = "") -> None:
        """Preview what ``call`` renders (soon), or show ``empty_text`` when it is None."""
        self.call = call
        if call is None:
            self.timer.stop()
            self.rendered = None
            self.pending = False
            self.latest.run(lambda: None, lambda _none: None)  # outdate any running render
            self.view.show_message(empty_text)
            return
        self.pending = True
        if self.view.page_count() == 0:
            self.view.show_message("Drawing the preview…")
        self.timer.start()

    def refresh_now(self) -> None:
        self.timer.stop()
        call = self.call
        if call is None:
            return
        self.pending = True

        def draw() -> tuple[RenderedHandout, list[bytes]]:
            rendered = call()
            return rendered, handout_prints.pdf_page_images(rendered.pdf)

        self.latest.run(draw, self._show, self._fail)

    def _show(self, result: tuple[RenderedHandout, list[bytes]]) -> None:
        if not still_there(self, self.view):
            return
        rendered, pages = result
        self.pending = False
        self.rendered = rendered
        self.view.show_pages(pages)
        self.shown.emit(rendered)

    def _fail(self, message: str) -> None:
        if not still_there(self, self.view):
            return
        self.pending = False
        self.rendered = None
        self.view.show_message(message)
        self.failed.emit(message)
