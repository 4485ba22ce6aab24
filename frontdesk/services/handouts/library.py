"""The handout library: shipped content files plus the practice's own folder, listed and checked.

Shipped handouts live in the package (resources/handouts, found with importlib.resources).
A practice adds a handout, or replaces a shipped one, by putting a file with the same id and
language in ``data_dir()/handouts``. A broken file is reported (file, line, reason) and left
out; it never stops the others from listing, nor the app from starting.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from frontdesk import paths
from frontdesk.domain.errors import NotFoundError
from frontdesk.domain.handout_format import (
    LANGUAGE_NAMES,
    SAMPLE_VALUES,
    Block,
    Diagram,
    FormatProblem,
    Handout,
    HandoutFormatError,
    decode_handout,
    fill,
    inline_text,
    parse_handout,
    plain_text,
)
from frontdesk.domain.readability import Readability, assess
from frontdesk.domain.request_categories import RequestCategory

log = logging.getLogger(__name__)

CONTENT_SUFFIX = ".txt"
GUIDE_NAME = "HOW-TO-EDIT.md"
REVIEW_WARNING_DAYS = 30  # "due soon" starts this many days before the review-due date
FALLBACK_LANGUAGE = "en"


class Origin(StrEnum):
    SHIPPED = "shipped"  # comes with Front Desk
    PRACTICE = "practice"  # the practice's own folder


@dataclass(frozen=True)
class LibraryEntry:
    handout: Handout
    origin: Origin
    file: str  # what to show a person: "handouts/x.en.txt" or the full path of a practice file
    replaces_shipped: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.handout.key


@dataclass(frozen=True)
class HandoutSummary:
    """One row of the library list (plain data for the UI, the CLI and JSON)."""

    id: str
    language: str
    language_name: str
    title: str
    summary: str
    version: str
    categories: tuple[str, ...]
    last_reviewed: dt.date
    reviewer: str
    review_due: dt.date
    origin: str
    file: str
    replaces_shipped: bool


class ReviewState(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due soon"


@dataclass(frozen=True)
class ReviewItem:
    id: str
    language: str
    title: str
    review_due: dt.date
    state: ReviewState
    days: int  # days until due (negative: days overdue)
    file: str


@dataclass(frozen=True)
class HandoutLibrary:
    entries: tuple[LibraryEntry, ...]
    problems: tuple[FormatProblem, ...]
    practice_folder: Path | None

    def find(self, handout_id: str, language: str) -> LibraryEntry | None:
        return next((e for e in self.entries if e.key == (handout_id, language)), None)

    def get(self, handout_id: str, language: str) -> Handout:
        entry = self.find(handout_id, language)
        if entry is None:
            raise NotFoundError(self._missing(handout_id, language))
        return entry.handout

    def languages(self, handout_id: str) -> list[str]:
        return sorted(e.handout.language for e in self.entries if e.handout.id == handout_id)

    def pick(self, handout_id: str, preferred_language: str) -> LibraryEntry:
        """The patient's language when the handout has it, else English, else any."""
        entry = self.find(handout_id, preferred_language) or self.find(
            handout_id, FALLBACK_LANGUAGE
        )
        if entry is None:
            entry = next((e for e in self.entries if e.handout.id == handout_id), None)
        if entry is None:
            raise NotFoundError(self._missing(handout_id, preferred_language))
        return entry

    def _missing(self, handout_id: str, language: str) -> str:
        have = self.languages(handout_id)
        if have:
            return f"Handout '{handout_id}' has no {language} version (it has: {', '.join(have)})"
        return f"There is no handout '{handout_id}' (see 'frontdesk handouts list')"


def practice_folder() -> Path:
    """Where the practice keeps its own and replacement handouts (shown in Admin)."""
    return paths.data_dir() / "handouts"


def create_practice_folder(folder: Path | None = None) -> Path:
    """Make the practice folder, with the editors' guide in it, and return it."""
    folder = folder or practice_folder()
    folder.mkdir(parents=True, exist_ok=True)
    guide = folder / GUIDE_NAME
    if not guide.exists():
        guide.write_bytes(_shipped_folder().joinpath(GUIDE_NAME).read_bytes())
    return folder


def _shipped_folder() -> Traversable:
    return resources.files("frontdesk.resources").joinpath("handouts")


def _is_content(name: str) -> bool:
    return name.endswith(CONTENT_SUFFIX) and not name.startswith((".", "~"))


def _parse(data: bytes, source: str) -> Handout:
    return parse_handout(decode_handout(data, source), source)


@cache
def _shipped() -> tuple[tuple[LibraryEntry, ...], tuple[FormatProblem, ...]]:
    """The shipped files never change while the app runs: parse them once."""
    files = sorted(
        (item for item in _shipped_folder().iterdir() if _is_content(item.name)),
        key=lambda item: item.name,
    )
    return _load((item.read_bytes, f"handouts/{item.name}") for item in files)


# A file to load: how to read its bytes, and the name to report it by.
_ContentFile = tuple[Callable[[], bytes], str]


def _load(
    files: Iterable[_ContentFile], origin: Origin = Origin.SHIPPED
) -> tuple[tuple[LibraryEntry, ...], tuple[FormatProblem, ...]]:
    entries: dict[tuple[str, str], LibraryEntry] = {}
    problems: list[FormatProblem] = []
    for read, name in files:
        try:
            handout = _parse(read(), name)
        except HandoutFormatError as error:
            problems.extend(error.problems)
            continue
        except OSError as error:
            problems.append(FormatProblem(name, 1, f"cannot be read: {error.strerror or error}"))
            continue
        except Exception as error:  # a file must never stop the library from loading
            log.exception("unexpected error reading handout file %s", name)
            problems.append(FormatProblem(name, 1, f"cannot be read: {error}"))
            continue
        if handout.key in entries:
            other = entries[handout.key].file
            problems.append(
                FormatProblem(name, 1, f"{other} already has id {handout.id} in {handout.language}")
            )
            continue
        entries[handout.key] = LibraryEntry(handout, origin, name)
    return tuple(entries.values()), tuple(problems)


def _practice_files(folder: Path) -> Iterator[_ContentFile]:
    try:
        names = sorted(p for p in folder.iterdir() if p.is_file() and _is_content(p.name))
    except OSError:
        return
    for path in names:
        yield path.read_bytes, str(path)


def load_library(folder: Path | None = None, *, include_practice: bool = True) -> HandoutLibrary:
    """Shipped handouts overlaid by the practice folder's (same id and language replaces)."""
    shipped, problems = _shipped()
    by_key = {entry.key: entry for entry in shipped}
    folder = (folder or practice_folder()) if include_practice else None
    all_problems = list(problems)
    if folder is not None and folder.is_dir():
        own, own_problems = _load(_practice_files(folder), Origin.PRACTICE)
        all_problems.extend(own_problems)
        for entry in own:
            replaces = entry.key in by_key
            by_key[entry.key] = LibraryEntry(entry.handout, Origin.PRACTICE, entry.file, replaces)
    entries = sorted(by_key.values(), key=lambda e: e.key)
    return HandoutLibrary(tuple(entries), tuple(all_problems), folder)


def _fold(text: str) -> str:
    """Lowercase without accents: "nunez" finds "Núñez", "cirugia" finds "cirugía"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def summary_of(entry: LibraryEntry) -> HandoutSummary:
    h = entry.handout
    return HandoutSummary(
        id=h.id,
        language=h.language,
        language_name=LANGUAGE_NAMES.get(h.language, h.language),
        title=h.title,
        summary=h.summary,
        version=h.version,
        categories=tuple(c.value for c in h.categories),
        last_reviewed=h.last_reviewed,
        reviewer=h.reviewer,
        review_due=h.review_due,
        origin=entry.origin.value,
        file=entry.file,
        replaces_shipped=entry.replaces_shipped,
    )


def _search_text(handout: Handout) -> str:
    parts = [handout.id, handout.title, handout.summary, *handout.headings()]
    parts.extend(c.label for c in handout.categories)
    return _fold(" ".join(parts))


def list_handouts(
    library: HandoutLibrary,
    search: str = "",
    *,
    language: str | None = None,
    category: RequestCategory | str | None = None,
) -> list[HandoutSummary]:
    """The library, filtered: every word searched must appear (title, summary, headings)."""
    wanted = RequestCategory.parse(category) if isinstance(category, str) else category
    words = _fold(search).split()
    found = []
    for entry in library.entries:
        handout = entry.handout
        if language and handout.language != language:
            continue
        if wanted is not None and wanted not in handout.categories:
            continue
        if words:
            haystack = _search_text(handout)
            if not all(word in haystack for word in words):
                continue
        found.append(summary_of(entry))
    return found


def review_state(
    review_due: dt.date, today: dt.date, *, warn_days: int = REVIEW_WARNING_DAYS
) -> ReviewState | None:
    """Overdue, due soon (within ``warn_days``), or None when the review is not near."""
    days = (review_due - today).days
    if days < 0:
        return ReviewState.OVERDUE
    return ReviewState.DUE_SOON if days <= warn_days else None


def review_list(
    library: HandoutLibrary, today: dt.date, *, warn_days: int = REVIEW_WARNING_DAYS
) -> list[ReviewItem]:
    """Handouts overdue for review, then those due within ``warn_days``, soonest first."""
    items = []
    for entry in library.entries:
        due = entry.handout.review_due
        days = (due - today).days
        state = review_state(due, today, warn_days=warn_days)
        if state is None:
            continue
        items.append(
            ReviewItem(
                id=entry.handout.id,
                language=entry.handout.language,
                title=entry.handout.title,
                review_due=due,
                state=state,
                days=days,
                file=entry.file,
            )
        )
    return sorted(items, key=lambda item: (item.review_due, item.id, item.language))


@dataclass(frozen=True)
class FileCheck:
    id: str
    language: str
    file: str
    readability: Readability | None


@dataclass(frozen=True)
class CheckReport:
    files: tuple[FileCheck, ...]
    problems: tuple[FormatProblem, ...]
    notes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _hardest_line(handout: Handout) -> int | None:
    """The line of the block that reads hardest (at least 12 words), to point an editor at."""
    worst: tuple[float, int] | None = None
    for element in fill(handout, SAMPLE_VALUES):
        if isinstance(element, Diagram):
            continue
        blocks = [element] if isinstance(element, Block) else list(element.blocks)
        for block in blocks:
            text = inline_text(block.inlines, SAMPLE_VALUES)
            if len(text.split()) < 12:
                continue
            result = assess(text, handout.language)
            if result is None:
                return None
            hardness = result.score if handout.language != "es" else -result.score
            if worst is None or hardness > worst[0]:
                worst = (hardness, block.line)
    return worst[1] if worst else None


def check_entry(entry: LibraryEntry) -> tuple[FileCheck, list[FormatProblem], list[str]]:
    handout = entry.handout
    result = assess(plain_text(handout), handout.language)
    problems: list[FormatProblem] = []
    notes: list[str] = []
    if result is None:
        notes.append(f"{entry.file}: no readability formula for language '{handout.language}'")
    elif not result.acceptable:
        line = _hardest_line(handout) or 1
        problems.append(
            FormatProblem(
                entry.file,
                line,
                f"too hard to read: {result.describe()}; use shorter sentences and "
                "shorter words (the hardest paragraph starts on this line)",
            )
        )
    return FileCheck(handout.id, handout.language, entry.file, result), problems, notes


def check(library: HandoutLibrary, today: dt.date) -> CheckReport:
    """Validate every file and its reading level; overdue reviews are notes, not failures.

    Overdue means due before ``today``, the practice's day (``clock.today``).
    """
    files: list[FileCheck] = []
    problems = list(library.problems)
    notes: list[str] = []
    for entry in library.entries:
        file_check, file_problems, file_notes = check_entry(entry)
        files.append(file_check)
        problems.extend(file_problems)
        notes.extend(file_notes)
    for item in review_list(library, today):
        if item.state is ReviewState.OVERDUE:
            notes.append(f"{item.file}: review was due {item.review_due.isoformat()}")
    return CheckReport(tuple(files), tuple(problems), tuple(notes))
