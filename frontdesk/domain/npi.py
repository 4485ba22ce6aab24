"""National Provider Identifiers: ten digits whose last is a Luhn check digit over 80840 + nine."""

from __future__ import annotations

import re

from frontdesk.domain.contact import InvalidValue

# The NPI check digit is the Luhn digit of the card-issuer prefix 80840 followed by the
# first nine digits (CMS, "NPI check digit" standard).
NPI_PREFIX = "80840"


def luhn_check_digit(digits: str) -> int:
    """The digit that makes ``digits`` + it pass the Luhn check."""
    total = 0
    # Walking from the right, the first digit (next to the future check digit) is doubled.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def npi_check_digit(first_nine: str) -> int:
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("an NPI check digit is computed from nine digits")
    return luhn_check_digit(NPI_PREFIX + first_nine)


def is_valid_npi(value: str) -> bool:
    return (
        len(value) == 10
        and value.isdigit()
        and value[0] in "12"
        and npi_check_digit(value[:9]) == int(value[9])
    )


def normalize_npi(value: str) -> str:
    """The ten digits of an NPI as typed ("1234-567-893" too); '' stays ''.

    Raises InvalidValue when it is not ten digits or the check digit is wrong.
    """
    digits = re.sub(r"[\s\-.]", "", value or "")
    if not digits:
        return ""
    if not digits.isdigit() or len(digits) != 10:
        raise InvalidValue("an NPI has ten digits")
    if digits[0] not in "12":
        raise InvalidValue("an NPI starts with 1 or 2")
    if not is_valid_npi(digits):
        raise InvalidValue("this NPI's check digit is wrong; check for a typo")
    return digits
