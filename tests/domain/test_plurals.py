"""Counting things in words: the noun agrees with the number (issue #16: "1 open request(s)")."""

from __future__ import annotations

from frontdesk.domain.plurals import counted


def test_one_is_singular_and_every_other_number_plural() -> None:
    assert counted(1, "open request") == "1 open request"
    assert counted(2, "open request") == "2 open requests"
    assert counted(0, "row") == "0 rows"


def test_an_irregular_plural_is_given_and_large_numbers_are_grouped() -> None:
    assert counted(1, "study", "studies") == "1 study"
    assert counted(3, "study", "studies") == "3 studies"
    assert counted(1_234, "new document") == "1,234 new documents"
