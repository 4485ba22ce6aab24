"""A guard: no code turns a moment into the computer's own zone (``astimezone()`` with no
zone). Screens, documents and commands show the practice's clock
(``services.kernel.clock.clock_text`` with the practice's zone); a desk whose computer is in
another zone (or a server on UTC) showed 17:02 where the schedule said 11:02."""

from __future__ import annotations

import re
from pathlib import Path

import frontdesk

PACKAGE = Path(frontdesk.__file__).parent
# ``.astimezone()``, ``.astimezone( )`` and ``.astimezone(None)``: all the computer's zone.
NO_ZONE = re.compile(r"\.astimezone\(\s*(?:None\s*)?\)")


def offending_lines(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if NO_ZONE.search(line):
                found.append(f"frontdesk/{name}:{number}: {line.strip()}")
    return found


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
