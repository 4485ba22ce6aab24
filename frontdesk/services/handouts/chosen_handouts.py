"""The handouts a packet gives: chosen for the request's category, their reviews checked
once per run, and each one ready for the print log."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from frontdesk.domain.handout_format import Handout
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.services.handouts import handout_prints, reviews
from frontdesk.services.handouts.handout_prints import RenderedHandout
from frontdesk.services.handouts.library import HandoutLibrary
from frontdesk.services.handouts.packet_data import Packet
from frontdesk.services.kernel.context import ServiceContext

if TYPE_CHECKING:  # ReportLab loads only when packets are rendered
    from frontdesk.documents.handout_pdf import AppointmentDetails, ReviewMark


PREPARING_ID = "preparing-for-consultation"


def _covers_every_category(handout: Handout) -> bool:
    return set(handout.categories) >= set(RequestCategory)


def is_primary_for(handout_id: str, category: RequestCategory) -> bool:
    """The category's own handout: its id is the category's name ("spinal-stenosis"), or
    starts with it ("failed-back-syndrome" for failed back)."""
    slug = category.value.replace("_", "-")
    return handout_id == slug or handout_id.startswith(slug + "-")


def handouts_for_category(
    library: HandoutLibrary, category: RequestCategory | None, language: str
) -> list[Handout]:
    """The handouts written for this category, in ``language`` where they exist: the
    category's own handout first, then the others by title.

    Handouts for every category (the general ones) are left out: every packet would carry
    them, and "Preparing for your consultation" is in each packet anyway.
    """
    if category is None:
        return []
    ids = sorted(
        {
            entry.handout.id
            for entry in library.entries
            if category in entry.handout.categories
            and not _covers_every_category(entry.handout)
            and entry.handout.id != PREPARING_ID
        }
    )
    chosen = [library.pick(handout_id, language).handout for handout_id in ids]
    return sorted(
        chosen,
        key=lambda handout: (not is_primary_for(handout.id, category), handout.title.casefold()),
    )


class ReviewMarks:
    """Each handout's review once per run (a day's packets repeat the same handouts), and
    the practice's rule: a handout that may not be given unreviewed stops the run."""

    def __init__(self, context: ServiceContext, day: dt.date) -> None:
        self.context = context
        self.day = day
        self._marks: dict[str, ReviewMark] = {}
        self._treatment: dict[str, str] = {}

    def mark(self, handout: Handout) -> ReviewMark:
        if handout.content_hash not in self._marks:
            with self.context.reading(None) as session:
                standing = reviews.standing_in(session, handout, self.day)
                reviews.check_can_give(session, standing)
            self._marks[handout.content_hash] = standing.mark()
        return self._marks[handout.content_hash]

    def treatment(self, language: str) -> str:
        if language not in self._treatment:
            with self.context.reading(None) as session:
                self._treatment[language] = reviews.practice_treatment(session, language)
        return self._treatment[language]


def rendered_handout(
    handout: Handout,
    patient_id: int,
    name: str,
    printed_on: dt.date,
    large_print: bool,
    page_size: str,
    pdf: bytes,
    appointment: AppointmentDetails,
    asked_language: str,
) -> RenderedHandout:
    """A handout of a packet, ready for the print log (its PDF is the whole packet)."""
    return RenderedHandout(
        pdf=pdf,
        handout=handout,
        patient_id=patient_id,
        patient_name=name,
        printed_on=printed_on,
        note="",
        large_print=large_print,
        page_size=page_size,
        appointment=appointment,
        content_sha256=handout_prints.content_hash(
            handout.content_hash,
            patient_name=name,
            printed_on=printed_on,
            note="",
            large_print=large_print,
            page_size=page_size,
            appointment=appointment,
        ),
        asked_language=asked_language,
    )


def with_pdf(packet: Packet, pdf: bytes) -> Packet:
    return replace(packet, handouts=tuple(replace(h, pdf=pdf) for h in packet.handouts))
