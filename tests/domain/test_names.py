"""Names written out (lists family name first, documents first name first) and folded, so
what the receptionist types meets what was stored, whatever the accents."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.names import (
    edit_distance,
    fold,
    listed_name,
    name_match_rank,
    name_tokens,
    names_similar,
    prefix_successor,
    printed_name,
    query_words,
    sort_key,
    tokens_match_words,
)


@pytest.mark.parametrize(
    ("last", "first", "middle", "listed"),
    [
        ("Núñez-García", "María José", "Luisa", "Núñez-García, María José Luisa"),
        ("Núñez-García", "María José", "", "Núñez-García, María José"),
        (" O'Connor ", " Seán", "Thomas ", "O'Connor, Seán Thomas"),
        ("Nguyễn", "", "Thị", "Nguyễn, Thị"),
        ("Cher", "", "", "Cher"),
        ("", "Ana", "", "Ana"),
    ],
)
def test_lists_name_a_patient_family_name_first_with_every_given_name(
    last: str, first: str, middle: str, listed: str
) -> None:
    assert listed_name(last, first, middle) == listed


def test_documents_for_the_patient_use_first_then_last_name_only() -> None:
    assert printed_name("María José", "Núñez-García") == "María José Núñez-García"
    assert printed_name(" Seán ", "O'Connor") == "Seán O'Connor"
    assert printed_name("", "Cher") == "Cher"


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Núñez-García", "nunez garcia"),
        ("  MARÍA   José ", "maria jose"),
        ("O'Connor", "oconnor"),
        ("O’Connor", "oconnor"),
        ("Seán", "sean"),
        ("Straße", "strasse"),
        ("Łukasz Øster", "lukasz oster"),
        ("Nguyễn Thị", "nguyen thi"),
        ("Иван Петров", "ivan petrov"),
        ("Παπαδόπουλος", "papadopoulos"),
        ("王小明", "wang xiao ming"),
        ("ＭＡＲＩＡ", "maria"),  # full-width letters
    ],
)
def test_fold_ignores_case_accents_apostrophes_and_script(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_an_apostrophe_name_is_found_with_and_without_its_prefix() -> None:
    assert name_tokens("O'Connor") == ("oconnor", "connor")
    assert name_tokens("D'Angelo") == ("dangelo", "angelo")
    assert query_words("o'con") == ("ocon",)


def test_tokens_of_a_person_are_distinct_and_in_order() -> None:
    assert name_tokens("María José", "", "Núñez-García", "Maria") == (
        "maria",
        "jose",
        "nunez",
        "garcia",
    )


def test_non_latin_names_are_searchable_in_their_script_and_in_latin_letters() -> None:
    stored = name_tokens("Иван", "Петров")
    assert tokens_match_words(stored, query_words("Пет"))
    assert tokens_match_words(stored, query_words("petr iv"))
    assert tokens_match_words(name_tokens("王小明"), query_words("王"))


def test_sort_key_puts_a_surname_first_then_ignores_hyphens_like_a_phone_book() -> None:
    names = [("Smith-Jones", "Bob"), ("Smith", "Zoe"), ("Smith", "Ann"), ("Smithers", "Al")]
    ordered = sorted(names, key=lambda name: sort_key(*name))
    assert ordered == [
        ("Smith", "Ann"),
        ("Smith", "Zoe"),
        ("Smithers", "Al"),
        ("Smith-Jones", "Bob"),
    ]


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8))
def test_prefix_range_contains_exactly_the_strings_with_that_prefix(prefix: str) -> None:
    upper = prefix_successor(prefix)
    for candidate in (prefix, prefix + "a", prefix + "zzz", prefix + "9"):
        assert prefix <= candidate < upper
    assert not (prefix <= prefix[:-1] + chr(ord(prefix[-1]) + 1) < upper)


def test_each_word_must_start_a_different_name() -> None:
    tokens = ("maria", "martinez")
    assert tokens_match_words(tokens, ("mar", "mar"))
    assert not tokens_match_words(("maria", "lopez"), ("mar", "mar"))
    assert tokens_match_words(("garcia", "maria"), ("maria", "garc"))
    assert not tokens_match_words(("garcia", "maria"), ("garcia", "jose"))


def test_edit_distance_counts_a_swap_of_neighbours_as_one() -> None:
    assert edit_distance("smith", "smith") == 0
    assert edit_distance("smith", "smtih") == 1
    assert edit_distance("smith", "smyth") == 1
    assert edit_distance("smith", "jones", limit=3) == 3


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("Núñez", "Nunez", True),
        ("Núñez-García", "Nunez", True),
        ("Bob", "Robert", True),
        ("Katherine", "Kathryn", True),
        ("Jonathon", "Jonathan", True),
        ("Smith", "Smyth", True),
        ("Ann", "Anne", False),  # three letters: too short to call a typo
        ("Maria", "Mario", True),
        ("Garcia", "Lopez", False),
        ("", "Smith", False),
    ],
)
def test_names_similar(a: str, b: str, similar: bool) -> None:
    assert names_similar(a, b) is similar


def test_a_first_name_ranks_above_a_middle_name_and_a_whole_name_above_its_start() -> None:
    words = query_words("seán o'connor")
    first = name_match_rank(words, "Seán", "Patrick", "O'Connor")
    middle = name_match_rank(words, "Ciarán", "Seán", "O'Connor")
    started = name_match_rank(words, "Seánna", "", "O'Connor")
    assert first < started < middle
    # A preferred name counts as a first name; one word still prefers the first name.
    assert name_match_rank(words, "John", "", "O'Connor", "Sean") < middle
    sean = query_words("sean")
    assert name_match_rank(sean, "Seán", "", "Byrne") < name_match_rank(
        sean, "Ann", "Seán", "Byrne"
    )
