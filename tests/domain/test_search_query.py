"""The search box understands names, birth dates, phone numbers and MRNs."""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk.domain.search_query import QueryKind, format_mrn, parse_search

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("text", ["3/4/1961", "03-04-1961", "1961-03-04", "03/04/1961", "3.4.1961"])
def test_birth_dates_in_common_formats(text: str) -> None:
    query = parse_search(text, today=TODAY)
    assert query.kind is QueryKind.BIRTH_DATE
    assert query.birth_date == date(1961, 3, 4)


def test_two_digit_years_of_birth_are_in_the_past() -> None:
    assert parse_search("3/4/61", today=TODAY).birth_date == date(1961, 3, 4)
    assert parse_search("3/4/19", today=TODAY).birth_date == date(2019, 3, 4)


def test_an_impossible_date_says_why_it_finds_nothing() -> None:
    query = parse_search("1961-02-30", today=TODAY)
    assert query.kind is QueryKind.INVALID
    assert "not a real date" in query.message


def test_a_date_with_names_keeps_both() -> None:
    query = parse_search("nunez 3/4/1961", today=TODAY)
    assert query.kind is QueryKind.BIRTH_DATE and query.words == ("nunez",)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("(217) 555-0142", "2175550142"),
        ("217.555.0142", "2175550142"),
        ("+1 217 555 0142", "12175550142"),
        ("1-217-555-0142", "12175550142"),
        ("0142", "0142"),
        ("555-0142", "5550142"),
    ],
)
def test_phone_numbers_in_any_format_or_their_last_digits(text: str, digits: str) -> None:
    query = parse_search(text, today=TODAY)
    assert query.kind is QueryKind.PHONE
    assert query.phone_digits == digits
    assert query.phone_key == "#" + digits[::-1]


def test_fewer_than_four_digits_asks_for_more() -> None:
    query = parse_search("014", today=TODAY)
    assert query.kind is QueryKind.INVALID and "4 digits" in query.message


@pytest.mark.parametrize("text", ["M0001234", "m1234", "MRN: M1234", "m-1234"])
def test_mrn(text: str) -> None:
    query = parse_search(text, today=TODAY)
    assert query.kind is QueryKind.MRN and query.mrn == "M0001234" == format_mrn(1234)


def test_a_short_bare_number_is_also_tried_as_an_mrn() -> None:
    assert parse_search("1234", today=TODAY).mrn == "M0001234"
    assert parse_search("2175550142", today=TODAY).mrn == ""


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("garc mar", ("garc", "mar")),
        ("Maria  García", ("maria", "garcia")),
        ("O'Con", ("ocon",)),
        ("núñez-garc", ("nunez", "garc")),
        ("s", ("s",)),
    ],
)
def test_names(text: str, words: tuple[str, ...]) -> None:
    query = parse_search(text, today=TODAY)
    assert query.kind is QueryKind.NAME and query.words == words


@pytest.mark.parametrize("text", ["", "   ", "--", "''"])
def test_nothing_to_search(text: str) -> None:
    assert parse_search(text, today=TODAY).kind is QueryKind.EMPTY


@pytest.mark.parametrize("text", ["03041961", "19610304", "nunez 03041961"])
def test_eight_digits_that_make_a_date_are_a_birth_date(text: str) -> None:
    query = parse_search(text, today=TODAY)
    assert query.kind is QueryKind.BIRTH_DATE
    assert query.birth_date == date(1961, 3, 4)


def test_eight_digits_that_make_no_date_are_still_a_phone_ending() -> None:
    query = parse_search("55501420", today=TODAY)
    assert query.kind is QueryKind.PHONE and query.phone_digits == "55501420"
