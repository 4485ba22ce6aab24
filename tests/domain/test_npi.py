"""NPI check digits (Luhn over 80840 and the first nine digits)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.npi import is_valid_npi, normalize_npi, npi_check_digit


def test_the_cms_example_is_valid() -> None:
    # The example in CMS's "NPI check digit" paper: 123456789 gets the check digit 3.
    assert npi_check_digit("123456789") == 3
    assert is_valid_npi("1234567893")


@pytest.mark.parametrize("typed", ["1234567893", "1234-567-893", " 1234 567 893 "])
def test_typed_formats_are_accepted(typed: str) -> None:
    assert normalize_npi(typed) == "1234567893"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1234567890", "check digit"),
        ("123456789", "ten digits"),
        ("12345678931", "ten digits"),
        ("3234567893", "starts with 1 or 2"),
        ("12345678a3", "ten digits"),
    ],
)
def test_bad_npis_are_refused_with_the_reason(typed: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        normalize_npi(typed)


def test_blank_stays_blank() -> None:
    assert normalize_npi("") == ""


@given(st.from_regex(r"[12][0-9]{8}", fullmatch=True), st.integers(0, 9))
def test_exactly_one_check_digit_is_right(first_nine: str, digit: int) -> None:
    assert is_valid_npi(first_nine + str(digit)) is (digit == npi_check_digit(first_nine))


@given(st.from_regex(r"[12][0-9]{9}", fullmatch=True), st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_typo_is_caught(npi: str, position: int, change: int) -> None:
    valid = npi[:9] + str(npi_check_digit(npi[:9]))
    typo = valid[:position] + str((int(valid[position]) + change) % 10) + valid[position + 1 :]
    if typo[0] in "12":
        assert not is_valid_npi(typo)
