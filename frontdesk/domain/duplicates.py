"""Whether two people may be one person: the duplicate-chart rule of the form and the import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from frontdesk.domain.dates import day_month_swapped
from frontdesk.domain.names import fold, names_similar

SAME_NAME = "same name"
SIMILAR_NAME = "similar name"
NAMES_SWAPPED = "first and last names swapped"
SAME_BIRTH_DATE = "same date of birth"
SWAPPED_BIRTH_DATE = "date of birth with day and month swapped"
SAME_PHONE = "same phone number"


@dataclass(frozen=True)
class Person:
    """What the rule compares: names as typed, the birth date, phones normalized (E.164)."""

    first_name: str
    last_name: str
    preferred_name: str = ""
    date_of_birth: date | None = None
    phones: frozenset[str] = frozenset()


def birth_dates_to_compare(born: date) -> tuple[date, ...]:
    """The birth dates a person born on ``born`` may have been recorded with."""
    swapped = day_month_swapped(born)
    return (born,) if swapped is None else (born, swapped)


class DuplicateMatcher:
    """The rule, with each pair of single names compared once (for bulk duplicate checks).

    The names a practice sees repeat a lot, so the import compares thousands of people through
    one matcher; a single check uses a fresh one (``duplicate_reasons``). Keep a matcher for
    one piece of work only, so no patient's name outlives it in memory.
    """

    def __init__(self) -> None:
        self._similar: dict[tuple[str, str], bool] = {}
        self._folded: dict[str, str] = {}

    def reasons(self, person: Person, other: Person) -> tuple[str, ...]:
        """Why ``other`` may be ``person``: a same or day/month-swapped birth date with a
        similar name (a nickname, a typo, accents, first and last swapped...), or a shared
        phone number. Empty when they look like different people."""
        reasons: list[str] = []
        born, other_born = person.date_of_birth, other.date_of_birth
        # Most people compared in bulk share the birth day: the swap is worked out only if not.
        if (
            born is not None
            and other_born is not None
            and (other_born == born or other_born == day_month_swapped(born))
        ):
            why = self.names_match(person, other)
            if why:
                reasons.append(why)
                reasons.append(SAME_BIRTH_DATE if other_born == born else SWAPPED_BIRTH_DATE)
        if person.phones & other.phones:
            reasons.append(SAME_PHONE)
        return tuple(reasons)

    def names_match(self, person: Person, other: Person) -> str:
        """How the two people's names may be one person's ("" when they are not); a
        preferred name stands in for either first name."""
        first, last = person.first_name, person.last_name
        why = self.person_names_match(first, last, other.first_name, other.last_name)
        if not why and person.preferred_name:
            why = self.person_names_match(
                person.preferred_name, last, other.first_name, other.last_name
            )
        if not why and other.preferred_name:
            why = self.person_names_match(first, last, other.preferred_name, other.last_name)
        return why

    def person_names_match(self, first_a: str, last_a: str, first_b: str, last_b: str) -> str:
        """Whether two people's names may be one person's, and why ("" when not)."""
        if self._similar_names(last_a, last_b) and self._similar_names(first_a, first_b):
            if self._fold(first_a) == self._fold(first_b) and self._fold(last_a) == self._fold(
                last_b
            ):
                return SAME_NAME
            return SIMILAR_NAME
        if self._similar_names(first_a, last_b) and self._similar_names(last_a, first_b):
            return NAMES_SWAPPED
        return ""

    def _similar_names(self, a: str, b: str) -> bool:
        key = (a, b)
        result = self._similar.get(key)
        if result is None:
            result = self._similar[key] = names_similar(a, b)
        return result

    def _fold(self, name: str) -> str:
        result = self._folded.get(name)
        if result is None:
            result = self._folded[name] = fold(name)
        return result


def duplicate_reasons(person: Person, other: Person) -> tuple[str, ...]:
    """Why ``other`` may be ``person`` (see ``DuplicateMatcher.reasons``); empty if not."""
    return DuplicateMatcher().reasons(person, other)
