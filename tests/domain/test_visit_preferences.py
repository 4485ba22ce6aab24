"""Reading the caller's preferred days and times into a slot-search preference."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.scheduling import TimePreference, Weekday
from frontdesk.domain.visit_preferences import parse_days, parse_times, visit_preference

MON, TUE, WED, THU, FRI, SAT, SUN = Weekday


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon, Wed", (MON, WED)),
        ("Monday and Wednesday", (MON, WED)),
        ("Tue/Thu", (TUE, THU)),
        ("tues or thurs", (TUE, THU)),
        ("Weds", (WED,)),
        ("Fridays", (FRI,)),
        ("Mon-Wed", (MON, TUE, WED)),
        ("Monday through Thursday", (MON, TUE, WED, THU)),
        ("Fri to Mon", (MON, FRI, SAT, SUN)),
        ("M-F", (MON, TUE, WED, THU, FRI)),
        ("weekdays", (MON, TUE, WED, THU, FRI)),
        ("weekends", (SAT, SUN)),
        ("weekdays except Friday", (MON, TUE, WED, THU)),
        ("Mon-Fri but not Wednesdays", (MON, TUE, THU, FRI)),
        ("not Mondays", (TUE, WED, THU, FRI, SAT, SUN)),
        ("any day", ()),
        ("every day", ()),
        ("Mon-Sun", ()),
        ("", ()),
        ("whenever the doctor can", ()),
        # Words that start like a day are not days.
        ("sunny month, sat nav", (SAT,)),
        ("monthly", ()),
    ],
)
def test_days_as_people_write_them(text: str, days: tuple[Weekday, ...]) -> None:
    assert parse_days(text) == days


H = 60


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("mornings", (None, 12 * H)),
        ("AM only", (None, 12 * H)),
        ("a.m.", (None, 12 * H)),
        ("afternoons", (12 * H, 17 * H)),
        ("PM", (12 * H, 17 * H)),
        ("early morning", (None, 10 * H)),
        ("late morning", (10 * H, 12 * H)),
        ("late afternoon", (15 * H, 17 * H)),
        ("after 2 pm", (14 * H, None)),
        ("after 2", (14 * H, None)),  # a clinic's "after 2" is the afternoon
        ("after 2:30 p.m.", (14 * H + 30, None)),
        ("from 08:00", (8 * H, None)),
        ("after noon", (12 * H, None)),
        ("before 10", (None, 10 * H)),
        ("before 10am", (None, 10 * H)),
        ("until 10:00", (None, 10 * H)),
        ("by 3", (None, 15 * H)),
        ("no later than 4:30 pm", (None, 16 * H + 30)),
        ("3 or later", (15 * H, None)),
        ("between 9 and 11", (9 * H, 11 * H)),
        ("9-11am", (9 * H, 11 * H)),
        ("9 to 11 am", (9 * H, 11 * H)),
        ("1-3 pm", (13 * H, 15 * H)),
        ("11-1", (11 * H, 13 * H)),
        ("10–2", (10 * H, 14 * H)),
        ("11-1pm", (11 * H, 13 * H)),
        ("08:00–12:00", (8 * H, 12 * H)),
        ("13:00 to 17:00", (13 * H, 17 * H)),
        ("mornings after 9", (9 * H, 12 * H)),
        ("afternoons before 4", (12 * H, 16 * H)),
        ("I am free after 2", (14 * H, None)),
        # Two windows cannot both be kept: the one that holds both, never a narrower one.
        ("mornings or after 3", (None, None)),
        ("mornings and afternoons", (None, 17 * H)),
        ("before 10 or after 3", (None, None)),
        ("any time", (None, None)),
        ("anytime but mornings are best", (None, None)),
        # Contradictions and nonsense limit nothing.
        ("after 4 before 2", (None, None)),
        ("after 75", None),
        ("in 2 weeks", None),
        ("after 2 weeks", None),
        ("call 217-555-0188", None),
        ("at 10", None),
        ("", None),
        ("Mon", None),
    ],
)
def test_times_as_people_say_them(text: str, window: tuple[int | None, int | None]) -> None:
    assert parse_times(text) == window


def test_the_request_fields_become_one_preference() -> None:
    assert visit_preference("Mon, Wed", "mornings") == TimePreference((MON, WED), None, 12 * H)
    assert visit_preference("Tue/Thu", "after 2 pm") == TimePreference((TUE, THU), 14 * H, None)
    assert visit_preference("", "") == TimePreference()
    assert visit_preference("banana", "xyz") == TimePreference()


def test_days_and_times_typed_into_the_other_field_still_count() -> None:
    assert visit_preference("Tuesday mornings", "") == TimePreference((TUE,), None, 12 * H)
    assert visit_preference("", "Thursday after 1") == TimePreference((THU,), 13 * H, None)
    # The matching field wins where both say something.
    assert visit_preference("Fri before 10", "after 2") == TimePreference((FRI,), 14 * H, None)


@given(st.text(max_size=120), st.text(max_size=120))
def test_no_text_is_an_error(days: str, times: str) -> None:
    preference = visit_preference(days, times)
    assert list(preference.weekdays) == sorted(set(preference.weekdays))
    assert len(preference.weekdays) < len(Weekday)
    if preference.earliest is not None and preference.latest is not None:
        assert preference.earliest < preference.latest
    for value in (preference.earliest, preference.latest):
        assert value is None or 0 < value < 24 * 60


_WORDS = st.sampled_from(
    ["Mon", "tue", "Thursdays", "weekdays", "mornings", "after 2", "before 11", "9-11am", "pm"]
)


@given(st.lists(_WORDS, min_size=1, max_size=4), st.sampled_from(["please", "if possible", "?!"]))
def test_polite_words_change_nothing(words: list[str], noise: str) -> None:
    text = " ".join(words)
    assert visit_preference(text, text) == visit_preference(f"{text} {noise}", f"{noise} {text}")


@st.composite
def preferences(draw: st.DrawFn) -> TimePreference:
    days = tuple(sorted(draw(st.sets(st.sampled_from(list(Weekday)), max_size=6))))
    earliest = draw(st.none() | st.integers(1, 24 * 12 - 2).map(lambda n: n * 5))
    low = (earliest or 0) // 5 + 1
    latest = draw(st.none() | st.integers(low, 24 * 12 - 1).map(lambda n: n * 5))
    return TimePreference(days, earliest, latest)


@given(preferences())
def test_what_the_search_shows_reads_back_the_same(preference: TimePreference) -> None:
    """The search dialog shows a preference as its description; typed back, it is the same."""
    text = preference.description
    assert visit_preference(text, text) == preference
