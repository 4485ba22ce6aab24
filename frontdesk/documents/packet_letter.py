"""The pre-visit packet's appointment confirmation letter."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from frontdesk.documents.escape import markup_escape, markup_escape_lines
from frontdesk.documents.handout_pdf import ParagraphMaker, appointment_time, long_date
from frontdesk.documents.letterhead import PracticeDetails
from frontdesk.documents.packet_content import PacketContent
from frontdesk.documents.packet_words import language_in, packet_words
from frontdesk.documents.styles import ACCENT, PANEL, DocumentStyles
from frontdesk.domain.contact import format_phone
from frontdesk.domain.handout_format import practice_values

ARRIVE_EARLY_MINUTES = 15


def _panel(
    rows: list[list[Flowable]],
    styles: DocumentStyles,
    widths: list[float],
    *,
    split_in_row: bool = False,
) -> Table:
    """A shaded block with the accent line. ``split_in_row``: a row taller than what is left
    of the page continues on the next (a long note in large print is taller than a page)."""
    pad = styles.body_size * 0.7
    table = Table(rows, colWidths=widths, splitInRow=1 if split_in_row else 0)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL),
                ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), pad + 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, 0), pad * 0.7),
                ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 0.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


@lru_cache(maxsize=16)
def practice_phones(practice: PracticeDetails, language: str) -> str:
    values = practice_values(
        practice_name=practice.name,
        main_phone=format_phone(practice.main_phone).replace(" ", "\u00a0"),
        toll_free_phone=format_phone(practice.toll_free_phone).replace(" ", "\u00a0"),
        language=language,
    )
    return values["phones"]


def _bullets(
    lines: Sequence[str], styles: DocumentStyles, paragraph: ParagraphMaker
) -> list[Flowable]:
    return [paragraph(markup_escape(line), styles.bullet, bulletText="•") for line in lines]


def greeting(words: dict[str, str], sex: str) -> str:
    """ "Estimada" or "Estimado" when the chart says the patient's sex, else both."""
    return words.get(f"dear_{sex}", words["dear"])


def letter_story(
    packet: PacketContent,
    practice: PracticeDetails,
    styles: DocumentStyles,
    width: float,
    paragraph: ParagraphMaker = Paragraph,
) -> list[Flowable]:
    """The appointment confirmation letter."""
    words = packet_words(packet.language)
    language = packet.language
    name = packet.patient_name.strip()
    dear = greeting(words, packet.patient_sex)
    appointment = packet.appointment
    story: list[Flowable] = [
        paragraph(markup_escape(long_date(packet.printed_on, language)), styles.body),
    ]
    address = "\n".join([name, *packet.patient_address.splitlines()]).strip()
    if address:
        story.append(paragraph(markup_escape_lines(address), styles.body))
    story += [
        Spacer(1, styles.body_size * 0.6),
        paragraph(markup_escape(words["letter_title"]), styles.title),
        paragraph(markup_escape(dear.format(name=name)), styles.body),
        paragraph(markup_escape(words["confirms"].format(practice=practice.name)), styles.body),
    ]
    where = ", ".join(
        part.strip()
        for part in (appointment.location_in(language), *appointment.address.splitlines())
        if part.strip()
    )
    label_width = width * 0.2
    rows = [
        (words["when"], appointment_time(appointment.starts_at, language)),
        (words["with"], appointment.provider),
        (words["where"], where),
        (words["visit"], packet.appointment_type),
    ]
    story.append(
        _panel(
            [
                [
                    paragraph(f"<b>{markup_escape(label, bold=True)}</b>", styles.panel),
                    paragraph(markup_escape(value), styles.panel),
                ]
                for label, value in rows
                if value.strip()
            ],
            styles,
            [label_width, width - label_width],
        )
    )
    story += [
        Spacer(1, styles.body_size * 0.5),
        paragraph(
            "<b>" + markup_escape(words["arrive"].format(minutes=ARRIVE_EARLY_MINUTES)) + "</b>",
            styles.body,
        ),
    ]
    if packet.interpreter_needed:
        line = words["interpreter"]
        interpreter_language = language_in(packet.interpreter_language, packet.language)
        if interpreter_language:
            line += f" ({interpreter_language})"
        line += "."
        story.append(paragraph(f"<b>{markup_escape(line, bold=True)}</b>", styles.body))
    # The list itself is printed once, on the "Preparing" page: here only where it is.
    title = packet.preparing.title if packet.preparing else words["personal_title"]
    story.append(paragraph(markup_escape(words["bring_pointer"].format(title=title)), styles.body))
    reach: list[Flowable] = [paragraph(markup_escape(words["reach_title"]), styles.heading)]
    phones = practice_phones(practice, language)
    if phones:
        reach.append(paragraph(markup_escape(words["call"].format(phones=phones)), styles.body))
    if practice.website_display:
        reach.append(
            paragraph(
                markup_escape(words["website"].format(site=practice.website_display)), styles.body
            )
        )
    reach.append(paragraph(markup_escape(words["cannot_come"]), styles.body))
    story.append(KeepTogether(reach))
    notes = ((words["note"], packet.note), (words["personal_note"], packet.personal_note))
    for label, text in notes:
        if text.strip():
            story.append(
                _panel(
                    [
                        [paragraph(markup_escape(label) + ":", styles.panel_label)],
                        [paragraph(markup_escape_lines(text.strip()), styles.panel)],
                    ],
                    styles,
                    [width],
                    split_in_row=True,
                )
            )
    story.append(
        KeepTogether(
            [
                Spacer(1, styles.body_size),
                paragraph(markup_escape(words["closing"]), styles.body),
                paragraph(markup_escape(words["team"].format(practice=practice.name)), styles.body),
            ]
        )
    )
    return story
