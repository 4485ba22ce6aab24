"""The packet's "What to bring: your own list" box, split across pages by its lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from frontdesk.documents.escape import markup_escape
from frontdesk.documents.handout_pdf import ParagraphMaker
from frontdesk.documents.packet_content import PacketContent
from frontdesk.documents.packet_words import packet_words
from frontdesk.documents.styles import BOX_BACKGROUND, BOX_EDGE, DocumentStyles


@dataclass(frozen=True)
class _BoxLine:
    """One line of the "What to bring" box: its paragraph, and where it stands in a list
    (the box's title and introduction belong to its first list)."""

    paragraph: Flowable
    list_number: int = 0
    item: int = -1  # its place in the list; -1: a label or a sentence
    items: int = 0  # how many items the list has
    continued: str = ""  # the list's label again, for a list that goes on on the next page

    @property
    def is_item(self) -> bool:
        return self.item >= 0


class _BringBox(Flowable):
    """The "What to bring" box: a table of one row per line that splits between lines,
    each part a whole box. A split keeps the title with its first list's label and first
    two items, never ends a page on a label or on a list's first item, and never starts a
    page with a list's last item alone: where a list goes on, its label comes again,
    "(continued)", so an item at the head of the page still says what it is."""

    def __init__(
        self,
        lines: Sequence[_BoxLine],
        styles: DocumentStyles,
        paragraph: ParagraphMaker,
    ) -> None:
        super().__init__()
        self.lines = list(lines)
        self.styles = styles
        self.paragraph = paragraph
        self._table: Table | None = None

    def _make(self, lines: Sequence[_BoxLine], width: float) -> Table:
        size = self.styles.body_size
        pad = size * 0.8
        table = Table([[line.paragraph] for line in lines], colWidths=[width])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), BOX_BACKGROUND),
                    ("BOX", (0, 0), (-1, -1), 0.8, BOX_EDGE),
                    ("LINEBEFORE", (0, 0), (0, -1), 5, BOX_EDGE),
                    ("LEFTPADDING", (0, 0), (-1, -1), pad + 4),
                    ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                    ("TOPPADDING", (0, 0), (-1, -1), size * 0.15),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, 0), pad * 0.8),
                    ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 0.7),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return table

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._table = self._make(self.lines, availWidth)
        return self._table.wrap(availWidth, availHeight)

    def draw(self) -> None:
        assert self._table is not None  # wrapped before it is drawn
        self._table.drawOn(self.canv, 0, 0)

    def _may_end(self, head: Sequence[_BoxLine]) -> bool:
        """Whether a page may end the box after ``head``: on a list's item, with at least
        two items of that list on the page (or all of a list of one)."""
        last = head[-1]
        if not last.is_item:
            return False
        on_page = sum(1 for line in head if line.is_item and line.list_number == last.list_number)
        return on_page >= min(2, last.items)

    def _rest(self, tail: Sequence[_BoxLine], *, strict: bool) -> list[_BoxLine] | None:
        """The lines of the next page's part (None: no good start): a list that goes on
        starts with its label again; ``strict`` also wants two of its items there."""
        first = tail[0]
        if not first.is_item:
            return list(tail)
        left = first.items - first.item
        if strict and left < 2:
            return None
        style = self.styles.box_body
        label = self.paragraph(f"<b>{markup_escape(first.continued)}</b>", style)
        return [_BoxLine(label, first.list_number, continued=first.continued), *tail]

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        # The most that fits with two of a list's items on each side; else the most that
        # fits with one item under the label "(continued)"; else nothing on this page.
        for strict in (True, False):
            for cut in range(len(self.lines) - 1, 0, -1):
                head, tail = self.lines[:cut], self.lines[cut:]
                rest = self._rest(tail, strict=strict) if self._may_end(head) else None
                if rest is None:
                    continue
                _width, height = self._make(head, availWidth).wrap(availWidth, availHeight)
                if height <= availHeight:
                    return [
                        _BringBox(head, self.styles, self.paragraph),
                        _BringBox(rest, self.styles, self.paragraph),
                    ]
        return []


def personal_list(
    packet: PacketContent,
    styles: DocumentStyles,
    width: float,
    paragraph: ParagraphMaker = Paragraph,
) -> list[Flowable]:
    """The highlighted box "What to bring: your own list", one line per row, so a long list
    splits across pages rather than leaving half a page empty before it (_BringBox)."""
    words = packet_words(packet.language)
    listing = packet.what_to_bring
    # The title and introduction go with the first list (number 0): never alone on a page.
    lines = [
        _BoxLine(paragraph(markup_escape(words["personal_title"]), styles.box_title), 0),
        _BoxLine(paragraph(markup_escape(words["personal_intro"]), styles.box_body), 0),
    ]

    def add_list(number: int, label: str, items: Sequence[str]) -> None:
        continued = words["continued"].format(label=label.rstrip(":"))
        bold = paragraph(f"<b>{markup_escape(label)}</b>", styles.box_body)
        lines.append(_BoxLine(bold, number, continued=continued))
        for index, item in enumerate(items):
            bullet = paragraph(markup_escape(item), styles.box_bullet, bulletText="•")
            lines.append(_BoxLine(bullet, number, index, len(items), continued))

    if listing.bring:
        add_list(0, words["please_bring"], listing.bring)
    else:
        text = words["no_records"] if listing.empty else words["nothing_missing"]
        lines.append(_BoxLine(paragraph(markup_escape(text), styles.box_body), 0))
    # What every patient brings: in this one list, not again in the letter or the handout.
    add_list(
        1,
        words["every_visit"],
        [
            words["bring_id"],
            words["bring_medicines"],
            words["bring_referral"],
            words["bring_questions"],
        ],
    )
    if listing.on_file:
        add_list(2, words["we_have"], listing.on_file)
    return [_BringBox(lines, styles, paragraph), Spacer(1, styles.body_size)]
