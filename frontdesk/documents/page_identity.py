"""Who a page belongs to: the patient's name and a second identifier, on every page.

Two patients with one name can be seen on one day, and pages of a printed batch get
shuffled: so each page of a patient document names the patient *and* says something a
namesake does not share (date of birth, MRN, or on a packet the appointment time). Drawn
by the letterhead (documents/letterhead.py) in its running header, and on blank pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

SEPARATOR = "  ·  "

_WORDS = {
    "en": {"born": "DOB", "mrn": "MRN", "visit": "Visit"},
    "es": {"born": "Fecha de nac.", "mrn": "MRN", "visit": "Cita"},
}


@dataclass(frozen=True)
class PageIdentity:
    """The patient's name and one more identifier, as printed at the top of every page."""

    name: str
    second: str  # "DOB 03/04/1961", "MRN 000123", "Visit 05/04/2026 8:00 AM"

    def text(self) -> str:
        return SEPARATOR.join(part for part in (self.name.strip(), self.second.strip()) if part)


def _words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])


def born(name: str, date_of_birth: dt.date, language: str = "en", mrn: str = "") -> PageIdentity:
    """Name and date of birth (and the MRN when given): charts, letters, handouts."""
    words = _words(language)
    second = f"{words['born']} {date_of_birth:%m/%d/%Y}"
    if mrn.strip():
        second += f"{SEPARATOR}{words['mrn']} {mrn.strip()}"
    return PageIdentity(name, second)


def visit_time(starts_at: dt.datetime, language: str = "en") -> str:
    """'12/09/2026 7:00 AM' ('7:00 p. m.' in Spanish): an appointment's date and time."""
    hour = starts_at.hour % 12 or 12
    if language == "es":
        suffix = "a. m." if starts_at.hour < 12 else "p. m."
    else:
        suffix = "AM" if starts_at.hour < 12 else "PM"
    return f"{starts_at:%m/%d/%Y} {hour}:{starts_at.minute:02d} {suffix}"


def visit(name: str, starts_at: dt.datetime, language: str = "en") -> PageIdentity:
    """Name and appointment date and time: pre-visit packets (what the desk sorts by)."""
    return PageIdentity(name, f"{_words(language)['visit']} {visit_time(starts_at, language)}")


def with_visit(
    identity: PageIdentity, starts_at: dt.datetime, kind: str = "", language: str = "en"
) -> PageIdentity:
    """``identity`` and the visit its pages are for ("… · Visit 12/09/2026 7:00 AM New
    consultation"): a day's file of summaries, matched by the surgeon to the day."""
    words = f"{_words(language)['visit']} {visit_time(starts_at, language)}"
    if kind.strip():
        words += f" {kind.strip()}"
    return PageIdentity(identity.name, f"{identity.second}{SEPARATOR}{words}")
