"""Phone numbers, e-mail addresses and web sites: parsed, validated, normalized."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# phonenumbers and email_validator are imported where they are used: together they cost
# the app's cold start about 40 ms, and the first screen validates no phone or e-mail.

DEFAULT_REGION = "US"


class InvalidValue(ValueError):
    """A value a person typed that cannot be used; the message says how to fix it."""


def clean_text(value: str | None) -> str:
    """Trim pasted text and drop control characters (keeps line breaks and tabs)."""
    if value is None:
        return ""
    value = value.encode("utf-8", "ignore").decode("utf-8")  # lone surrogates are no text
    value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value)
    return value.strip()


# Invisible characters that change the direction text is drawn in. Pasted into a name, U+202E
# shows "Smith" as "htimS" and can make one patient's name look like another's on screen.
_DIRECTION_CONTROLS_RE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS_RE = re.compile("[\n\r\u0085\u2028\u2029]")


def text_problem(value: str, *, one_line: bool) -> str | None:
    """Why typed text cannot be kept as it is (direction controls anywhere, line breaks in a
    one-line field such as a name), or None."""
    if _DIRECTION_CONTROLS_RE.search(value):
        return "contains invisible text-direction characters (from pasted text?): retype it"
    if one_line and _LINE_BREAKS_RE.search(value):
        return "must be on one line"
    return None


def normalize_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """E.164 form of a phone number ('' stays ''); raises InvalidValue when not a number."""
    import phonenumbers

    value = clean_text(value)
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidValue("not a phone number (for example 555-201-3344)") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("this phone number does not exist; check the digits")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str, region: str = DEFAULT_REGION) -> str:
    """National format for numbers of the practice's country, international otherwise."""
    import phonenumbers

    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_email(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    value = clean_text(value)
    if not value:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidValue(f"not an e-mail address: {error}") from error


_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)


def normalize_website(value: str) -> str:
    """A web address with its scheme ('example.com' becomes 'https://example.com')."""
    value = clean_text(value)
    if not value:
        return ""
    if " " in value:
        raise InvalidValue("a web address has no spaces (for example www.example-spine.com)")
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValue("not a web address (for example www.example-spine.com)")
    if not _HOST.match(parts.hostname):
        raise InvalidValue("not a web address (for example www.example-spine.com)")
    return value


def language_note(language: str, interpreter_needed: bool) -> str:
    """What the desk must know before the visit: "Interpreter: Spanish", "Interpreter
    needed", "Speaks Tagalog" (a language other than English, no interpreter asked), or ""."""
    language = clean_text(language)
    if interpreter_needed:
        return f"Interpreter: {language}" if language else "Interpreter needed"
    if language and language.casefold() not in ("english", "en", "eng"):
        return f"Speaks {language}"
    return ""
