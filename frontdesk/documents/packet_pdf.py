"""Pre-visit packets as PDF: confirmation letter, "Preparing" with a personal list, handouts.

One document holds one packet or many (the combined file for the printer). Every part starts
on a new page (the letter under the full letterhead, the rest under the slim header), and
the footer counts the pages of each packet on its own ("Page 2 of 7"), so a patient's pages
read complete however many are printed together. Every page names the patient and the
visit's time (two patients with one name on one day cannot be mixed), and in a two-sided
combined file every patient starts on a new sheet (documents/batch.py). The surgeon's
history summary is never in a packet: it is for the surgeon, not for the patient.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
)

from frontdesk.documents.batch import GroupedCanvas, blank_template, end_of_part, on_page
from frontdesk.documents.handout_pdf import (
    PAGE_SIZES,
    PENDING_REVIEW,
    PageSize,
    ParagraphMaker,
    ReviewMark,
    footer_text,
    handout_story,
    long_date,
    review_line,
    review_note_color,
)
from frontdesk.documents.letterhead import MARGIN, Letterhead, PracticeDetails
from frontdesk.documents.packet_content import PacketContent
from frontdesk.documents.packet_handouts import pointing_to_the_letter, preparing_story
from frontdesk.documents.packet_letter import letter_story
from frontdesk.documents.packet_words import packet_words
from frontdesk.documents.parsed_paragraphs import ParsedParagraphs
from frontdesk.documents.scripts import check_printable
from frontdesk.documents.styles import MUTED, DocumentStyles, document_styles
from frontdesk.documents.what_to_bring_box import personal_list
from frontdesk.domain.handout_format import Handout


def page_templates(
    name: str,
    letterhead: Letterhead,
    page_size: tuple[float, float],
    group: Hashable,
    *,
    full: bool,
    own_size: bool = False,
) -> list[PageTemplate]:
    """The first and later page of one part; ``full``: the full letterhead on its first
    page, else the slim header; ``own_size``: pages of ``page_size`` whatever the paper
    of the document."""
    page_width, page_height = page_size
    later_height, footer_height = letterhead.later_header_height, letterhead.footer_height
    first_height = letterhead.first_page_height if full else later_height
    draw_first = letterhead.draw_first_page if full else letterhead.draw_later_page

    def frame(header_height: float) -> Frame:
        return Frame(
            MARGIN,
            footer_height,
            page_width - 2 * MARGIN,
            page_height - header_height - footer_height,
            0,
            0,
            0,
            0,
        )

    return [
        PageTemplate(
            f"{name}.first",
            [frame(first_height)],
            onPage=on_page(draw_first, group),
            autoNextPageTemplate=f"{name}.later",
            pagesize=page_size if own_size else None,
        ),
        PageTemplate(
            f"{name}.later",
            [frame(later_height)],
            onPage=on_page(letterhead.draw_later_page, group),
            pagesize=page_size if own_size else None,
        ),
    ]


@dataclass(frozen=True)
class _Part:
    """One part of a packet as it prints: its footer, its review note, its flowables."""

    footer: str
    flowables: list[Flowable]
    review: ReviewMark | None = None  # a handout's: its review line in the footer
    handout: Handout | None = None

    def letterhead(
        self, packet: PacketContent, practice: PracticeDetails, page_width: float
    ) -> Letterhead:
        note = review_line(self.handout, self.review) if self.review and self.handout else ""
        return Letterhead(
            practice,
            page_width=page_width,
            language=packet.language,
            footer_text=self.footer,
            later_header_text=packet.patient_name.strip(),
            identity=packet.identity,
            large_print=packet.large_print,
            footer_note=note,
            footer_note_color=review_note_color(self.review) if self.review else MUTED,
        )


def _parts(
    packet: PacketContent,
    practice: PracticeDetails,
    styles: DocumentStyles,
    width: float,
    paragraph: ParagraphMaker,
) -> list[_Part]:
    """Each part, in the order they print: the letter, "Preparing" (or the personal list
    alone), the handouts. A handout's pages carry its review line, as a handout alone does."""
    words = packet_words(packet.language)
    day = packet.printed_on
    parts = [
        _Part(
            f"{words['letter_footer']}  ·  {packet.patient_name.strip()}  ·  {day.isoformat()}",
            letter_story(packet, practice, styles, width, paragraph),
        )
    ]
    personal = personal_list(packet, styles, width, paragraph)
    if packet.preparing is not None:
        preparing = pointing_to_the_letter(packet.preparing, practice)
        parts.append(
            _Part(
                footer_text(packet.preparing, day),
                preparing_story(packet, preparing, personal, practice, styles, width, paragraph),
                packet.reviews.get(packet.preparing.key, PENDING_REVIEW),
                packet.preparing,
            )
        )
    else:
        parts.append(_Part(words["personal_title"], personal))
    for handout in packet.handouts:
        review = packet.reviews.get(handout.key, PENDING_REVIEW)
        parts.append(
            _Part(
                footer_text(handout, day),
                handout_story(
                    pointing_to_the_letter(handout, practice),
                    practice,
                    packet.patient_name,
                    day,
                    styles,
                    width,
                    packet.appointment,
                    paragraph=paragraph,
                    review=review,
                    treatment=packet.treatment,
                ),
                review,
                handout,
            )
        )
    return parts


def _render(
    packets: Sequence[PacketContent],
    practice: PracticeDetails,
    page_size: tuple[float, float],
    invariant: bool,
    paragraphs: ParagraphMaker,
    two_sided: bool,
) -> bytes:
    """Every packet's parts in one document; ``two_sided``: each packet padded to whole
    sheets (documents/batch.py)."""
    page_width, _page_height = page_size
    width = page_width - 2 * MARGIN
    buffer = io.BytesIO()
    first = packets[0]
    words = packet_words(first.language)
    title = (
        words["title"].format(day=long_date(first.appointment.starts_at.date(), first.language))
        if len(packets) == 1
        else f"Pre-visit packets ({len(packets)})"
    )
    document = BaseDocTemplate(
        buffer,
        pagesize=page_size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=practice.name,
        subject=words["subject"],
        creator="Front Desk",
        lang=first.language,
        invariant=1 if invariant else 0,
        displayDocTitle=1,
    )
    templates: list[PageTemplate] = []
    story: list[Flowable] = []

    def add(name: str, templates_of_part: list[PageTemplate], flowables: list[Flowable]) -> None:
        templates.extend(templates_of_part)
        if story:
            story.extend([NextPageTemplate(f"{name}.first"), PageBreak()])
        story.extend(flowables)

    for number, packet in enumerate(packets):
        styles = document_styles(packet.large_print)
        letterhead: Letterhead | None = None
        for part, printed in enumerate(_parts(packet, practice, styles, width, paragraphs)):
            letterhead = printed.letterhead(packet, practice, page_width)
            # Only the letter carries the full letterhead: the pages after it belong to the
            # same packet, under the slim header (quicker to draw, and one sheet less of logo).
            name = f"{number}.{part}"
            add(
                name,
                page_templates(name, letterhead, page_size, number, full=part == 0),
                printed.flowables,
            )
        if two_sided and letterhead is not None:
            blank = f"{number}.blank"
            templates.append(blank_template(blank, letterhead, page_size, number))
            story += end_of_part(number, blank)
    document.addPageTemplates(templates)
    document.build(story, canvasmaker=GroupedCanvas)
    return buffer.getvalue()


def _check_packets(packets: Sequence[PacketContent], practice: PracticeDetails) -> None:
    """Refuse a run with a character no font can show; a handout shared by the run is
    checked once, not once per patient."""
    check_printable({"practice": practice})
    handouts: dict[int, Handout] = {}
    for packet in packets:
        fields = {
            item.name: getattr(packet, item.name)
            for item in dataclasses.fields(packet)
            if item.name not in ("preparing", "handouts")
        }
        check_printable(fields)
        for handout in (packet.preparing, *packet.handouts):
            if handout is not None:
                handouts.setdefault(id(handout), handout)
    for handout in handouts.values():
        check_printable({"handouts": handout})


def render_packets(
    packets: Sequence[PacketContent],
    practice: PracticeDetails,
    *,
    page_size: PageSize = "letter",
    invariant: bool = True,
    paragraphs: ParsedParagraphs | None = None,
    two_sided: bool = False,
) -> bytes:
    """One PDF holding ``packets`` in order (one packet: the patient's own file).

    Each packet is in large print or not as its ``large_print`` says. ``two_sided``: the
    file will be printed on both sides of the paper, so a packet that ends on the front of
    a sheet is followed by a page marked "intentionally left blank" (never by the next
    patient's first page). ``paragraphs``: one ``ParsedParagraphs`` for every render of a
    run (each packet's own file), so the handouts' text is parsed once, not per patient."""
    if not packets:
        raise ValueError("no packets to render")
    _check_packets(packets, practice)
    return _render(
        packets,
        practice,
        PAGE_SIZES[page_size],
        invariant,
        paragraphs if paragraphs is not None else ParsedParagraphs(),
        two_sided,
    )
