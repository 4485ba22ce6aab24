"""The page view the document viewer and the previews share: pages drawn on demand, sharp at
any screen scale, with no external program on the computer."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

from frontdesk.documents.page_images import PdfPages
from frontdesk.ui.runner import Runner
from frontdesk.ui.widgets.page_view import MAX_PAGE_WIDTH, PageView

pytestmark = pytest.mark.usefixtures("without_pdftoppm")


def pdf_pages(count: int) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=1)
    for number in range(1, count + 1):
        canvas.drawString(72, 720, f"Page {number}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[PageView]:
    runner = Runner()
    view = PageView(runner)
    qtbot.addWidget(view)
    view.resize(700, 600)
    view.show()
    yield view
    runner.wait_for_idle()
    QCoreApplication.processEvents()


def drawn(view: PageView) -> list[int]:
    return [index for index in range(view.page_count()) if not view.page_pixmap(index).isNull()]


def test_the_pages_in_view_are_drawn_and_the_rest_only_when_scrolled_to(
    qtbot: QtBot, view: PageView
) -> None:
    view.show_pages(PdfPages(pdf_pages(12)))
    assert view.page_count() == 12 and view.message_text() == ""
    qtbot.waitUntil(lambda: 0 in drawn(view), timeout=10_000)
    first = view.page_pixmap(0)
    width, _ratio = view.target()
    assert width <= MAX_PAGE_WIDTH
    assert first.deviceIndependentSize().width() == pytest.approx(width, abs=1)
    assert first.height() == pytest.approx(first.width() * 11 / 8.5, abs=2)
    assert 11 not in drawn(view)  # a long document is not drawn whole to show page 1
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: 11 in drawn(view), timeout=10_000)
    assert 0 not in drawn(view)  # far out of view: its pixels are given back


def test_a_new_document_replaces_the_old_one_and_a_message_replaces_both(
    qtbot: QtBot, view: PageView
) -> None:
    first = PdfPages(pdf_pages(3))
    view.show_pages(first)
    qtbot.waitUntil(lambda: 0 in drawn(view), timeout=10_000)
    view.show_pages(PdfPages(pdf_pages(1)))
    assert view.page_count() == 1
    with pytest.raises(Exception, match="closed"):  # the view let go of the old document
        first.render(0, 10, 10)
    view.show_message("Choose a handout")
    assert view.page_count() == 0 and view.message_text() == "Choose a handout"


SCALED_PREVIEW = textwrap.dedent(
    """
    import io, json, sys
    from types import SimpleNamespace
    from PySide6.QtWidgets import QApplication
    from reportlab.pdfgen.canvas import Canvas
    from frontdesk.documents.page_images import PdfPages
    from frontdesk.ui.handouts.preview import LivePreview
    from frontdesk.ui.runner import Runner
    from frontdesk.ui.widgets.page_view import PageView

    app = QApplication([])
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "Scaled")
    canvas.showPage()
    canvas.save()
    runner = Runner()
    view = PageView(runner)
    view.resize(700, 600)
    view.show()
    view.show_pages(PdfPages(buffer.getvalue()))
    while view.page_pixmap(0).isNull():
        app.processEvents()
    page = view.page_pixmap(0)
    width, ratio = view.target()
    # The handout preview draws its first pages with the PDF, for the same scale.
    handout = PageView(runner)
    handout.resize(700, 600)
    handout.show()
    preview = LivePreview(runner, handout)
    preview.show(lambda: SimpleNamespace(pdf=buffer.getvalue()))
    preview.refresh_now()
    while preview.pending:
        app.processEvents()
    first = handout.page_pixmap(0)
    json.dump({"logical": width, "ratio": ratio, "pixels": page.width(),
               "pixmap_ratio": page.devicePixelRatio(),
               "shown": page.deviceIndependentSize().width(),
               "preview_pixels": first.width(), "preview_ratio": first.devicePixelRatio()},
              sys.stdout)
    runner.wait_for_idle()
    """
)


def test_at_150_percent_the_page_has_one_and_a_half_pixels_per_point(tmp_path: Path) -> None:
    # A screen scale is fixed when the application starts: this one starts at 150 %.
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QT_SCALE_FACTOR": "1.5",
        "QT_ENABLE_HIGHDPI_SCALING": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCALED_PREVIEW],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    shown = json.loads(result.stdout)
    assert shown["ratio"] == 1.5 and shown["pixmap_ratio"] == 1.5
    assert shown["pixels"] == round(shown["logical"] * 1.5)
    assert shown["shown"] == pytest.approx(shown["logical"], abs=1)  # same place, sharper
    assert (shown["preview_pixels"], shown["preview_ratio"]) == (shown["pixels"], 1.5)
