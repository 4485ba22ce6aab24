"""What the patient search box was given: name words, a birth date, a phone number or an MRN."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from frontdesk.domain.contact import InvalidValue, normalize_phone
from frontdesk.domain.dates import is_compact_date, looks_like_date, parse_date
from frontdesk.domain.names import query_words

MIN_PHONE_DIGITS = 4
MRN_PREFIX = "M"
MRN_DIGITS = 7
PHONE_KEY_PREFIX = "#"

_MRN = re.compile(r"^(?:mrn\s*:?\s*)?m-?(\d{1,9})$", re.IGNORECASE)
_PHONE_CHARS = re.compile(r"^[\d\s()+.\-/]*\d[\d\s()+.\-/]*$")


class QueryKind(StrEnum):
    EMPTY = "empty"
    NAME = "name"
    BIRTH_DATE = "birth_date"
    PHONE = "phone"
    MRN = "mrn"
    INVALID = "invalid"


@dataclass(frozen=True)
class SearchQuery:
    kind: QueryKind
    # Folded name words (for BIRTH_DATE, the names typed next to the date, if any).
    words: tuple[str, ...] = ()
    birth_date: date | None = None
    # Digits of the phone number, or of its end, as typed.
    phone_digits: str = ""
    mrn: str = ""
    # Why an INVALID query finds nothing, or a hint ("type at least 4 digits").
    message: str = ""

    @property
    def phone_key(self) -> str:
        """The search key of a phone-number ending: its digits reversed, so a suffix is a prefix."""
        return phone_search_key(self.phone_digits)

    def describe(self) -> str:
        if self.kind is QueryKind.NAME:
            return "name starting " + " ".join(f'"{word}"' for word in self.words)
        if self.kind is QueryKind.BIRTH_DATE:
            assert self.birth_date is not None
            names = f" named {' '.join(self.words)}" if self.words else ""
            return f"born {self.birth_date.isoformat()}{names}"
        if self.kind is QueryKind.PHONE:
            mrn = f" or MRN {self.mrn}" if self.mrn else ""
            return f"phone ending {self.phone_digits}{mrn}"
        if self.kind is QueryKind.MRN:
            return f"MRN {self.mrn}"
        return self.message


def format_mrn(number: int) -> str:
    """The medical record number for a counter value: M0001234."""
    return f"{MRN_PREFIX}{number:0{MRN_DIGITS}d}"


def phone_search_key(digits: str) -> str:
    return PHONE_KEY_PREFIX + digits[::-1]


def e164_search_key(e164: str) -> str:
    """The search key stored for a phone number kept in E.164 (+12175550142)."""
    return phone_search_key(e164.lstrip("+"))


def parse_search(text: str, *, today: date) -> SearchQuery:
    """Decide what the search text is.

    "garc mar" -> name words; "3/4/1961", "03-04-1961", "1961-03-04", "03041961" -> a birth
    date (with optional name words around it); "(217) 555-0142", "0142" -> a phone number or
    its last 4+ digits; "M0001234" -> an MRN. A bare number of up to 7 digits is also tried
    as an MRN. Eight digits that make a real date are a birth date only: callers give the
    last four digits of a phone or all ten, never the last eight.
    """
    text = (text or "").strip()
    if not text:
        return SearchQuery(QueryKind.EMPTY)
    if match := _MRN.match(text):
        return SearchQuery(QueryKind.MRN, mrn=format_mrn(int(match.group(1))))
    parts = text.split()
    dates = [part for part in parts if looks_like_date(part) or is_compact_date(part)]
    if dates:
        try:
            born = parse_date(dates[0], today=today)
        except InvalidValue as error:
            return SearchQuery(QueryKind.INVALID, message=str(error))
        rest = " ".join(part for part in parts if part is not dates[0])
        return SearchQuery(QueryKind.BIRTH_DATE, words=query_words(rest), birth_date=born)
    if _PHONE_CHARS.match(text):
        digits = re.sub(r"\D", "", text)
        if len(digits) < MIN_PHONE_DIGITS:
            return SearchQuery(
                QueryKind.INVALID,
                message=f"type at least {MIN_PHONE_DIGITS} digits of a phone number",
            )
        if text.startswith("+") or len(digits) > 10:
            # When it does not parse, the digits as typed are still worth matching.
            with contextlib.suppress(InvalidValue):
                digits = normalize_phone(text).lstrip("+")
        mrn = format_mrn(int(digits)) if text.isdigit() and len(digits) <= MRN_DIGITS else ""
        return SearchQuery(QueryKind.PHONE, phone_digits=digits, mrn=mrn)
    words = query_words(text)
    if not words:
        return SearchQuery(QueryKind.EMPTY)
    return SearchQuery(QueryKind.NAME, words=words)
