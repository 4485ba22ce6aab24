"""How patient facts read on screen: dates, ages, phones and language, one way everywhere."""

from __future__ import annotations

from datetime import date

from frontdesk.domain.contact import format_phone
from frontdesk.domain.dates import age_on


def birth_date_text(value: date | None) -> str:
    """Month/day/year, as the desk types it (3/4/1961 is March 4)."""
    return value.strftime("%m/%d/%Y") if value is not None else ""


def age_text(born: date, today: date) -> str:
    """Age in whole years on ``today``: the practice's day (``today_in``), not the computer's."""
    return str(age_on(born, today))


def phone_text(e164: str) -> str:
    """National format for the practice's country (E.164 is how it is stored)."""
    return format_phone(e164)


def language_text(language: str, interpreter_needed: bool) -> str:
    if interpreter_needed:
        return f"{language} — interpreter needed" if language else "Interpreter needed"
    return language


def name_with_preferred(display_name: str, preferred_name: str) -> str:
    return f"{display_name} “{preferred_name}”" if preferred_name else display_name
