"""The password policy people meet when they choose a password."""

from __future__ import annotations

import pytest

from frontdesk.domain.passwords import (
    MIN_LENGTH,
    common_passwords,
    normalized_password,
    password_problem,
)


def test_the_common_password_list_ships_as_a_resource() -> None:
    words = common_passwords()
    assert {"password", "qwertyuiop", "iloveyou", "letmein"} <= words
    assert all(word == word.casefold() and not word.startswith("#") for word in words)


@pytest.mark.parametrize(
    "password",
    [
        "short",
        "elevenchars",  # 11: one under the minimum
        "passwordpassword",
        "Password2024!",
        "P@ssw0rd123456",
        "QWERTYUIOP12",
        "123456789012",
        "iloveyou1234",
        "aaaaaaaaaaaaaaa",
        "abababababab",
        "welcome123456",
        "abcdefghijklmn",
        "9876543210987",
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str) -> None:
    assert password_problem(password) is not None


@pytest.mark.parametrize(
    "password",
    [
        "lake side morning",
        "Tr0ub4dor&3-horse",
        "canoe-violet-staple",
        "Ünïcödé pässwörd",
    ],
)
def test_reasonable_passwords_pass(password: str) -> None:
    assert password_problem(password) is None


def test_the_minimum_length_is_twelve() -> None:
    assert MIN_LENGTH == 12
    assert "at least 12" in (password_problem("x7#kQ9!mZ2p") or "")
    assert password_problem("x7#kQ9!mZ2pw") is None


def test_a_password_containing_the_user_name_is_refused() -> None:
    assert "user name" in (password_problem("maria.lopez-clinic-9", username="maria.lopez") or "")
    assert password_problem("maria.lopez-clinic-9", username="jo") is None


def test_composed_and_decomposed_accents_are_the_same_password() -> None:
    composed = "caf\u00e9 au lait matin"
    decomposed = "cafe\u0301 au lait matin"
    assert composed != decomposed
    assert normalized_password(composed) == normalized_password(decomposed)


def test_an_absurdly_long_password_is_refused() -> None:
    assert "at most" in (password_problem("correct horse " * 40) or "")
