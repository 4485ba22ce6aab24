"""A live preview: re-rendered off the UI thread shortly after what it shows changes."""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

from frontdesk.documents.page_images import PdfPages
from frontdesk.services.handouts.handout_prints import RenderedHandout
from frontdesk.ui.runner import LatestOnly, Runner
from frontdesk.ui.widgets.page_view import PageView, draw_page, fitted_size

# Typing a note re-renders once the typing pauses this long.
PREVIEW_DELAY_MS = 300
# Pages drawn with the PDF, so the new version replaces the old at once; the view draws the
# others when they are scrolled to.
FIRST_PAGES = 2

# Renders what to preview; runs on a worker thread.
PreviewCall = Callable[[], RenderedHandout]


def still_there(*objects: QObject) -> bool:
    """False once Qt has deleted one of these (its window closed while a call ran): a late
    result is then dropped instead of being drawn into a widget that no longer exists."""
    return all(shiboken6.isValid(item) for item in objects)


class LivePreview(QObject):
    """Drives a PageView: only the newest request's pages ever show.

    ``shown(RenderedHandout)`` fires when its pages are on screen, ``failed(message)`` when
    it could not be drawn (the message is shown in the preview too).
    """

    shown = Signal(object)
    failed = Signal(str)

    def __init__(self, runner: Runner, view: PageView, parent: QObject | None = None) -> None:
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

        width, ratio = self.view.target()

        def draw() -> tuple[RenderedHandout, dict[int, QImage]]:
            rendered = call()
            source = PdfPages(rendered.pdf)
            try:
                first = {
                    index: draw_page(source, index, *fitted_size(source, index, width), ratio)
                    for index in range(min(source.page_count, FIRST_PAGES))
                }
            finally:
                source.close()
            return rendered, first

        self.latest.run(draw, self._show, self._fail)

    def _show(self, result: tuple[RenderedHandout, dict[int, QImage]]) -> None:
        if not still_there(self, self.view):
            return
        rendered, first = result
        self.pending = False
        self.rendered = rendered
        self.view.show_pages(PdfPages(rendered.pdf), first)
        self.shown.emit(rendered)

    def _fail(self, message: str) -> None:
        if not still_there(self, self.view):
            return
        self.pending = False
        self.rendered = None
        self.view.show_message(message)
        self.failed.emit(message)
