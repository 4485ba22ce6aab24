"""The duplicate-chart rule: who may be the same person, whatever the spelling or the slip."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from frontdesk.domain.dates import day_month_swapped
from frontdesk.domain.duplicates import (
    NAMES_SWAPPED,
    SAME_BIRTH_DATE,
    SAME_NAME,
    SAME_PHONE,
    SIMILAR_NAME,
    SWAPPED_BIRTH_DATE,
    DuplicateMatcher,
    Person,
    birth_dates_to_compare,
    duplicate_reasons,
)

MARIA = Person(
    "María José", "Núñez-García", date_of_birth=date(1961, 3, 4), phones=frozenset({"+12175550142"})
)

# Names that meet in every way the rule knows: accents, hyphens, nicknames, typos, scripts.
NAMES = [
    "María José",
    "Maria",
    "Marai",
    "Núñez-García",
    "Nunez",
    "Garcia",
    "Bob",
    "Robert",
    "Roberta",
    "O'Connor",
    "Oconnor",
    "Connor",
    "王",
    "Wang",
    "Katherine",
    "Kathryn",
    "Smith",
    "Smyth",
    "Jon",
    "John",
    "",
]
PHONES = ["+12175550142", "+13125550177", "+18005550199"]

names = st.sampled_from(NAMES)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))
people = st.builds(
    Person,
    first_name=names,
    last_name=names,
    preferred_name=names,
    date_of_birth=st.none() | birth_dates,
    phones=st.frozensets(st.sampled_from(PHONES), max_size=2),
)
# Real names with something to compare (the form never saves an empty first or last name).
typed_names = st.sampled_from([name for name in NAMES if name])


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        (Person("Maria Jose", "Nunez-Garcia", date_of_birth=date(1961, 3, 4)), SAME_NAME),
        (Person("MARÍA", "Núñez", date_of_birth=date(1961, 3, 4)), SIMILAR_NAME),
        (Person("Marai", "Nunez-Garcia", date_of_birth=date(1961, 3, 4)), SIMILAR_NAME),
        (Person("Núñez", "María", date_of_birth=date(1961, 3, 4)), NAMES_SWAPPED),
        (Person("garcia", "jose maria", date_of_birth=date(1961, 3, 4)), NAMES_SWAPPED),
    ],
)
def test_a_similar_name_born_the_same_day_may_be_the_same_person(
    other: Person, expected: str
) -> None:
    assert duplicate_reasons(MARIA, other) == (expected, SAME_BIRTH_DATE)


def test_a_birth_date_typed_with_day_and_month_swapped_is_a_possible_duplicate() -> None:
    other = Person("Maria", "Nunez", date_of_birth=date(1961, 4, 3))
    assert duplicate_reasons(other, MARIA) == (SIMILAR_NAME, SWAPPED_BIRTH_DATE)
    assert duplicate_reasons(MARIA, other) == (SIMILAR_NAME, SWAPPED_BIRTH_DATE)


def test_a_nickname_or_a_preferred_name_counts_as_the_first_name() -> None:
    robert = Person("Robert", "Smith", date_of_birth=date(1950, 5, 5))
    assert duplicate_reasons(Person("Bob", "Smith", date_of_birth=date(1950, 5, 5)), robert)
    goes_by = Person("Xavier", "Smith", "Robert", date_of_birth=date(1950, 5, 5))
    assert duplicate_reasons(goes_by, Person("Robert", "Smith", date_of_birth=date(1950, 5, 5)))
    assert duplicate_reasons(Person("Robert", "Smith", date_of_birth=date(1950, 5, 5)), goes_by)


@pytest.mark.parametrize(
    "other",
    [
        Person("María José", "Núñez-García", date_of_birth=date(1961, 3, 5)),  # another day
        Person("Carmen", "Núñez-García", date_of_birth=date(1961, 3, 4)),  # a sister, say
        Person("María José", "Ortiz", date_of_birth=date(1961, 3, 4)),
        Person("María José", "Núñez-García"),  # no birth date to compare
    ],
)
def test_different_people_are_not_flagged(other: Person) -> None:
    assert duplicate_reasons(MARIA, other) == ()


def test_a_shared_phone_is_reason_enough_whatever_the_name() -> None:
    other = Person("Pedro", "Alvarez", date_of_birth=date(1990, 1, 1), phones=MARIA.phones)
    assert duplicate_reasons(MARIA, other) == (SAME_PHONE,)


@given(people, people)
def test_the_rule_does_not_depend_on_who_is_compared_with_whom(a: Person, b: Person) -> None:
    assert bool(duplicate_reasons(a, b)) == bool(duplicate_reasons(b, a))


@given(st.lists(st.tuples(people, people), min_size=1, max_size=40))
def test_one_matcher_for_many_people_answers_like_a_fresh_check(
    pairs: list[tuple[Person, Person]],
) -> None:
    matcher = DuplicateMatcher()
    for a, b in pairs:
        assert matcher.reasons(a, b) == duplicate_reasons(a, b)


@given(typed_names, typed_names, birth_dates)
def test_a_person_is_a_possible_duplicate_of_the_same_person(
    first: str, last: str, born: date
) -> None:
    person = Person(first, last, date_of_birth=born)
    assert duplicate_reasons(person, person) == (SAME_NAME, SAME_BIRTH_DATE)


@given(typed_names, typed_names, birth_dates)
def test_case_accents_and_hyphens_never_matter(first: str, last: str, born: date) -> None:
    person = Person(first, last, date_of_birth=born)
    typed_plainly = Person(_plain(first).upper(), _plain(last), date_of_birth=born)
    assert duplicate_reasons(person, typed_plainly) == (SAME_NAME, SAME_BIRTH_DATE)


def _plain(name: str) -> str:
    """The name as typed on a keyboard without accents or hyphens."""
    decomposed = unicodedata.normalize("NFD", name.replace("-", " "))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@given(typed_names, typed_names, birth_dates)
def test_first_and_last_names_swapped_still_match(first: str, last: str, born: date) -> None:
    person = Person(first, last, date_of_birth=born)
    swapped = Person(last, first, date_of_birth=born)
    assert duplicate_reasons(person, swapped)[1:] == (SAME_BIRTH_DATE,)


@given(people, people, birth_dates)
def test_a_day_and_month_slip_matches_like_the_same_day(a: Person, b: Person, born: date) -> None:
    swapped = day_month_swapped(born)
    assume(swapped is not None)
    a = replace(a, date_of_birth=born)
    same_day = duplicate_reasons(a, replace(b, date_of_birth=born))
    slipped = duplicate_reasons(a, replace(b, date_of_birth=swapped))
    expected = (SWAPPED_BIRTH_DATE if why == SAME_BIRTH_DATE else why for why in same_day)
    assert slipped == tuple(expected)


@given(people, people)
def test_without_a_shared_phone_a_match_needs_a_birth_date_that_fits(a: Person, b: Person) -> None:
    b = replace(b, phones=b.phones - a.phones)
    fits = (
        a.date_of_birth is not None
        and b.date_of_birth is not None
        and b.date_of_birth in birth_dates_to_compare(a.date_of_birth)
    )
    if not fits:
        assert duplicate_reasons(a, b) == ()


@given(people, people)
def test_a_shared_phone_is_always_a_reason(a: Person, b: Person) -> None:
    shared = replace(b, phones=b.phones | {"+19995550100"})
    mine = replace(a, phones=a.phones | {"+19995550100"})
    assert duplicate_reasons(mine, shared)[-1] == SAME_PHONE


@given(birth_dates)
def test_the_birth_dates_compared_are_the_day_and_its_swap_both_ways(born: date) -> None:
    dates = birth_dates_to_compare(born)
    assert dates[0] == born
    for other in dates:
        assert born in birth_dates_to_compare(other)


def test_swapped_first_and_last_names_are_recognized() -> None:
    matcher = DuplicateMatcher()
    assert matcher.person_names_match("Garcia", "Maria", "María", "García") == NAMES_SWAPPED
    assert matcher.person_names_match("Maria", "Garcia", "MARÍA", "garcía") == SAME_NAME
    assert matcher.person_names_match("John", "Smith", "Mary", "Smith") == ""
