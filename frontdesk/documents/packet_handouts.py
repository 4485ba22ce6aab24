"""The handouts as a packet prints them: the practice's numbers pointing to the letter,
"Preparing" with the patient's own list in place of its general one."""

from __future__ import annotations

import dataclasses

from reportlab.platypus import Flowable

from frontdesk.documents.handout_pdf import (
    PENDING_REVIEW,
    ParagraphMaker,
    body_flowables,
    handout_story,
)
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.documents.packet_content import PacketContent
from frontdesk.documents.packet_letter import practice_phones
from frontdesk.documents.packet_words import packet_words
from frontdesk.documents.styles import DocumentStyles
from frontdesk.domain.handout_format import (
    Block,
    BlockKind,
    Box,
    BoxKind,
    Element,
    Handout,
    Placeholder,
    Text,
)

# The practice details a handout's "Questions? Call us" box gives, and the letter too.
CONTACT_PLACEHOLDERS = frozenset({"phones", "main_phone", "toll_free_phone", "fax", "address"})


def pointing_to_the_letter(handout: Handout, practice: PracticeDetails) -> Handout:
    """The handout as a packet prints it: the lines of its note boxes that give the
    practice's numbers ("Questions? Call us at ...") point to the letter's "How to reach
    us" instead, so a packet gives the numbers once. The emergency and same-day boxes keep
    theirs: who reads them must not have to look for another page. A handout printed on
    its own keeps every line; so does one whose letter has no phone number to point to."""
    if not practice_phones(practice, handout.language):
        return handout
    words = packet_words(handout.language)
    pointer = words["reach_pointer"].format(title=words["reach_title"])
    body: list[Element] = []
    for element in handout.body:
        if isinstance(element, Box) and element.kind is BoxKind.NOTE:
            blocks: list[Block] = []
            for block in element.blocks:
                if not any(
                    isinstance(inline, Placeholder) and inline.name in CONTACT_PLACEHOLDERS
                    for inline in block.inlines
                ):
                    blocks.append(block)
                elif not any(b.inlines == (Text(pointer),) for b in blocks):
                    blocks.append(Block(BlockKind.PARAGRAPH, (Text(pointer),), block.line))
            element = dataclasses.replace(element, blocks=tuple(blocks))
        body.append(element)
    return dataclasses.replace(handout, body=tuple(body))


BRING_HEADINGS = frozenset({"what to bring", "qué traer", "que traer"})


def _split_at_bring(handout: Handout) -> tuple[Handout, Handout] | None:
    """The handout before and after its own "What to bring" section (a heading and what
    follows it up to the next heading), or None when it has none."""
    body = handout.body
    start = next(
        (
            index
            for index, element in enumerate(body)
            if isinstance(element, Block)
            and element.kind is BlockKind.HEADING
            and "".join(i.text for i in element.inlines if isinstance(i, Text)).strip().casefold()
            in BRING_HEADINGS
        ),
        None,
    )
    if start is None:
        return None
    end = next(
        (
            index
            for index in range(start + 1, len(body))
            if not isinstance(body[index], Block)
            or body[index].kind in (BlockKind.HEADING, BlockKind.SUBHEADING)  # type: ignore[union-attr]
        ),
        len(body),
    )
    return (
        dataclasses.replace(handout, body=body[:start]),
        dataclasses.replace(handout, body=body[end:]),
    )


def preparing_story(
    packet: PacketContent,
    preparing: Handout,
    personal: list[Flowable],
    practice: PracticeDetails,
    styles: DocumentStyles,
    width: float,
    paragraph: ParagraphMaker,
) -> list[Flowable]:
    """ "Preparing for your consultation" with the patient's own list in place of its
    general "What to bring" section (so the packet says it once)."""
    split = _split_at_bring(preparing)
    common = (practice, packet.patient_name, packet.printed_on, styles, width)
    review = packet.reviews.get(preparing.key, PENDING_REVIEW)
    if split is None:
        return handout_story(
            preparing,
            *common,
            packet.appointment,
            after_panel=personal,
            paragraph=paragraph,
            review=review,
            treatment=packet.treatment,
        )
    before, after = split
    return [
        *handout_story(
            before,
            *common,
            packet.appointment,
            paragraph=paragraph,
            review=review,
            treatment=packet.treatment,
        ),
        *personal,
        *body_flowables(after, practice, styles, width, paragraph, treatment=packet.treatment),
    ]
