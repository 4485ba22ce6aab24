"""The handout content format: a plain-text file a non-programmer can edit, parsed and checked.

A handout file looks like this (see resources/handouts/README.txt for the editors' guide)::

    id: spinal-stenosis
    title: Spinal stenosis
    language: en
    version: 2
    last reviewed: 2025-01-15
    reviewer: Practice education team
    review due: 2026-01-15
    categories: Spinal stenosis, Neck pain
    ---
    # What is it?
    Spinal stenosis means the space for the nerves is *too narrow*.

    - a bullet
    - another bullet, which may go on
      over two lines

    [box: When to call us]
    Call {practice_name} at {phones}.
    [end]

Rules: the header ends at a line of three dashes; ``#`` starts a heading and ``##`` a smaller
one; ``-`` starts a bullet; a blank line ends a paragraph or bullet; ``*words*`` are emphasized;
``{name}`` is filled from the practice profile; ``[box: title]`` ... ``[end]`` makes the
highlighted "call us" box, ``[emergency: title]`` the emergency box and ``[same day: title]``
the "call us the same day" box; ``[diagram: spine]`` places a drawing; lines starting with
``//`` are notes for editors and never printed.
A paragraph or bullet that uses a practice detail the profile leaves empty (for example
``{toll_free_phone}``) is left out, so a handout never prints a sentence with a hole in it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from frontdesk.domain.errors import FrontDeskError
from frontdesk.domain.request_categories import RequestCategory

LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Spanish"}
# What a personalized handout accepts: a name, and a note of a few sentences (a longer one
# belongs in a letter).
MAX_NAME_LENGTH = 200
MAX_NOTE_LENGTH = 1500

# What staff type in a chart's "preferred language" box, for the languages handouts come in.
_LANGUAGE_WORDS: dict[str, str] = {
    "english": "en",
    "ingles": "en",
    "spanish": "es",
    "espanol": "es",
    "castellano": "es",
}


def language_code(preferred_language: str) -> str:
    """The handout language code for a chart's preferred language, or "" when unknown.

    "Spanish", "español", "Spanish (Mexico)" and "es" all give "es"; "Vietnamese" gives ""
    (no handout comes in it yet).
    """
    folded = unicodedata.normalize("NFKD", preferred_language.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c)).strip()
    if plain in LANGUAGE_NAMES:
        return plain
    first = re.split(r"[^a-z]+", plain, maxsplit=1)[0]
    return _LANGUAGE_WORDS.get(first, "")


# Each placeholder an editor may write, and what it becomes.
PLACEHOLDERS: dict[str, str] = {
    "practice_name": "the practice's name",
    "main_phone": "the main phone number",
    "toll_free_phone": "the toll-free number",
    "fax": "the fax number",
    "website": "the web site, without https://",
    "address": "the address on one line",
    "phones": "the main number, and the toll-free one when there is one",
    # The practice's own words about how it treats the problem (Admin → Practice rules): a
    # claim one practice makes is never text that prints for every practice.
    "practice_treatment": "how the practice treats it, in its own words (Admin)",
}

# Drawings a handout may place with ``[diagram: name]`` (drawn by the renderer, no image file).
DIAGRAMS: dict[str, str] = {"spine": "a labelled side view of the lower spine"}

# The header fields, by their normalized key; every one but ``summary`` is required.
_HEADER_FIELDS: dict[str, str] = {
    "id": "id",
    "title": "title",
    "language": "language",
    "version": "version",
    "last-reviewed": "last reviewed",
    "reviewer": "reviewer",
    "review-due": "review due",
    "categories": "categories",
    "summary": "summary",
    "adapted-from": "adapted from",
}
_OPTIONAL_FIELDS = {"summary", "adapted-from"}

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_VERSION = re.compile(r"^\d+(?:\.\d+)*$")
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z _-]*?)\s*:\s*(.*)$")
_BOX_OPEN = re.compile(r"^\[\s*(box|emergency|same[\s-]*day)\s*(?::\s*(.*?))?\s*\]$", re.IGNORECASE)
_DIAGRAM = re.compile(r"^\[\s*diagram\s*:\s*(.*?)\s*\]$", re.IGNORECASE)
_BOX_CLOSE = re.compile(r"^\[\s*(?:end(?:\s+box)?|/\s*box)\s*\]$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-•]\s+(.*)$")
_HEADING = re.compile(r"^(#+)\s*(.*)$")
_SEPARATOR = re.compile(r"^-{3,}\s*$")
_PLACEHOLDER_NAME = re.compile(r"^[a-z_]+$")
_COMMENT = "//"


@dataclass(frozen=True)
class FormatProblem:
    """One thing wrong with a content file, said so an editor can find and fix it."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.reason}"


class HandoutFormatError(FrontDeskError):
    """A content file that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[FormatProblem]) -> None:
        self.problems = tuple(problems)
        more = len(self.problems) - 1
        message = str(self.problems[0]) + (f" (and {more} more problems)" if more else "")
        super().__init__(message)


@dataclass(frozen=True)
class Text:
    """A run of text; ``emphasis`` marks ``*words*``."""

    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Placeholder:
    """``{name}``: a practice detail filled in when the handout is printed."""

    name: str
    emphasis: bool = False


Inline = Text | Placeholder


class BlockKind(StrEnum):
    HEADING = "heading"
    SUBHEADING = "subheading"
    PARAGRAPH = "paragraph"
    BULLET = "bullet"


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    inlines: tuple[Inline, ...]
    line: int


class BoxKind(StrEnum):
    """How urgent a box is: it sets the box's colour and icon on the page."""

    NOTE = "box"  # "call us", "ask for a visit"
    EMERGENCY = "emergency"  # call 911 or go to the emergency room
    SAME_DAY = "same day"  # call the office the same day


@dataclass(frozen=True)
class Box:
    """A highlighted box: a note, the emergency box, or the "call us the same day" box."""

    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]
    line: int
    kind: BoxKind = BoxKind.NOTE


@dataclass(frozen=True)
class Diagram:
    """``[diagram: spine]``: a labelled drawing the renderer makes (names in ``DIAGRAMS``)."""

    name: str
    line: int


Element = Block | Box | Diagram


@dataclass(frozen=True)
class Handout:
    id: str
    title: str
    language: str
    version: str
    last_reviewed: date
    reviewer: str
    review_due: date
    categories: tuple[RequestCategory, ...]
    body: tuple[Element, ...]
    summary: str = ""
    adapted_from: str = ""  # the source the facts come from, printed in the footer
    source: str = ""
    # The exact file text, so a print can be traced to the version that was given.
    text: str = field(default="", repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.language)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES.get(self.language, self.language)

    def headings(self) -> list[str]:
        return [
            inline_text(element.inlines, {})
            for element in self.body
            if isinstance(element, Block)
            and element.kind in (BlockKind.HEADING, BlockKind.SUBHEADING)
        ]

    def placeholders(self) -> set[str]:
        """The practice details this handout prints."""
        names: set[str] = set()
        for element in self.body:
            if isinstance(element, Diagram):
                continue
            runs = (
                [element.inlines]
                if isinstance(element, Block)
                else [element.title, *(block.inlines for block in element.blocks)]
            )
            for inlines in runs:
                names.update(i.name for i in inlines if isinstance(i, Placeholder))
        return names


def decode_handout(data: bytes, source: str) -> str:
    """The file's text; a file that is not UTF-8 is reported with the line of the bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise HandoutFormatError(
            [FormatProblem(source, line, "this line is not UTF-8 text; save the file as UTF-8")]
        ) from None


def parse_handout(text: str, source: str = "<text>") -> Handout:
    """Parse and check one content file; every problem found is in the HandoutFormatError."""
    parser = _Parser(source)
    return parser.parse(text)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[FormatProblem] = []

    def problem(self, line: int, reason: str) -> None:
        self.problems.append(FormatProblem(self.source, line, reason))

    def parse(self, text: str) -> Handout:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        separator = next((i for i, line in enumerate(lines) if _SEPARATOR.match(line)), None)
        if separator is None:
            self.problem(1, "the header must end with a line of three dashes (---) before the text")
            raise HandoutFormatError(self.problems)
        header = self._header(lines[:separator])
        body = self._body(lines[separator + 1 :], first_line=separator + 2)
        if self.problems:
            raise HandoutFormatError(self.problems)
        return Handout(body=body, source=self.source, text=text, **header)

    # -- header ---------------------------------------------------------------------------

    def _header(self, lines: list[str]) -> dict[str, object]:
        raw: dict[str, tuple[str, int]] = {}
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith(_COMMENT):
                continue
            match = _HEADER_LINE.match(stripped)
            if not match:
                self.problem(number, "a header line must look like 'name: value'")
                continue
            key = re.sub(r"[\s_-]+", "-", match.group(1).strip().lower())
            if key not in _HEADER_FIELDS:
                known = ", ".join(_HEADER_FIELDS.values())
                self.problem(number, f"unknown header field '{match.group(1)}' (use: {known})")
                continue
            if key in raw:
                self.problem(number, f"'{_HEADER_FIELDS[key]}' is given twice")
                continue
            raw[key] = (match.group(2).strip(), number)
        end = len(lines) + 1
        for key, label in _HEADER_FIELDS.items():
            if key not in _OPTIONAL_FIELDS and not raw.get(key, ("", 0))[0]:
                line = raw[key][1] if key in raw else end
                self.problem(line, f"the header needs '{label}'")
        values: dict[str, object] = {
            "id": self._checked(raw, "id", _ID, "an id uses lowercase letters, digits and dashes"),
            "title": raw.get("title", ("", 0))[0],
            "language": self._checked(
                raw, "language", _LANGUAGE, "a language is a code such as en or es"
            ),
            "version": self._checked(raw, "version", _VERSION, "a version is a number such as 3"),
            "reviewer": raw.get("reviewer", ("", 0))[0],
            "summary": raw.get("summary", ("", 0))[0],
            "adapted_from": raw.get("adapted-from", ("", 0))[0],
            "last_reviewed": self._date(raw, "last-reviewed"),
            "review_due": self._date(raw, "review-due"),
            "categories": self._categories(raw),
        }
        reviewed, due = values["last_reviewed"], values["review_due"]
        if isinstance(reviewed, date) and isinstance(due, date) and due <= reviewed:
            self.problem(raw["review-due"][1], "the review due date must be after the last review")
        return values

    def _checked(
        self, raw: dict[str, tuple[str, int]], key: str, pattern: re.Pattern[str], hint: str
    ) -> str:
        value, line = raw.get(key, ("", 0))
        if value and not pattern.match(value):
            self.problem(line, f"'{value}' is not a valid {_HEADER_FIELDS[key]}: {hint}")
        return value

    def _date(self, raw: dict[str, tuple[str, int]], key: str) -> date:
        value, line = raw.get(key, ("", 0))
        if not value:
            return date.min
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(line, f"'{value}' is not a date: write it as YYYY-MM-DD, e.g. 2025-01-31")
            return date.min

    def _categories(self, raw: dict[str, tuple[str, int]]) -> tuple[RequestCategory, ...]:
        value, line = raw.get("categories", ("", 0))
        if value.strip().lower() == "all":
            return tuple(RequestCategory)
        found: list[RequestCategory] = []
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                category = RequestCategory.parse(part)
            except ValueError as error:
                self.problem(line, str(error))
                continue
            if category not in found:
                found.append(category)
        return tuple(found)

    # -- body -----------------------------------------------------------------------------

    def _body(self, lines: list[str], first_line: int) -> tuple[Element, ...]:
        elements: list[Element] = []
        # (title, line, blocks, kind) while a box is open
        box: tuple[str, int, list[Block], BoxKind] | None = None
        problems_before = len(self.problems)
        problems_at_box = problems_before
        current: tuple[BlockKind, list[str], int] | None = None  # open paragraph or bullet

        def target() -> list[Element] | list[Block]:
            return box[2] if box is not None else elements

        def flush() -> None:
            nonlocal current
            if current is not None:
                kind, parts, line = current
                target().append(Block(kind, self._inlines(" ".join(parts), line), line))
                current = None

        for offset, line in enumerate(lines):
            number = first_line + offset
            stripped = line.strip()
            if stripped.startswith(_COMMENT):
                continue
            if not stripped:
                flush()
                continue
            if _BOX_OPEN.match(stripped):
                flush()
                if box is not None:
                    self.problem(number, f"a box is already open (line {box[1]}); close it first")
                    continue
                opened = _BOX_OPEN.match(stripped)
                kind = _box_kind(opened.group(1))
                box = ((opened.group(2) or "").strip(), number, [], kind)
                problems_at_box = len(self.problems)
                continue
            if _BOX_CLOSE.match(stripped):
                flush()
                if box is None:
                    self.problem(number, f"'{stripped}' closes a box, but no box is open")
                    continue
                title, box_line, blocks, kind = box
                if not blocks and len(self.problems) == problems_at_box:
                    self.problem(box_line, "this box is empty")
                elements.append(Box(self._inlines(title, box_line), tuple(blocks), box_line, kind))
                box = None
                continue
            if _SEPARATOR.match(stripped):
                flush()
                self.problem(number, "a line of dashes only ends the header; remove this one")
                continue
            diagram = _DIAGRAM.match(stripped)
            if diagram:
                flush()
                name = diagram.group(1).strip().lower()
                if name not in DIAGRAMS:
                    known = ", ".join(DIAGRAMS)
                    self.problem(number, f"unknown diagram '{name}' (use: {known})")
                elif box is not None:
                    self.problem(number, "a box holds paragraphs and bullets, not diagrams")
                else:
                    elements.append(Diagram(name, number))
                continue
            if stripped.startswith("[") and stripped.endswith("]"):
                self.problem(
                    number,
                    f"unknown instruction {stripped} (use [box: title], [emergency: title], "
                    "[same day: title], [diagram: spine] and [end])",
                )
                continue
            heading = _HEADING.match(stripped)
            if heading:
                flush()
                level, words = len(heading.group(1)), heading.group(2).strip()
                if level > 2:
                    self.problem(number, "use # for a heading or ## for a smaller one, not more")
                elif not words:
                    self.problem(number, "this heading has no words")
                elif box is not None:
                    self.problem(number, "a box holds paragraphs and bullets, not headings")
                else:
                    kind = BlockKind.HEADING if level == 1 else BlockKind.SUBHEADING
                    elements.append(Block(kind, self._inlines(words, number), number))
                continue
            bullet = _BULLET.match(line)
            if bullet:
                flush()
                if not bullet.group(1).strip():
                    self.problem(number, "this bullet has no words")
                    continue
                current = (BlockKind.BULLET, [bullet.group(1).strip()], number)
                continue
            if current is None:
                current = (BlockKind.PARAGRAPH, [], number)
            current[1].append(stripped)
        flush()
        if box is not None:
            self.problem(box[1], "this box is never closed: add a line [end] after its text")
        if not elements and box is None and len(self.problems) == problems_before:
            self.problem(first_line, "the handout has no text after the header")
        return tuple(elements)

    def _inlines(self, text: str, line: int) -> tuple[Inline, ...]:
        """Split ``*emphasis*`` and ``{placeholder}``; ``\\*`` and ``\\{`` are literal."""
        result: list[Inline] = []
        buffer: list[str] = []
        emphasis = False
        index = 0

        def push() -> None:
            if buffer:
                result.append(Text("".join(buffer), emphasis))
                buffer.clear()

        while index < len(text):
            char = text[index]
            if char == "\\" and index + 1 < len(text) and text[index + 1] in "*{}\\":
                buffer.append(text[index + 1])
                index += 2
                continue
            if char == "*":
                push()
                emphasis = not emphasis
            elif char == "{":
                end = text.find("}", index)
                name = text[index + 1 : end].strip() if end != -1 else ""
                if end == -1:
                    self.problem(line, "a '{' is never closed with '}'")
                    break
                if name not in PLACEHOLDERS:
                    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                    self.problem(line, f"unknown placeholder {{{name}}} (use one of: {known})")
                else:
                    push()
                    result.append(Placeholder(name, emphasis))
                index = end + 1
                continue
            elif char == "}":
                self.problem(line, "a '}' has no matching '{'")
            else:
                buffer.append(char)
            index += 1
        if emphasis:
            self.problem(line, "an emphasis mark '*' is never closed")
        push()
        return _merged(result)


def _box_kind(word: str) -> BoxKind:
    folded = re.sub(r"[\s-]+", " ", word.strip().lower())
    return BoxKind(folded)


def _merged(inlines: list[Inline]) -> tuple[Inline, ...]:
    """Join neighbouring runs of the same emphasis (the renderer emits fewer tags)."""
    merged: list[Inline] = []
    for inline in inlines:
        last = merged[-1] if merged else None
        if isinstance(inline, Text) and isinstance(last, Text) and last.emphasis == inline.emphasis:
            merged[-1] = Text(last.text + inline.text, inline.emphasis)
        elif not (isinstance(inline, Text) and not inline.text):
            merged.append(inline)
    return tuple(merged)


# -- filling placeholders -----------------------------------------------------------------


def practice_values(
    *,
    practice_name: str,
    main_phone: str = "",
    toll_free_phone: str = "",
    fax: str = "",
    website: str = "",
    address: str = "",
    practice_treatment: str = "",
    language: str = "en",
) -> dict[str, str]:
    """Placeholder values from practice details already formatted for display."""
    site = re.sub(r"^https?://", "", website.strip()).rstrip("/")
    joiner = " o gratis al " if language == "es" else " or toll free "
    phones = main_phone
    if main_phone and toll_free_phone:
        phones = main_phone + joiner + toll_free_phone
    elif toll_free_phone:
        phones = toll_free_phone
    return {
        "practice_name": practice_name.strip(),
        "main_phone": main_phone,
        "toll_free_phone": toll_free_phone,
        "fax": fax,
        "website": site,
        "address": ", ".join(p.strip() for p in address.splitlines() if p.strip()),
        "phones": phones,
        "practice_treatment": practice_treatment.strip(),
    }


def inline_text(inlines: Sequence[Inline], values: Mapping[str, str]) -> str:
    return "".join(
        i.text if isinstance(i, Text) else values.get(i.name, "{" + i.name + "}") for i in inlines
    )


def _filled_inlines(
    inlines: tuple[Inline, ...], values: Mapping[str, str]
) -> tuple[Text, ...] | None:
    """Placeholders replaced by text; None when one of them has no value."""
    filled: list[Text] = []
    for inline in inlines:
        if isinstance(inline, Placeholder):
            value = values.get(inline.name, "")
            if not value:
                return None
            filled.append(Text(value, inline.emphasis))
        else:
            filled.append(inline)
    return tuple(filled)


def fill(handout: Handout, values: Mapping[str, str]) -> tuple[Element, ...]:
    """The body with placeholders filled; blocks naming a missing detail are left out."""
    body: list[Element] = []
    for element in handout.body:
        if isinstance(element, Diagram):
            body.append(element)
            continue
        if isinstance(element, Block):
            inlines = _filled_inlines(element.inlines, values)
            if inlines is not None:
                body.append(replace(element, inlines=inlines))
            continue
        blocks = []
        for block in element.blocks:
            inlines = _filled_inlines(block.inlines, values)
            if inlines is not None:
                blocks.append(replace(block, inlines=inlines))
        title = _filled_inlines(element.title, values) or ()
        if blocks:
            body.append(Box(title, tuple(blocks), element.line, element.kind))
    return tuple(body)


# Stand-in practice details for checking a handout's wording without a practice profile.
SAMPLE_VALUES = practice_values(
    practice_name="Lakeside Spine Center",
    main_phone="(217) 555-0142",
    toll_free_phone="(800) 555-0199",
    fax="(217) 555-0143",
    website="https://www.lakeside-spine.example.com",
    address="100 Main St\nSpringfield, IL 62701",
    practice_treatment="We offer care that fits your needs.",
)


def plain_text(handout: Handout, values: Mapping[str, str] = SAMPLE_VALUES) -> str:
    """The words a patient reads, one block per line, each ending as a sentence.

    Headings, bullets and box titles count as sentences, as readability checks of patient
    material usually treat them; otherwise a list would read as one endless sentence.
    """
    lines = [handout.title]
    for element in fill(handout, values):
        if isinstance(element, Diagram):
            continue
        if isinstance(element, Block):
            lines.append(inline_text(element.inlines, values))
        else:
            if element.title:
                lines.append(inline_text(element.title, values))
            lines.extend(inline_text(block.inlines, values) for block in element.blocks)
    return "\n".join(_as_sentence(line) for line in lines if line.strip())


def _as_sentence(line: str) -> str:
    line = line.rstrip()
    if line[-1] in ".!?":
        return line
    return (line[:-1] if line[-1] in ":;," else line) + "."
