"""A guard: no code turns a moment into the computer's own zone (``astimezone()`` with no
zone) or asks the computer for its own day (``date.today()``). Screens, documents and
commands show the practice's clock (``services.kernel.clock.clock_text`` with the practice's
zone, ``today``/``today_in`` for its day); a desk whose computer is in another zone (or a
server on UTC) showed 17:02 where the schedule said 11:02."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import frontdesk

PACKAGE = Path(frontdesk.__file__).parent
# ``.astimezone()``, ``.astimezone( )`` and ``.astimezone(None)``: all the computer's zone.
NO_ZONE = re.compile(r"\.astimezone\(\s*(?:None\s*)?\)")


# ``date.today()`` and ``dt.date.today()``: the computer's day, not the practice's. Near
# midnight (or on a server in UTC) it is another day: a phone note's "tomorrow" was the
# practice's day after tomorrow. ``date.today`` passed uncalled (a default) counts too.
COMPUTERS_DAY = re.compile(r"\bdate\.today\b")

# Files still allowed to call ``date.today()``, with how many calls (a new one fails) and why.
# Shrink this list; do not grow it: use services.kernel.clock.today / today_in instead.
TODAY_ALLOWED: dict[str, tuple[int, str]] = {
    # Only until the practice's zone has been read (the day view then uses it).
    "ui/scheduling/area.py": (2, "before the practice's zone is read"),
}


def _lines(root: Path, pattern: re.Pattern[str]) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append((name, number, line.strip()))
    return found


def offending_lines(root: Path = PACKAGE) -> list[str]:
    return [f"frontdesk/{name}:{number}: {line}" for name, number, line in _lines(root, NO_ZONE)]


def computers_day_lines(
    root: Path = PACKAGE, allowed: dict[str, tuple[int, str]] = TODAY_ALLOWED
) -> list[str]:
    """Calls of ``date.today()`` beyond those ``allowed`` (per file, by count)."""
    found = _lines(root, COMPUTERS_DAY)
    counts = Counter(name for name, _, _ in found)
    return [
        f"frontdesk/{name}:{number}: {line}"
        for name, number, line in found
        if counts[name] > allowed.get(name, (0, ""))[0]
    ]


def test_no_moment_is_shown_in_the_computers_zone() -> None:
    found = offending_lines()
    assert not found, (
        "These turn a moment into the computer's zone; show it on the practice's clock "
        "instead (services.kernel.clock.clock_text with the practice's zone):\n" + "\n".join(found)
    )


def test_the_guard_finds_each_spelling(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "x = moment.astimezone()\ny = moment.astimezone( None )\nz = moment.astimezone(zone)\n",
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[0] for line in offending_lines(tmp_path)] == [
        "frontdesk/a.py:1",
        "frontdesk/a.py:2",
    ]


def test_no_day_is_the_computers_own() -> None:
    found = computers_day_lines()
    assert not found, (
        "These ask for the computer's day; use the practice's (services.kernel.clock.today "
        "for a command or a worker, today_in(zone) on a screen that has the zone):\n"
        + "\n".join(found)
    )


def test_the_allowed_list_is_not_stale() -> None:
    counts = Counter(name for name, _, _ in _lines(PACKAGE, COMPUTERS_DAY))
    stale = {
        name: (allowed, counts[name])
        for name, (allowed, _why) in TODAY_ALLOWED.items()
        if counts[name] < allowed
    }
    assert not stale, f"Fewer date.today() calls than allowed; lower the allowance: {stale}"


def test_the_day_guard_finds_each_spelling(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "x = date.today()\ny = dt.date.today()\nz = today_in(zone)\nw = update.today_x()\n"
        "def f(today: Callable[[], date] = date.today) -> None: ...\n",
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[0] for line in computers_day_lines(tmp_path, {})] == [
        "frontdesk/a.py:1",
        "frontdesk/a.py:2",
        "frontdesk/a.py:5",
    ]
