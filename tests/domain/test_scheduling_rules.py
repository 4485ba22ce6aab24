"""Pure scheduling rules: intervals, slot steps, wall-clock times across DST, parsers, statuses."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.scheduling import (
    ACTIVE_STATUSES,
    AppointmentStatus,
    Interval,
    TimePreference,
    Weekday,
    day_bounds,
    initials,
    local_moment,
    merge,
    parse_clock,
    parse_weekdays,
    slot_starts,
    status_move_problem,
    subtract,
)

BASE = datetime(2027, 1, 4, 8, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


def minutes(a: int, b: int) -> Interval:
    return Interval(BASE + timedelta(minutes=a), BASE + timedelta(minutes=b))


spans = st.tuples(st.integers(0, 600), st.integers(1, 240)).map(
    lambda t: minutes(t[0], t[0] + t[1])
)


@given(st.lists(spans, max_size=4), st.lists(spans, max_size=6))
def test_subtract_leaves_exactly_the_free_minutes(
    free: list[Interval], busy: list[Interval]
) -> None:
    result = subtract(free, busy)
    for part in result:
        assert not part.empty
        assert any(f.contains(part) for f in free)
        assert not any(part.overlaps(b) for b in busy)
    # Every minute free and not busy is covered by the result.
    for m in range(0, 840, 7):
        probe = minutes(m, m + 1)
        expected = any(f.contains(probe) for f in free) and not any(probe.overlaps(b) for b in busy)
        assert expected == any(part.contains(probe) for part in result)


@given(st.lists(spans, max_size=6))
def test_merge_gives_disjoint_sorted_intervals(parts: list[Interval]) -> None:
    merged = merge(parts)
    assert merged == sorted(merged)
    for first, second in itertools.pairwise(merged):
        assert first.end < second.start


def test_slot_starts_step_from_the_free_start_and_fit_inside() -> None:
    free = minutes(0, 100)
    starts = list(slot_starts(free, timedelta(minutes=45), not_before=BASE))
    assert starts == [BASE + timedelta(minutes=m) for m in (0, 15, 30, 45)]
    late = list(slot_starts(free, timedelta(minutes=45), not_before=BASE + timedelta(minutes=20)))
    assert late[0] == BASE + timedelta(minutes=30)
    with pytest.raises(ValueError):
        list(slot_starts(free, timedelta(0), not_before=BASE))


def test_wall_clock_times_hold_across_daylight_saving() -> None:
    spring, autumn = date(2027, 3, 14), date(2027, 11, 7)
    assert local_moment(spring - timedelta(days=1), time(9), CHICAGO).hour == 15  # CST
    assert local_moment(spring + timedelta(days=1), time(9), CHICAGO).hour == 14  # CDT
    # 02:30 does not exist on the spring-forward day: read as 03:30 CDT.
    assert local_moment(spring, time(2, 30), CHICAGO) == datetime(2027, 3, 14, 8, 30, tzinfo=UTC)
    start, end = day_bounds(spring, CHICAGO)
    assert end - start == timedelta(hours=23)
    start, end = day_bounds(autumn, CHICAGO)
    assert end - start == timedelta(hours=25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8:00", 480),
        ("08:30", 510),
        ("13:15", 795),
        ("8am", 480),
        ("1:30 pm", 810),
        ("12 am", 0),
        ("12pm", 720),
        ("24:00", 1440),
        ("930", 570),
    ],
)
def test_clock_times_people_type(text: str, expected: int) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["25:00", "8:61", "13pm", "noon-ish", "", "24:30"])
def test_impossible_clock_times_say_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="time of day"):
        parse_clock(text)


def test_weekdays_from_names_and_numbers() -> None:
    assert parse_weekdays(["thu", "Monday", 1, "1"]) == (
        Weekday.MONDAY,
        Weekday.TUESDAY,
        Weekday.THURSDAY,
    )
    with pytest.raises(ValueError, match="not a weekday"):
        parse_weekdays(["someday"])
    with pytest.raises(ValueError, match="not a weekday"):
        parse_weekdays([9])


def test_time_preference_checks_the_local_day_and_window() -> None:
    preference = TimePreference(weekdays=(Weekday.THURSDAY,), earliest=14 * 60, latest=17 * 60)
    thursday_3pm = datetime(2027, 1, 7, 15, tzinfo=CHICAGO)
    assert preference.accepts(thursday_3pm, thursday_3pm + timedelta(minutes=45), CHICAGO)
    assert not preference.accepts(
        thursday_3pm + timedelta(hours=2), thursday_3pm + timedelta(hours=2, minutes=15), CHICAGO
    )
    assert not preference.accepts(
        thursday_3pm - timedelta(days=1), thursday_3pm - timedelta(days=1, minutes=-30), CHICAGO
    )
    assert preference.description == "Thu · 14:00–17:00"
    with pytest.raises(ValueError):
        TimePreference(earliest=600, latest=600)


def test_status_moves() -> None:
    assert status_move_problem(AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED) is None
    assert "cannot change any more" in (
        status_move_problem(AppointmentStatus.CANCELLED, AppointmentStatus.BOOKED) or ""
    )
    assert "already" in (
        status_move_problem(AppointmentStatus.BOOKED, AppointmentStatus.BOOKED) or ""
    )
    assert AppointmentStatus.CANCELLED not in ACTIVE_STATUSES
    assert not AppointmentStatus.NO_SHOW.holds_time


def test_initials_hide_the_name() -> None:
    assert initials("María José", "Núñez-García") == "M.J.N.G."
    assert initials("Seán", "O'Connor") == "S.O."
    assert initials("", "") == ""
