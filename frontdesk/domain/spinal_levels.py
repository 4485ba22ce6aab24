"""Spinal levels C1–S1: vertebrae, motion segments, and the level text people type."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from itertools import pairwise

from frontdesk.domain.contact import InvalidValue, clean_text
from frontdesk.domain.history_vocab import BodyRegion

EN_DASH = "–"

ACCEPTED_FORMS = (
    'Levels run from C1 to S1: type a range like "L4-S1", a list like "L4-L5, L5-S1", '
    'shorthand like "C5-6" or "L4/5", or one vertebra like "L1".'
)


class InvalidLevels(InvalidValue):
    """Level text that names no real level; the message ends with the accepted forms."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem} {ACCEPTED_FORMS}")
        self.problem = problem


class Vertebra(IntEnum):
    """The vertebrae the practice records, top to bottom; the value is the position."""

    C1 = 0
    C2 = 1
    C3 = 2
    C4 = 3
    C5 = 4
    C6 = 5
    C7 = 6
    T1 = 7
    T2 = 8
    T3 = 9
    T4 = 10
    T5 = 11
    T6 = 12
    T7 = 13
    T8 = 14
    T9 = 15
    T10 = 16
    T11 = 17
    T12 = 18
    L1 = 19
    L2 = 20
    L3 = 21
    L4 = 22
    L5 = 23
    S1 = 24

    def __str__(self) -> str:
        # IntEnum prints its number since Python 3.11; a level prints as people write it.
        return self.name

    @property
    def region(self) -> BodyRegion:
        return _REGION_BY_LETTER[self.name[0]]

    @property
    def number(self) -> int:
        """The number within its region (5 for L5)."""
        return int(self.name[1:])

    @property
    def sort_position(self) -> int:
        """Position among all levels: a vertebra sorts just above the disc below it."""
        return 2 * self.value


_REGION_BY_LETTER = {
    "C": BodyRegion.CERVICAL,
    "T": BodyRegion.THORACIC,
    "L": BodyRegion.LUMBAR,
    "S": BodyRegion.SACRAL,
}
_REGION_SIZE = {"C": 7, "T": 12, "L": 5, "S": 1}
_REGION_WORD = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}


@dataclass(frozen=True, order=True)
class Segment:
    """A motion segment: a vertebra and the one just below it (the disc between them)."""

    upper: Vertebra

    def __post_init__(self) -> None:
        if not isinstance(self.upper, Vertebra):
            object.__setattr__(self, "upper", Vertebra(self.upper))
        if self.upper is Vertebra.S1:
            raise InvalidLevels("S1 is the lowest level recorded; there is no segment below it.")

    @classmethod
    def between(cls, first: Vertebra, second: Vertebra) -> Segment:
        """The segment of two adjacent vertebrae, in either order."""
        upper, lower = sorted((first, second))
        if lower - upper != 1:
            raise InvalidLevels(f"{upper} and {lower} are not adjacent, so they are no segment.")
        return cls(upper)

    @property
    def lower(self) -> Vertebra:
        return Vertebra(self.upper + 1)

    @property
    def sort_position(self) -> int:
        return 2 * self.upper.value + 1

    @property
    def regions(self) -> tuple[BodyRegion, ...]:
        """Both vertebrae's regions: a junction such as L5-S1 is lumbar and sacral."""
        return tuple(dict.fromkeys((self.upper.region, self.lower.region)))

    def code(self) -> str:
        """The stored form, 'L4-L5' (ASCII hyphen, both vertebrae in full)."""
        return f"{self.upper}-{self.lower}"

    def __str__(self) -> str:
        return f"{self.upper}{EN_DASH}{self.lower}"


Level = Vertebra | Segment


def _position(level: Level) -> int:
    return level.sort_position


def _level_regions(level: Level) -> tuple[BodyRegion, ...]:
    return (level.region,) if isinstance(level, Vertebra) else level.regions


def _level_code(level: Level) -> str:
    return level.name if isinstance(level, Vertebra) else level.code()


@dataclass(frozen=True)
class LevelSet:
    """The levels of one surgery: motion segments and/or single vertebrae, top to bottom,
    each once. Built from any order; equal sets compare equal however they were typed."""

    levels: tuple[Level, ...] = field(default=())

    def __post_init__(self) -> None:
        for level in self.levels:
            if not isinstance(level, Vertebra | Segment):
                raise TypeError(f"not a level: {level!r}")
        normalized = tuple(sorted(set(self.levels), key=_position))
        object.__setattr__(self, "levels", normalized)

    @classmethod
    def span(cls, first: Vertebra, last: Vertebra) -> LevelSet:
        """Every segment from one vertebra to another, in either order (L4..S1: L4-L5, L5-S1)."""
        top, bottom = sorted((first, last))
        if top == bottom:
            raise InvalidLevels(
                f'"{top}-{bottom}" names the same vertebra twice; one vertebra is just "{top}".'
            )
        return cls(tuple(Segment(Vertebra(value)) for value in range(top, bottom)))

    @classmethod
    def from_codes(cls, codes: Iterable[str]) -> LevelSet:
        """Read the stored list form (['L4-L5', 'L5-S1'], ['L1']); each item is one level."""
        levels: list[Level] = []
        for code in codes:
            parsed = parse_levels(code)
            if len(parsed) != 1:
                raise InvalidLevels(f'"{code}" is not one level.')
            levels.extend(parsed.levels)
        return cls(tuple(levels))

    def __iter__(self) -> Iterator[Level]:
        return iter(self.levels)

    def __len__(self) -> int:
        return len(self.levels)

    def __bool__(self) -> bool:
        return bool(self.levels)

    def __or__(self, other: LevelSet) -> LevelSet:
        return LevelSet(self.levels + other.levels)

    @property
    def segments(self) -> tuple[Segment, ...]:
        return tuple(level for level in self.levels if isinstance(level, Segment))

    @property
    def vertebrae(self) -> tuple[Vertebra, ...]:
        return tuple(level for level in self.levels if isinstance(level, Vertebra))

    def codes(self) -> list[str]:
        """The list form for JSON and storage: ['L4-L5', 'L5-S1']."""
        return [_level_code(level) for level in self.levels]

    def regions(self) -> frozenset[BodyRegion]:
        """Every region a level touches (L5-S1 is lumbar and sacral)."""
        return frozenset(region for level in self.levels for region in _level_regions(level))

    def ordered_regions(self) -> tuple[BodyRegion, ...]:
        """The regions top to bottom, for display ('cervical, thoracic')."""
        regions = self.regions()
        return tuple(region for region in BodyRegion if region in regions)

    def runs(self) -> list[tuple[Vertebra, Vertebra] | Vertebra]:
        """Contiguous segment runs as (top, bottom) vertebrae, and single vertebrae,
        ordered by where each starts."""
        pieces: list[tuple[int, tuple[Vertebra, Vertebra] | Vertebra]] = []
        run: list[Segment] = []

        def close_run() -> None:
            if run:
                pieces.append((run[0].sort_position, (run[0].upper, run[-1].lower)))
                run.clear()

        for segment in self.segments:
            if run and run[-1].lower != segment.upper:
                close_run()
            run.append(segment)
        close_run()
        pieces.extend((vertebra.sort_position, vertebra) for vertebra in self.vertebrae)
        return [piece for _, piece in sorted(pieces, key=lambda item: item[0])]

    def text(self, dash: str = EN_DASH) -> str:
        """Readable form with contiguous runs joined: 'L4–S1', 'C5–C6, L1'; '' when empty."""
        parts = []
        for run in self.runs():
            if isinstance(run, Vertebra):
                parts.append(str(run))
            else:
                parts.append(f"{run[0]}{dash}{run[1]}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return self.text()


EMPTY = LevelSet()

# Every way people type a dash, plus slash and backslash ("L4/5").
_RANGE_MARKS = re.compile(r"[-‐‑‒–—―−﹣－/\\]|\b(?:TO|THRU|THROUGH)\b")
_ITEM_SEPARATORS = re.compile(r"[,;+&]|\band\b", re.IGNORECASE)
_ENDPOINT = re.compile(r"^([A-Z]*)(\d+)$")


def parse_levels(text: str) -> LevelSet:
    """Levels from typed text: 'L4-S1' (range), 'L4–L5, L5–S1', 'C5-6', 'l4/5', 'L4 L5',
    'L5S1', 'L1' (one vertebra), 'S1-L4' (reversed). '' gives the empty set.

    Raises InvalidLevels naming what is wrong and the accepted forms.
    """
    cleaned = clean_text(text)
    levels: list[Level] = []
    for item in _ITEM_SEPARATORS.split(cleaned):
        item = item.strip()
        if item:
            levels.extend(_parse_item(item))
    return LevelSet(tuple(levels))


def _parse_item(item: str) -> Sequence[Level]:
    shown = " ".join(item.split())
    canonical = _RANGE_MARKS.sub("-", item.upper())
    canonical = re.sub(r"([A-Z])\s+(?=\d)", r"\1", canonical)  # "L 4" is L4
    canonical = re.sub(r"\s*-\s*", "-", canonical)
    canonical = re.sub(r"\s+", "-", canonical)  # "L4 L5" is L4-L5
    canonical = re.sub(r"(?<=\d)(?=[A-Z])", "-", canonical)  # "L5S1" is L5-S1
    pieces = canonical.split("-")
    if any(not piece for piece in pieces):
        raise InvalidLevels(f'"{shown}" is not a level.')
    endpoints: list[Vertebra] = []
    letter = ""
    for piece in pieces:
        match = _ENDPOINT.match(piece)
        if match is None:
            raise InvalidLevels(f'"{shown}" is not a level.')
        written_letter, digits = match.groups()
        if written_letter:
            letter = written_letter
        elif not letter:
            raise InvalidLevels(f'"{shown}" needs a region letter, as in "L4-5".')
        vertebra = _vertebra(letter, int(digits), written=f"{written_letter}{digits}")
        if not written_letter and endpoints and vertebra <= endpoints[-1]:
            # "C7-1" could mean C7-T1 or C1-C7; only the full form says which.
            raise InvalidLevels(
                f'"{shown}" is unclear; write both levels in full, as in "C7-T1" or "L5-S1".'
            )
        endpoints.append(vertebra)
    if len(endpoints) == 1:
        return endpoints
    steps = [after - before for before, after in pairwise(endpoints)]
    if any(step == 0 for step in steps):
        repeated = endpoints[steps.index(0)]
        raise InvalidLevels(f'"{shown}" names {repeated} twice; one vertebra is just "{repeated}".')
    if not (all(step > 0 for step in steps) or all(step < 0 for step in steps)):
        raise InvalidLevels(f'"{shown}" goes up and down; write a range such as "L3-L5".')
    return LevelSet.span(endpoints[0], endpoints[-1]).levels


def _vertebra(letter: str, number: int, *, written: str) -> Vertebra:
    if len(letter) != 1 or letter not in _REGION_SIZE:
        raise InvalidLevels(f'"{written}" is not a vertebra.')
    size = _REGION_SIZE[letter]
    if 1 <= number <= size:
        return Vertebra[f"{letter}{number}"]
    name = f"{letter}{number}"
    if letter == "S":
        raise InvalidLevels(f"{name} is below S1, the lowest level recorded.")
    if letter == "C" and number == 8:
        raise InvalidLevels("C8 is a nerve root, not a vertebra; cervical vertebrae are C1–C7.")
    raise InvalidLevels(
        f"{name} is not a vertebra; {_REGION_WORD[letter]} vertebrae are {letter}1–{letter}{size}."
    )


def format_levels(levels: LevelSet, dash: str = EN_DASH) -> str:
    """'L4–S1' for a contiguous run, 'C5–C6, L4–L5' for separate ones, '' for none."""
    return levels.text(dash)


def level_codes(levels: LevelSet) -> list[str]:
    """The JSON list form: ['L4-L5', 'L5-S1']."""
    return levels.codes()


def spinal_regions(levels: LevelSet) -> tuple[BodyRegion, ...]:
    """Regions the levels touch, top to bottom."""
    return levels.ordered_regions()
