"""A personalized patient-education handout as PDF bytes, on the practice's letterhead."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Protocol

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from frontdesk.documents.escape import markup_escape, markup_escape_lines
from frontdesk.documents.handout_figures import (
    EMERGENCY,
    EMERGENCY_BACKGROUND,
    SAME_DAY,
    SAME_DAY_BACKGROUND,
    emergency_icon,
    same_day_icon,
    spine_diagram,
)
from frontdesk.documents.letterhead import (
    MARGIN,
    Letterhead,
    NumberedCanvas,
    PracticeDetails,
    words_for,
)
from frontdesk.documents.page_identity import PageIdentity
from frontdesk.documents.scripts import check_printable, text_width
from frontdesk.documents.styles import (
    ACCENT,
    BOX_BACKGROUND,
    BOX_EDGE,
    FONT_BOLD,
    MUTED,
    PANEL,
    DocumentStyles,
    document_styles,
)
from frontdesk.domain.contact import format_phone
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.handout_format import (
    MAX_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    Block,
    BlockKind,
    Box,
    BoxKind,
    Diagram,
    Element,
    Handout,
    Inline,
    Text,
    fill,
    practice_values,
)

PageSize = Literal["letter", "a4"]
PAGE_SIZES: dict[str, tuple[float, float]] = {"letter": LETTER, "a4": A4}

_MONTHS = {
    "en": [
        *("January", "February", "March", "April", "May", "June"),
        *("July", "August", "September", "October", "November", "December"),
    ],
    "es": [
        *("enero", "febrero", "marzo", "abril", "mayo", "junio"),
        *("julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"),
    ],
}
_WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
}
_WORDS = {
    "en": {
        "prepared_for": "Prepared for",
        "date": "Date",
        "appointment": "Your appointment",
        "with": "with",
        "note": "A note from our office",
        "subject": "Patient education handout",
        "draft": "Draft: not yet reviewed",
        "watermark": "DRAFT",
        "draft_pending": "A clinician has not yet reviewed this version of the handout.",
        "draft_overdue": "The last review of this handout is too old; it is due again.",
        "reviewed": "Reviewed {date} by {reviewer}",
        "not_reviewed": "Not yet reviewed",
        "adapted": "Adapted from {source}",
    },
    "es": {
        "prepared_for": "Preparado para",
        "date": "Fecha",
        "appointment": "Su cita",
        "with": "con",
        "note": "Una nota de nuestra oficina",
        "subject": "Hoja educativa para pacientes",
        "draft": "Borrador: todavía sin revisar",
        "watermark": "BORRADOR",
        "draft_pending": "Ningún médico ha revisado todavía esta versión de la hoja.",
        "draft_overdue": "La última revisión de esta hoja ya venció; toca revisarla otra vez.",
        "reviewed": "Revisado el {date} por {reviewer}",
        "not_reviewed": "Todavía sin revisar",
        "adapted": "Adaptado de {source}",
    },
}


class ParagraphMaker(Protocol):
    """Makes a Paragraph: ``Paragraph`` itself, or a maker that parses each text once per
    run (packets print the same handouts for every patient)."""

    def __call__(
        self, text: str, style: ParagraphStyle, bulletText: str | None = None
    ) -> Paragraph: ...


@dataclass(frozen=True)
class AppointmentDetails:
    """An appointment as the patient should read it: local time, names already chosen."""

    starts_at: dt.datetime
    provider: str = ""
    location: str = ""
    address: str = ""
    spanish_location: str = ""  # the practice's Spanish name of the location, if it has one

    def location_in(self, language: str) -> str:
        """The location's name as a document in ``language`` prints it."""
        return (self.spanish_location if language == "es" else "") or self.location


@dataclass(frozen=True)
class ReviewMark:
    """Where the review of the printed version stands, as the page should say it.

    ``draft`` prints the "Draft: not yet reviewed" mark (review pending or overdue);
    ``reviewed_on`` and ``reviewer`` are the last review of this version, if any.
    """

    draft: bool = True
    overdue: bool = False
    reviewed_on: dt.date | None = None
    reviewer: str = ""


PENDING_REVIEW = ReviewMark()
DRAFT_WATERMARK = colors.HexColor("#FBE3E1")


def long_date(day: dt.date, language: str) -> str:
    """ "November 25, 2026" / "25 de noviembre de 2026" (no locale needed on the desk)."""
    if language == "es":
        return f"{day.day} de {_MONTHS['es'][day.month - 1]} de {day.year}"
    return f"{_MONTHS['en'][day.month - 1]} {day.day}, {day.year}"


def appointment_time(moment: dt.datetime, language: str) -> str:
    hour = moment.hour % 12 or 12
    if language == "es":
        suffix = "a. m." if moment.hour < 12 else "p. m."
        weekday = _WEEKDAYS["es"][moment.weekday()]
        return f"{weekday} {long_date(moment.date(), 'es')}, {hour}:{moment.minute:02d} {suffix}"
    suffix = "AM" if moment.hour < 12 else "PM"
    weekday = _WEEKDAYS["en"][moment.weekday()]
    return f"{weekday}, {long_date(moment.date(), 'en')}, {hour}:{moment.minute:02d} {suffix}"


def _words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])


def _markup(inlines: Sequence[Inline]) -> str:
    """Paragraph markup for filled text: every run escaped, emphasis in bold."""
    parts = []
    for inline in inlines:
        text = markup_escape(inline.text if isinstance(inline, Text) else "")
        parts.append(f"<b>{text}</b>" if inline.emphasis else text)
    return "".join(parts)


def _block(
    block: Block,
    styles: DocumentStyles,
    *,
    in_box: bool = False,
    paragraph: ParagraphMaker = Paragraph,
) -> Paragraph:
    text = _markup(block.inlines)
    if block.kind is BlockKind.HEADING:
        return paragraph(text, styles.heading)
    if block.kind is BlockKind.SUBHEADING:
        return paragraph(text, styles.subheading)
    if block.kind is BlockKind.BULLET:
        style = styles.box_bullet if in_box else styles.bullet
        return paragraph(text, style, bulletText="•")
    return paragraph(text, styles.box_body if in_box else styles.body)


_BOX_COLOURS = {
    BoxKind.NOTE: (BOX_BACKGROUND, BOX_EDGE),
    BoxKind.EMERGENCY: (EMERGENCY_BACKGROUND, EMERGENCY),
    BoxKind.SAME_DAY: (SAME_DAY_BACKGROUND, SAME_DAY),
}


def _box_title(
    box: Box, styles: DocumentStyles, width: float, paragraph: ParagraphMaker
) -> Flowable:
    """The box's title; the emergency and same-day boxes put their icon before it."""
    if box.kind is BoxKind.NOTE:
        return paragraph(_markup(box.title), styles.box_title)
    colour = _BOX_COLOURS[box.kind][1]
    style = ParagraphStyle(f"box_title_{box.kind.name}", parent=styles.box_title, textColor=colour)
    size = styles.box_title.fontSize * 1.6
    icon = emergency_icon(size) if box.kind is BoxKind.EMERGENCY else same_day_icon(size)
    gap = styles.body_size * 0.6
    title = Table(
        [[icon, paragraph(_markup(box.title), style)]],
        colWidths=[size + gap, width - size - gap],
    )
    title.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return title


def _box(
    box: Box, styles: DocumentStyles, width: float, paragraph: ParagraphMaker = Paragraph
) -> Flowable:
    """A highlighted box: one table row per block, so a very long box can still split.

    Its kind sets the colours: the emergency box is red with a warning sign, the same-day
    box amber with a clock, a note box yellow."""
    rows: list[list[Flowable]] = []
    # Table cells ignore a paragraph's spaceBefore/After: the gaps are cell padding instead.
    gaps: list[float] = []
    size = styles.body_size
    pad = size * 0.8
    inner = width - 2 * pad - 4
    background, edge = _BOX_COLOURS[box.kind]
    if box.title:
        rows.append([_box_title(box, styles, inner, paragraph)])
        gaps.append(0.0)
    for index, block in enumerate(box.blocks):
        rows.append([_block(block, styles, in_box=True, paragraph=paragraph)])
        gaps.append(size * (0.1 if index == 0 or block.kind is BlockKind.BULLET else 0.5))
    gaps[0] = 0.0  # the first row sits on the box's own top padding
    if box.title and box.kind is not BoxKind.NOTE and len(gaps) > 1:
        gaps[1] = size * 0.4  # air under the icon
    strong = box.kind is BoxKind.EMERGENCY
    table = Table(rows, colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                *(("TOPPADDING", (0, row), (-1, row), gap) for row, gap in enumerate(gaps)),
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("BOX", (0, 0), (-1, -1), 2.0 if strong else 0.8, edge),
                ("LINEBEFORE", (0, 0), (0, -1), 5, edge),
                ("LEFTPADDING", (0, 0), (-1, -1), pad + 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, 0), pad * 0.8),
                ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 0.7),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return KeepTogether([Spacer(1, styles.body_size * 0.4), table, Spacer(1, styles.body_size)])


def _diagram(diagram: Diagram, styles: DocumentStyles, width: float, language: str) -> Flowable:
    drawing = spine_diagram(language, width, font_size=styles.body_size * 0.85)
    return KeepTogether([Spacer(1, styles.body_size * 0.3), drawing, Spacer(1, styles.body_size)])


def together(flowables: Sequence[Flowable]) -> KeepTogether:
    """``flowables`` kept on one page. A KeepTogether among them is opened up: ReportLab
    measures one inside another as 16,777,215 pt tall, so the outer one always went to a
    new page, leaving the rest of the page empty (a heading and its two bullets did)."""
    flat: list[Flowable] = []
    for flowable in flowables:
        if isinstance(flowable, KeepTogether):
            flat.extend(flowable._content)
        else:
            flat.append(flowable)
    return KeepTogether(flat)


def _leads_in(block: Block) -> bool:
    """A heading, or a paragraph ending in ':' that introduces the list below it."""
    if block.kind in (BlockKind.HEADING, BlockKind.SUBHEADING):
        return True
    last = block.inlines[-1] if block.inlines else None
    return (
        block.kind is BlockKind.PARAGRAPH
        and isinstance(last, Text)
        and last.text.rstrip().endswith(":")
    )


def _ends_list(body: Sequence[Element], index: int) -> bool:
    """True for the last bullet of a list of two or more."""

    def bullet(at: int) -> bool:
        element = body[at] if 0 <= at < len(body) else None
        return isinstance(element, Block) and element.kind is BlockKind.BULLET

    return bullet(index) and bullet(index - 1) and not bullet(index + 1)


def _content(
    body: Sequence[Element],
    styles: DocumentStyles,
    width: float,
    paragraph: ParagraphMaker = Paragraph,
    language: str = "en",
) -> list[Flowable]:
    """Flowables for the handout body.

    A heading, or a sentence that introduces a list, is kept on the page of what follows it.
    """
    flowables: list[Flowable] = []
    leading: list[Flowable] = []
    previous: BlockKind | None = None
    for index, element in enumerate(body):
        if _ends_list(body, index) and flowables and not leading:
            # The last bullet of a list never goes alone to the top of a page: it takes
            # the one before it along (which may carry the sentence that leads in).
            flowables.append(
                together([flowables.pop(), _block(element, styles, paragraph=paragraph)])
            )
            previous = BlockKind.BULLET
            continue
        if isinstance(element, Box):
            flowable = _box(element, styles, width, paragraph)
            previous = None
            after_box = index > 0 and isinstance(body[index - 1], Box)
            if index == len(body) - 1 and flowables and not leading and not after_box:
                # The closing box ("Questions?") never sits alone on the last page: what
                # comes before it goes along, so the page reads as the end of the text.
                # After another box it stands on its own: glued to that box, the two went
                # to a new page together and left the page before mostly empty.
                flowables.append(together([flowables.pop(), flowable]))
                continue
        elif isinstance(element, Diagram):
            flowable = _diagram(element, styles, width, language)
            previous = None
        else:
            if previous is BlockKind.BULLET and element.kind is BlockKind.PARAGRAPH:
                # Bullets sit close together; the text after a list needs air above it.
                flowables.append(Spacer(1, styles.body_size * 0.45))
            previous = element.kind
            flowable = _block(element, styles, paragraph=paragraph)
            if _leads_in(element):
                leading.append(flowable)
                continue
        if leading:
            flowables.append(together([*leading, flowable]))
            leading = []
        else:
            flowables.append(flowable)
    flowables.extend(leading)
    return flowables


def _personal_panel(
    styles: DocumentStyles,
    width: float,
    language: str,
    patient_name: str,
    day: dt.date,
    appointment: AppointmentDetails | None,
    note: str,
) -> Flowable:
    words = _words(language)
    rows: list[list[Flowable]] = []
    if patient_name.strip():
        name = markup_escape(patient_name.strip(), bold=True)
        rows.append([Paragraph(f"{words['prepared_for']}: <b>{name}</b>", styles.panel)])
    date_text = f"{words['date']}: {long_date(day, language)}"
    rows.append([Paragraph(markup_escape(date_text), styles.panel)])
    if appointment is not None:
        details = [appointment_time(appointment.starts_at, language)]
        if appointment.provider.strip():
            details.append(f"{words['with']} {appointment.provider.strip()}")
        where = ", ".join(
            p for p in (appointment.location_in(language).strip(), appointment.address.strip()) if p
        )
        text = markup_escape(" ".join(details))
        if where:
            text += "<br/>" + markup_escape(where)
        rows.append(
            [Paragraph(f"<b>{markup_escape(words['appointment'])}:</b> {text}", styles.panel)]
        )
    if note.strip():
        rows.append([Paragraph(markup_escape(words["note"]) + ":", styles.panel_label)])
        rows.append([Paragraph(markup_escape_lines(note.strip()), styles.panel)])
    pad = styles.body_size * 0.7
    # splitInRow: the note's row alone may be taller than a page (the longest note in large
    # print); it continues on the next page instead of failing the whole print.
    table = Table(rows, colWidths=[width], splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL),
                ("LINEBEFORE", (0, 0), (0, -1), 3, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), pad + 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, 0), pad * 0.7),
                ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 0.5),
            ]
        )
    )
    return table


def _unbroken_phone(e164: str) -> str:
    """A phone number that never wraps in the middle: "(217) 555-0142" stays on one line."""
    return format_phone(e164).replace(" ", "\u00a0")


def _check_inputs(patient_name: str, note: str) -> None:
    problems = {}
    if len(patient_name) > MAX_NAME_LENGTH:
        problems["patient_name"] = f"at most {MAX_NAME_LENGTH} characters"
    if len(note) > MAX_NOTE_LENGTH:
        problems["note"] = f"at most {MAX_NOTE_LENGTH} characters"
    if problems:
        raise ValidationError(problems)


def filled_values(
    handout: Handout, practice: PracticeDetails, treatment: str = ""
) -> dict[str, str]:
    """The handout's placeholders ({phones}, {practice_name}...) from the practice profile;
    ``treatment`` is the practice's own words on how it treats the problem (Admin)."""
    return dict(_practice_values(practice, handout.language, treatment))


@lru_cache(maxsize=16)
def _practice_values(practice: PracticeDetails, language: str, treatment: str) -> dict[str, str]:
    # Formatting the phone numbers is the slow part, and a packet run fills every handout
    # with the same practice: once per practice and language (callers get a copy).
    return practice_values(
        practice_name=practice.name,
        main_phone=_unbroken_phone(practice.main_phone),
        toll_free_phone=_unbroken_phone(practice.toll_free_phone),
        fax=_unbroken_phone(practice.fax),
        website=practice.website,
        address=practice.address,
        practice_treatment=treatment,
        language=language,
    )


def footer_text(handout: Handout, date: dt.date) -> str:
    """The footer of a handout's pages: the id, version and date identify the print; the
    title goes last, where a long one may be cut short."""
    words = words_for(handout.language)
    return (
        f"{handout.id}  ·  {words['version']} {handout.version}"
        f"  ·  {words['printed']} {date.isoformat()}  ·  {handout.title}"
    )


def body_flowables(
    handout: Handout,
    practice: PracticeDetails,
    styles: DocumentStyles,
    width: float,
    paragraph: ParagraphMaker = Paragraph,
    *,
    treatment: str = "",
) -> list[Flowable]:
    """The handout's own text (no title, no personal panel), its placeholders filled."""
    values = filled_values(handout, practice, treatment)
    return _content(fill(handout, values), styles, width, paragraph)


def review_line(handout: Handout, review: ReviewMark) -> str:
    """The footer's second line: who reviewed this version and when, and the source."""
    words = _words(handout.language)
    if review.reviewed_on is not None and review.reviewer.strip():
        parts = [
            words["reviewed"].format(
                date=review.reviewed_on.isoformat(), reviewer=review.reviewer.strip()
            )
        ]
    else:
        parts = [words["not_reviewed"]]
    if handout.adapted_from.strip():
        parts.append(words["adapted"].format(source=handout.adapted_from.strip()))
    return "  ·  ".join(parts)


def draft_banner(language: str, review: ReviewMark, styles: DocumentStyles, width: float) -> Table:
    """The red "Draft: not yet reviewed" mark under the title of a handout not reviewed."""
    words = _words(language)
    title = ParagraphStyle(
        "draft_title", parent=styles.box_title, textColor=EMERGENCY, spaceAfter=0
    )
    why = words["draft_overdue"] if review.overdue else words["draft_pending"]
    explanation = ParagraphStyle(
        "draft_why",
        parent=styles.body,
        fontSize=styles.body_size * 0.85,
        leading=styles.body_size * 1.15,
        textColor=MUTED,
        spaceAfter=0,
    )
    table = Table(
        [
            [Paragraph(markup_escape(words["draft"]), title)],
            [Paragraph(markup_escape(why), explanation)],
        ],
        colWidths=[width],
    )
    pad = styles.body_size * 0.6
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, EMERGENCY),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), pad * 0.2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.2),
                ("TOPPADDING", (0, 0), (-1, 0), pad * 0.6),
                ("BOTTOMPADDING", (0, -1), (-1, -1), pad * 0.7),
            ]
        )
    )
    return table


def handout_story(
    handout: Handout,
    practice: PracticeDetails,
    patient_name: str,
    date: dt.date,
    styles: DocumentStyles,
    width: float,
    appointment: AppointmentDetails | None = None,
    note: str = "",
    after_panel: Sequence[Flowable] = (),
    paragraph: ParagraphMaker = Paragraph,
    review: ReviewMark = PENDING_REVIEW,
    treatment: str = "",
) -> list[Flowable]:
    """The flowables of one personalized handout (title, personal panel, content), for this
    module's render and for documents that bind several handouts together (packets).
    ``after_panel`` goes between the personal panel and the content; ``paragraph`` makes the
    paragraphs of the handout's own text (the personal panel is always parsed afresh).
    A handout whose review is pending or overdue carries the draft mark under its title."""
    draft: list[Flowable] = []
    if review.draft:
        draft = [
            draft_banner(handout.language, review, styles, width),
            Spacer(1, styles.body_size * 0.6),
        ]
    values = filled_values(handout, practice, treatment)
    return [
        paragraph(markup_escape(handout.title), styles.title),
        *draft,
        _personal_panel(styles, width, handout.language, patient_name, date, appointment, note),
        Spacer(1, styles.body_size * 0.4),
        *after_panel,
        *_content(fill(handout, values), styles, width, paragraph, handout.language),
    ]


def review_note_color(review: ReviewMark) -> colors.Color:
    """The review line's colour in the footer: red on a draft, grey once reviewed."""
    return EMERGENCY if review.draft else MUTED


class _DraftPages:
    """Draws, under the letterhead's own drawing of each page, "Draft" across a draft's
    page (the review and source line is the letterhead's footer note)."""

    def __init__(self, handout: Handout, review: ReviewMark, letterhead: Letterhead) -> None:
        self.draft = _words(handout.language)["watermark"] if review.draft else ""
        self.letterhead = letterhead

    def first(self, canvas: Canvas, doc: object) -> None:
        self._draw(canvas)
        self.letterhead.draw_first_page(canvas, doc)

    def later(self, canvas: Canvas, doc: object) -> None:
        self._draw(canvas)
        self.letterhead.draw_later_page(canvas, doc)

    def _draw(self, canvas: Canvas) -> None:
        if not self.draft:
            return
        width, height = canvas._pagesize
        canvas.saveState()
        # Across the middle of every page, so a page handed on alone still says it.
        canvas.setFillColor(DRAFT_WATERMARK)  # solid and pale, under the page's content
        size = min(96.0, 96.0 * width * 0.8 / text_width(self.draft, FONT_BOLD, 96.0))
        canvas.setFont(FONT_BOLD, size)
        canvas.drawCentredString(width / 2, height / 2 - size * 0.35, self.draft)
        canvas.restoreState()


def render(
    handout: Handout,
    practice: PracticeDetails,
    patient_name: str,
    date: dt.date,
    appointment: AppointmentDetails | None = None,
    note: str | None = None,
    large_print: bool = False,
    page_size: PageSize = "letter",
    *,
    review: ReviewMark = PENDING_REVIEW,
    treatment: str = "",
    invariant: bool = True,
    identity: PageIdentity | None = None,
) -> bytes:
    """The handout personalized for one patient, as PDF bytes.

    ``identity``: the patient's name and second identifier, printed on every page.

    ``review`` says whether this version was reviewed (by whom, when) or prints as a draft;
    ``treatment`` is the practice's own words on how it treats the problem (Admin).
    ``invariant`` (the default) makes the bytes depend only on the inputs, so the same
    handout printed twice for the same patient and date is the same file.
    """
    note = note or ""
    _check_inputs(patient_name, note)
    check_printable(
        {
            "patient_name": patient_name,
            "note": note,
            "appointment": appointment,
            "practice": practice,
            "handout": handout,
        }
    )
    if page_size not in PAGE_SIZES:
        raise ValidationError({"page_size": "use letter or a4"})
    language = handout.language
    styles = document_styles(large_print)
    page_width, page_height = PAGE_SIZES[page_size]
    frame_width = page_width - 2 * MARGIN
    letterhead = Letterhead(
        practice,
        page_width=page_width,
        language=language,
        footer_text=footer_text(handout, date),
        later_header_text=patient_name.strip() or handout.title,
        identity=identity,
        large_print=large_print,
        footer_note=review_line(handout, review),
        footer_note_color=review_note_color(review),
    )
    footer_height, later_height = letterhead.footer_height, letterhead.later_header_height
    first_frame = Frame(
        MARGIN,
        footer_height,
        frame_width,
        page_height - letterhead.first_page_height - footer_height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="first",
    )
    later_frame = Frame(
        MARGIN,
        footer_height,
        frame_width,
        page_height - later_height - footer_height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="later",
    )
    pages = _DraftPages(handout, review, letterhead)
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=(page_width, page_height),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=later_height,
        bottomMargin=footer_height,
        title=handout.title,
        author=practice.name,
        subject=_words(language)["subject"],
        creator="Front Desk",
        keywords=[handout.id, f"version {handout.version}", language],
        lang=language,
        invariant=1 if invariant else 0,
        displayDocTitle=1,
    )
    document.addPageTemplates(
        [
            PageTemplate(
                "first",
                [first_frame],
                onPage=pages.first,
                autoNextPageTemplate="later",
            ),
            PageTemplate("later", [later_frame], onPage=pages.later),
        ]
    )
    story = handout_story(
        handout,
        practice,
        patient_name,
        date,
        styles,
        frame_width,
        appointment,
        note,
        review=review,
        treatment=treatment,
    )
    document.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
