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
import datetime as dt
import io
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from frontdesk.documents.batch import GroupedCanvas, blank_template, end_of_part, on_page
from frontdesk.documents.escape import markup_escape, markup_escape_lines
from frontdesk.documents.handout_pdf import (
    PAGE_SIZES,
    PENDING_REVIEW,
    AppointmentDetails,
    PageSize,
    ParagraphMaker,
    ReviewMark,
    appointment_time,
    body_flowables,
    footer_text,
    handout_story,
    long_date,
    review_line,
    review_note_color,
)
from frontdesk.documents.letterhead import MARGIN, Letterhead, PracticeDetails
from frontdesk.documents.page_identity import PageIdentity
from frontdesk.documents.scripts import check_printable
from frontdesk.documents.styles import (
    ACCENT,
    BOX_BACKGROUND,
    BOX_EDGE,
    MUTED,
    PANEL,
    DocumentStyles,
    document_styles,
)
from frontdesk.domain.contact import format_phone
from frontdesk.domain.handout_format import (
    Block,
    BlockKind,
    Box,
    BoxKind,
    Element,
    Handout,
    Placeholder,
    Text,
    language_code,
    practice_values,
)
from frontdesk.domain.what_to_bring import WhatToBring

ARRIVE_EARLY_MINUTES = 15

_WORDS = {
    "en": {
        "letter_footer": "Appointment confirmation",
        "letter_title": "Your appointment is confirmed",
        "dear": "Dear {name},",
        "confirms": "This letter confirms your visit at {practice}. Please keep it.",
        "when": "When",
        "with": "With",
        "where": "Where",
        "visit": "Visit",
        "arrive": "Please arrive {minutes} minutes early to fill out forms.",
        "bring_title": "What to bring",
        "bring_pointer": "Your own list of what to bring is on the page “{title}”.",
        "bring_id": "Your photo ID and insurance card",
        "bring_medicines": "A list of all the medicines you take, and how much",
        "bring_referral": "Your referral, if your insurance plan needs one",
        "bring_questions": "A list of your questions",
        "interpreter": "We have booked an interpreter for your visit",
        "reach_title": "How to reach us",
        "reach_pointer": "Our phone numbers are in your letter, under “{title}”.",
        "call": "Call us at {phones}.",
        "website": "Our website: {site}",
        "cannot_come": (
            "If you cannot come, please call us as soon as you can, so we can give your time "
            "to someone else."
        ),
        "note": "A note from our office",
        "personal_note": "A note for you",
        "closing": "We look forward to seeing you.",
        "team": "The team at {practice}",
        "personal_title": "What to bring: your own list",
        "personal_intro": "We looked at the records we have for you.",
        "please_bring": "Please bring:",
        "every_visit": "For every visit, bring:",
        "continued": "{label} (continued):",
        "we_have": "We already have:",
        "nothing_missing": "We have every record we asked for. Bring only the items below.",
        "no_records": (
            "We have no scans or reports from other doctors for you yet. If you have any, "
            "please bring them."
        ),
        "subject": "Pre-visit packet",
        "title": "Your visit on {day}",
    },
    "es": {
        "letter_footer": "Confirmación de cita",
        "letter_title": "Su cita está confirmada",
        "dear": "Estimado(a) {name}:",  # the chart does not say the patient's sex
        "dear_female": "Estimada {name}:",
        "dear_male": "Estimado {name}:",
        "confirms": "Esta carta confirma su cita en {practice}. Por favor guárdela.",
        "when": "Cuándo",
        "with": "Con",
        "where": "Dónde",
        "visit": "Tipo de cita",
        "arrive": "Por favor llegue {minutes} minutos antes para llenar los formularios.",
        "bring_title": "Qué traer",
        "bring_pointer": "Su propia lista de qué traer está en la página “{title}”.",
        "bring_id": "Su identificación con foto y su tarjeta del seguro",
        "bring_medicines": "Una lista de todas las medicinas que toma, y cuánto toma de cada una",
        "bring_referral": "Su orden de referencia, si su seguro la pide",
        "bring_questions": "Una lista de sus preguntas",
        "interpreter": "Hemos reservado un intérprete para su cita",
        "reach_title": "Cómo comunicarse con nosotros",
        "reach_pointer": "Nuestros teléfonos están en su carta, en “{title}”.",
        "call": "Llámenos al {phones}.",
        "website": "Nuestro sitio web: {site}",
        "cannot_come": (
            "Si no puede venir, llámenos lo antes posible, para darle su cita a otra persona."
        ),
        "note": "Una nota de nuestra oficina",
        "personal_note": "Una nota para usted",
        "closing": "Esperamos verle pronto.",
        "team": "El equipo de {practice}",
        "personal_title": "Qué traer: su propia lista",
        "personal_intro": "Revisamos los documentos que tenemos de usted.",
        "please_bring": "Por favor traiga:",
        "every_visit": "Para cada cita, traiga:",
        "continued": "{label} (continuación):",
        "we_have": "Ya tenemos:",
        "nothing_missing": (
            "Tenemos todos los documentos que pedimos. Traiga solo lo que se indica abajo."
        ),
        "no_records": (
            "Todavía no tenemos estudios ni informes de otros médicos. Si los tiene, por favor "
            "tráigalos."
        ),
        "subject": "Paquete para antes de su cita",
        "title": "Su cita del {day}",
    },
}


# A language named in the letter's own words (the chart has it in English: "Spanish").
_LANGUAGE_NAMES_IN = {
    "en": {"en": "English", "es": "Spanish"},
    "es": {"en": "inglés", "es": "español"},
}


def language_in(chart_language: str, letter_language: str) -> str:
    """The chart's language as a reader of the letter calls it; unknown ones as written."""
    code = language_code(chart_language)
    names = _LANGUAGE_NAMES_IN.get(letter_language, _LANGUAGE_NAMES_IN["en"])
    return names.get(code, chart_language.strip())


def packet_words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])


@dataclass(frozen=True)
class PacketContent:
    """Everything one patient's packet says, as plain data (names already chosen)."""

    language: str  # "en" or "es": the letter and the personal list
    patient_name: str
    patient_address: str  # lines, for a window envelope; may be empty
    appointment: AppointmentDetails  # local time
    appointment_type: str
    printed_on: dt.date
    what_to_bring: WhatToBring
    preparing: Handout | None  # "Preparing for your spine consultation", if in the library
    handouts: tuple[Handout, ...] = ()
    note: str = ""  # the run's note, in every letter
    personal_note: str = ""  # for this patient alone, below the run's note
    # The name and the visit's time, on every page (None: the name alone).
    identity: PageIdentity | None = None
    large_print: bool = False  # from the chart, or the whole batch
    interpreter_needed: bool = False  # the chart says so: the letter says one is booked
    interpreter_language: str = ""  # as the chart has it ("Spanish"); may be empty
    # Each handout's review, by (id, language); one missing prints as a draft.
    reviews: Mapping[tuple[str, str], ReviewMark] = field(default_factory=dict)
    treatment: str = ""  # the practice's own words for {practice_treatment}
    patient_sex: str = "unknown"  # as on the chart: the Spanish greeting follows it


# What Paragraph.wrap leaves on a paragraph (ReportLab 4-5): its line breaks and size.
# tests/documents/test_packet_pdf_reuse.py fails if a ReportLab update leaves more.
LAYOUT_ATTRIBUTES = (
    "width",
    "height",
    "_wrapWidths",
    "blPara",
    "frags",
    "_width_max",
    "_splitLongWordCount",
    "_hyphenations",
)


class _RunParagraph(Paragraph):
    """A Paragraph that takes its line breaks from an earlier paragraph of the run with the
    same text and style laid out at the same width (layout only reads them, as drawing
    does; the parts a split makes are laid out afresh)."""

    _layouts: dict[float, dict[str, Any]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        layouts = self._layouts
        if layouts is None:
            return super().wrap(availWidth, availHeight)
        known = layouts.get(availWidth)
        if known is None:
            size = super().wrap(availWidth, availHeight)
            layouts[availWidth] = {name: getattr(self, name) for name in LAYOUT_ATTRIBUTES}
            return size
        self.__dict__.update(known)
        return self.width, self.height


class ParsedParagraphs:
    """Makes Paragraphs, parsing and laying out each distinct text once: one per run.

    Every patient's packet prints the same handouts and the letter's same wording, and
    parsing a paragraph's markup, then breaking it into lines, is most of a packet's time.
    The parsed fragments and line breaks are shared (layout and drawing only read them);
    every call still returns a new Paragraph, since a paragraph keeps the layout of the
    frame it was last placed in.
    """

    def __init__(self) -> None:
        # Styles are keys by identity: the stylesheet's are made once per process.
        self._parsed: dict[
            tuple[str, ParagraphStyle, str | None],
            tuple[Paragraph, dict[float, dict[str, Any]]],
        ] = {}

    def __call__(
        self, text: str, style: ParagraphStyle, bulletText: str | None = None
    ) -> Paragraph:
        key = (text, style, bulletText)
        known = self._parsed.get(key)
        if known is None:
            # The parse only: never placed in a document. Its layouts, by width, follow.
            known = self._parsed[key] = (Paragraph(text, style, bulletText=bulletText), {})
        parsed, layouts = known
        made = _RunParagraph(
            parsed.text, parsed.style, bulletText=parsed.bulletText, frags=parsed.frags
        )
        made._layouts = layouts
        return made

    def __len__(self) -> int:
        return len(self._parsed)


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
def _phones(practice: PracticeDetails, language: str) -> str:
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
    phones = _phones(practice, language)
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


# The practice details a handout's "Questions? Call us" box gives, and the letter too.
CONTACT_PLACEHOLDERS = frozenset({"phones", "main_phone", "toll_free_phone", "fax", "address"})


def _pointing_to_the_letter(handout: Handout, practice: PracticeDetails) -> Handout:
    """The handout as a packet prints it: the lines of its note boxes that give the
    practice's numbers ("Questions? Call us at ...") point to the letter's "How to reach
    us" instead, so a packet gives the numbers once. The emergency and same-day boxes keep
    theirs: who reads them must not have to look for another page. A handout printed on
    its own keeps every line; so does one whose letter has no phone number to point to."""
    if not _phones(practice, handout.language):
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


def _preparing_story(
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
        preparing = _pointing_to_the_letter(packet.preparing, practice)
        parts.append(
            _Part(
                footer_text(packet.preparing, day),
                _preparing_story(packet, preparing, personal, practice, styles, width, paragraph),
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
                    _pointing_to_the_letter(handout, practice),
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
