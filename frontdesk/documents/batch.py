"""Documents that hold several patients' parts in one file (a day's packets, summaries).

Each part is a group of pages numbered on its own ("Page 2 of 7"). Printed two-sided, a
part that ends on the front of a sheet would put the next patient on its back: so, in a
two-sided batch, a page marked "intentionally left blank" (with the slim header, so it
still says whose it is) fills that back: every patient's part has an even number of pages
and starts on a new sheet, the last one too (a file printed after it starts clean).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import ActionFlowable, Flowable, Frame, PageTemplate, Spacer

from frontdesk.documents.letterhead import MARGIN, Letterhead, NumberedCanvas


class GroupedCanvas(NumberedCanvas):
    """Numbers the pages of each group on their own: every page remembers its group (one
    patient's part; the blank page after it is a group of its own, left unnumbered)."""

    group: Hashable = 0

    def save(self) -> None:
        held = self._held_pages
        counts = Counter(state.get("group", 0) for state in held)
        seen: Counter[Hashable] = Counter()
        for state in held:
            group = state.get("group", 0)
            seen[group] += 1
            self.__dict__.update(state)
            if self.footer is not None:
                self.footer(self, seen[group], counts[group])
            Canvas.showPage(self)
        Canvas.save(self)

    def pages_in(self, group: Hashable) -> int:
        """Pages of ``group`` so far, the page being drawn included."""
        held = sum(1 for state in self._held_pages if state.get("group", 0) == group)
        return held + (1 if self.group == group else 0)


def on_page(draw: Callable[[Canvas, Any], None], group: Hashable) -> Callable[[Canvas, Any], None]:
    """``draw`` for a page of ``group`` (the canvas remembers the group for the footer)."""

    def draw_page(canvas: Canvas, doc: Any) -> None:
        canvas.group = group  # type: ignore[attr-defined]
        draw(canvas, doc)

    return draw_page


def blank_template(
    name: str, letterhead: Letterhead, page_size: tuple[float, float], group: Hashable
) -> PageTemplate:
    """The "intentionally left blank" back of a part's last sheet."""
    width, height = page_size
    frame = Frame(MARGIN, MARGIN, width - 2 * MARGIN, height - 2 * MARGIN, 0, 0, 0, 0)
    return PageTemplate(
        name,
        [frame],
        onPage=on_page(letterhead.draw_blank_page, (group, "blank")),
        pagesize=page_size,
    )


class EndOfPart(ActionFlowable):
    """Placed after a part's last flowable in a two-sided batch: when the part has an odd
    number of pages, ends its page and adds the blank page ``template`` (the next part's
    own page break then starts it on a new sheet)."""

    def __init__(self, group: Hashable, template: str) -> None:
        super().__init__()
        self.group = group
        self.template = template

    def apply(self, doc: Any) -> None:
        canvas = doc.canv
        if isinstance(canvas, GroupedCanvas) and canvas.pages_in(self.group) % 2:
            doc.handle_nextPageTemplate(self.template)
            doc.handle_pageBreak()


def end_of_part(group: Hashable, blank_template_name: str) -> list[Flowable]:
    """What follows a part in a two-sided batch: its blank page if it needs one. The empty
    spacer makes that page print even at the end of the file (so a file printed after this
    one, in the same job, starts on a new sheet too)."""
    return [EndOfPart(group, blank_template_name), Spacer(0, 0)]
