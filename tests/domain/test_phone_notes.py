"""A call-back date in a few keys, and a phone note's fields checked one by one."""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.phone_notes import PhoneNoteForm, clean_phone_note, parse_follow_up

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", None),
        ("  ", None),
        ("today", TODAY),
        ("Tomorrow", date(2026, 12, 8)),
        ("+3", date(2026, 12, 10)),
        ("+ 30", date(2027, 1, 6)),
        ("12/14/2026", date(2026, 12, 14)),
        ("1/5/27", date(2027, 1, 5)),
        # "Call back Friday" (the story's words): the next Friday; today is a Monday.
        ("Friday", date(2026, 12, 11)),
        ("fri", date(2026, 12, 11)),
        ("monday", date(2026, 12, 14)),
        ("tue", date(2026, 12, 8)),
    ],
)
def test_a_call_back_date_in_a_few_keys(typed: str, expected: date | None) -> None:
    assert parse_follow_up(typed, TODAY) == expected


@pytest.mark.parametrize(("typed", "words"), [("soon", "+3"), ("2/30/2027", "not a real date")])
def test_what_is_no_call_back_date_says_what_to_type(typed: str, words: str) -> None:
    with pytest.raises(InvalidValue, match=words.replace("+", r"\+")):
        parse_follow_up(typed, TODAY)


def test_each_field_gets_its_own_message() -> None:
    _clean, errors = clean_phone_note(
        PhoneNoteForm(caller="x" * 201, subject="", promised="ok", follow_up_on="+400"), TODAY
    )
    assert set(errors) == {"caller", "subject", "follow_up_on"}
    assert "200" in errors["caller"]
    assert "within a year" in errors["follow_up_on"]
    fine, none = clean_phone_note(
        PhoneNoteForm(caller=" Wife ", subject="Refill", follow_up_on="tomorrow"), TODAY
    )
    assert none == {}
    assert (fine.caller, fine.follow_up_on) == ("Wife", date(2026, 12, 8))
