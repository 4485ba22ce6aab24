"""Reads the preferred days and times a caller gave at intake ("Mon, Wed", "mornings",
"after 2 pm") into a TimePreference for the free-slot search.

What cannot be read adds no limit: a preference the parser misunderstands must never hide
a slot the patient would have taken, so ambiguity widens rather than narrows, and nothing
here raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from frontdesk.domain.scheduling import TimePreference, Weekday, parse_clock

WEEKDAYS = (
    Weekday.MONDAY,
    Weekday.TUESDAY,
    Weekday.WEDNESDAY,
    Weekday.THURSDAY,
    Weekday.FRIDAY,
)
WEEKEND = (Weekday.SATURDAY, Weekday.SUNDAY)
DAY_END = 24 * 60

# Periods of the day in minutes after midnight (None: open at that end). Longest phrase
# first, so "late morning" is not also read as "morning".
_PERIODS: tuple[tuple[str, int | None, int | None], ...] = (
    (r"early\s+mornings?", None, 10 * 60),
    (r"late\s+mornings?", 10 * 60, 12 * 60),
    (r"early\s+afternoons?", 12 * 60, 15 * 60),
    (r"late\s+afternoons?", 15 * 60, 17 * 60),
    (r"first\s+thing", None, 10 * 60),
    (r"end\s+of\s+(?:the\s+)?day", 15 * 60, None),
    (r"after\s+work|evenings?", 17 * 60, None),
    # "AM only" is a period; "I am free" is not.
    (r"mornings?|(?<!\bi\s)ams?", None, 12 * 60),
    (r"afternoons?|(?<!\bi\s)pms?", 12 * 60, 17 * 60),
    (r"lunch(?:\s*time)?|midday|mid-day", 11 * 60, 14 * 60),
)
_ANY_TIME = re.compile(r"\b(?:any\s*time|anytime|whenever|flexible|all\s+day)\b")

_DAY_FORMS = {
    day: tuple(
        dict.fromkeys(
            [day.name.lower()[:length] for length in range(3, len(day.name) + 1)]
            + {
                Weekday.TUESDAY: ["tues"],
                Weekday.WEDNESDAY: ["weds"],
                Weekday.THURSDAY: ["thur", "thurs"],
            }.get(day, [])
        )
    )
    for day in Weekday
}
_DAY_WORD = "|".join(
    sorted({form for forms in _DAY_FORMS.values() for form in forms}, key=len, reverse=True)
)
_DAY = rf"(?:{_DAY_WORD})s?"
_DAY_RANGE = re.compile(
    rf"\b({_DAY})\s*(?:-|to|through|thru|until|till)\s*({_DAY})\b|\bm\s*-\s*f\b"
)
_EXCLUDED = re.compile(
    rf"\b(?:not|except|but|no|never|excluding|avoid|avoids|without)\s+(?:on\s+)?"
    rf"({_DAY}(?:\s*(?:,|/|&|or|and|nor)\s*{_DAY})*)\b"
)
_ONE_DAY = re.compile(rf"\b({_DAY})\b")

# A clock time as people say it: "2", "2pm", "2:30 p.m.", "14:00", "noon". Not a count
# ("2 weeks") nor part of a date ("12/5").
_CLOCK = (
    r"(?<![\d/.:])(?:(\d{1,2})(?::([0-5]\d))?\s*(am|pm|a|p)?|(noon|midday))"
    r"(?![\d/:])(?!\s*(?:weeks?|wks?|days?|months?|years?|yrs?|hours?|hrs?|mins?|minutes?"
    r"|times?|th|st|nd|rd|x|/)\b)"
)
_RANGE = re.compile(
    rf"(?:\bbetween\s+{_CLOCK}\s*(?:-|to|and|until|till)\s*{_CLOCK})"
    rf"|(?:(?:\bfrom\s+)?{_CLOCK}\s*(?:-|to|until|till|through|thru)\s*{_CLOCK})"
)
_AFTER = re.compile(
    rf"\b(?:after|from|not\s+before|no\s+earlier\s+than|starting(?:\s+at)?|at\s+or\s+after)"
    rf"\s+{_CLOCK}|{_CLOCK}\s*(?:or\s+later|onwards?|and\s+later|\+)"
)
_BEFORE = re.compile(
    rf"\b(?:before|until|till|til|by|no\s+later\s+than|not\s+after|up\s+to|ending(?:\s+by)?)"
    rf"\s+{_CLOCK}|{_CLOCK}\s*(?:or\s+earlier|at\s+the\s+latest)"
)
_ALTERNATIVES = re.compile(r",|;|/|&|\bor\b|\band\b|\n")

Window = tuple[int | None, int | None]


def _normalized(text: str) -> str:
    value = text.lower().replace("–", "-").replace("—", "-").replace("’", "'")
    value = re.sub(r"\ba\.\s?m\.?", "am", value)
    value = re.sub(r"\bp\.\s?m\.?", "pm", value)
    value = re.sub(r"\b(?:o'?clock|hrs)\b", "", value)
    return re.sub(r"\s+", " ", value).strip()


# --- days ---------------------------------------------------------------------------------


def _day(word: str) -> Weekday | None:
    word = word.strip().lower()
    for candidate in (word, word[:-1] if word.endswith("s") else word):
        for day, forms in _DAY_FORMS.items():
            if candidate in forms:
                return day
    return None


def _span(first: Weekday, last: Weekday) -> list[Weekday]:
    """first..last inclusive, going round the week ("Fri-Mon" is Fri, Sat, Sun, Mon)."""
    count = (last - first) % 7 + 1
    return [Weekday((first + offset) % 7) for offset in range(count)]


def parse_days(text: str) -> tuple[Weekday, ...]:
    """The weekdays named in ``text``, sorted; () for "any day" or nothing readable."""
    value = _normalized(text)
    chosen: set[Weekday] = set()
    excluded: set[Weekday] = set()

    def take_ranges(match: re.Match[str]) -> str:
        if match.group(1) is None:  # "M-F"
            chosen.update(WEEKDAYS)
        else:
            first, last = _day(match.group(1)), _day(match.group(2))
            if first is not None and last is not None:
                chosen.update(_span(first, last))
        return " "

    def take_excluded(match: re.Match[str]) -> str:
        excluded.update(
            day for word in _ONE_DAY.findall(match.group(1)) if (day := _day(word)) is not None
        )
        return " "

    value = _EXCLUDED.sub(take_excluded, value)
    value = _DAY_RANGE.sub(take_ranges, value)
    if re.search(r"\bweek\s*days?\b", value):
        chosen.update(WEEKDAYS)
    if re.search(r"\bweek\s*ends?\b", value):
        chosen.update(WEEKEND)
    chosen.update(day for word in _ONE_DAY.findall(value) if (day := _day(word)) is not None)
    if excluded:
        chosen = (chosen or set(Weekday)) - excluded
    if len(chosen) == len(Weekday):
        return ()
    return tuple(sorted(chosen))


# --- times --------------------------------------------------------------------------------


def _clock(hour: str | None, minute: str | None, suffix: str | None, word: str | None) -> int:
    """Minutes after midnight. A bare 1 to 6 is afternoon (a clinic's "after 2" means
    14:00); a zero-padded "02:00" or anything past 12 is read as the 24-hour clock."""
    if word:
        return 12 * 60
    assert hour is not None
    if suffix:
        return parse_clock(f"{int(hour)}:{minute or '00'}{suffix}")
    hours = int(hour)
    if hours > 24 or (hours == 24 and minute not in (None, "00")):
        raise ValueError("not a time of day")
    if 1 <= hours <= 6 and not hour.startswith("0"):
        hours += 12
    return hours * 60 + int(minute or 0)


def _range(groups: tuple[str | None, ...]) -> Window:
    """A "from-to" pair, the suffix of one end lending itself to the other ("9 to 11am",
    "1-3 pm", "11-1")."""
    first, second = groups[:4], groups[4:]
    if first[2] is None and second[2] is not None and first[3] is None:
        same = _clock(first[0], first[1], second[2], None)
        other = _clock(first[0], first[1], "am" if second[2].startswith("p") else "pm", None)
        end = _clock(*second)
        start = same if same < end else other
        return start, end
    start, end = _clock(*first), _clock(*second)
    if end <= start and second[2] is None and end + 12 * 60 <= DAY_END:
        end += 12 * 60
    return start, end


def _intersection(windows: Iterable[Window]) -> Window | None:
    """The time every window allows ("mornings after 9" is 09:00-12:00); None when they
    contradict each other."""
    earliest: int | None = None
    latest: int | None = None
    for start, end in windows:
        if start is not None:
            earliest = start if earliest is None else max(earliest, start)
        if end is not None:
            latest = end if latest is None else min(latest, end)
    if earliest is not None and latest is not None and latest <= earliest:
        return None
    return earliest, latest


def _hull(windows: Iterable[Window]) -> Window:
    """The smallest window holding every alternative ("mornings or after 3" is the whole
    day): one window cannot say "either", and a wider one never hides a wanted slot."""
    found = list(windows)
    if not found:
        return None, None
    starts = [start for start, _ in found]
    ends = [end for _, end in found]
    earliest = None if None in starts else min(s for s in starts if s is not None)
    latest = None if None in ends else max(e for e in ends if e is not None)
    return earliest, latest


def _windows_in(alternative: str) -> list[Window]:
    windows: list[Window] = []
    rest = alternative

    def collect(kind: str) -> object:
        def take(match: re.Match[str]) -> str:
            groups = match.groups()
            try:
                if kind == "range":
                    pair = groups[:8] if groups[0] or groups[3] else groups[8:]
                    windows.append(_range(pair))
                else:
                    index = next(i for i in range(0, len(groups), 4) if any(groups[i : i + 4]))
                    minute = _clock(*groups[index : index + 4])
                    windows.append((minute, None) if kind == "after" else (None, minute))
            except ValueError:
                pass  # "after 75": not a time; it limits nothing
            return " "

        return take

    rest = _RANGE.sub(collect("range"), rest)  # type: ignore[arg-type]
    rest = _AFTER.sub(collect("after"), rest)  # type: ignore[arg-type]
    rest = _BEFORE.sub(collect("before"), rest)  # type: ignore[arg-type]
    for pattern, start, end in _PERIODS:
        rest, found = re.subn(rf"\b(?:{pattern})(?![a-z])", " ", rest)
        if found:
            windows.append((start, end))
    return windows


def parse_times(text: str) -> Window | None:
    """The wall-clock window in ``text`` as (earliest, latest) minutes after midnight,
    either end None when open; None when ``text`` names no time at all."""
    value = _normalized(text)
    if _ANY_TIME.search(value):
        return None, None
    # "between 9 and 11", "3 or later": read these before splitting on "and"/"or".
    placeholders: list[Window] = []

    def hold(match: re.Match[str]) -> str:
        found = _windows_in(match.group(0))
        if found:
            placeholders.append(found[0])
            return f" §{len(placeholders) - 1}§ "
        return match.group(0)

    for pattern in (_RANGE, _AFTER, _BEFORE):
        value = pattern.sub(hold, value)
    alternatives = []
    for part in _ALTERNATIVES.split(value):
        held = [placeholders[int(index)] for index in re.findall(r"§(\d+)§", part)]
        windows = held + _windows_in(re.sub(r"§\d+§", " ", part))
        if not windows:
            continue  # "Mon" beside "Wed mornings" says nothing about the time
        window = _intersection(windows)
        alternatives.append(window if window is not None else (None, None))
    if not alternatives:
        return None
    earliest, latest = _hull(alternatives)
    # Midnight at either end limits nothing.
    return (earliest or None), (latest if latest is not None and latest < DAY_END else None)


def visit_preference(preferred_days: str, preferred_times: str) -> TimePreference:
    """The request's preferred days and times as a slot-search preference.

    Either field may hold both ("Tue mornings" typed under days): each is read for days and
    times, the matching field first.
    """
    days = parse_days(preferred_days) or parse_days(preferred_times)
    window = parse_times(preferred_times)
    if window is None:
        window = parse_times(preferred_days)
    earliest, latest = window if window is not None else (None, None)
    if earliest is not None and latest is not None and latest <= earliest:
        earliest, latest = None, None
    return TimePreference(weekdays=days, earliest=earliest, latest=latest)
