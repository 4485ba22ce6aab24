"""The password policy: long enough, not a common password, not the user name."""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

MIN_LENGTH = 12
# Bounds the hashing work a pasted novel could cause; far beyond any real passphrase.
MAX_LENGTH = 256
MIN_DISTINCT_CHARACTERS = 5
COMMON_PASSWORDS_RESOURCE = "common-passwords.txt"

# What may trail a common word and still leave it guessable: "Password2024!", "welcome123".
_GUESSABLE_SUFFIX = "0123456789!@#$%^&*()-_=+.?~ "


def normalized_password(password: str) -> str:
    """The form a password is hashed in: NFKC, so the same characters typed on two keyboards
    (composed or decomposed accents, full-width digits) give the same password."""
    return unicodedata.normalize("NFKC", password)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords and base words, lower case."""
    text = (
        resources.files("frontdesk.resources")
        .joinpath(COMMON_PASSWORDS_RESOURCE)
        .read_text(encoding="utf-8")
    )
    words = set()
    for line in text.splitlines():
        word = line.strip().casefold()
        if word and not word.startswith("#"):
            words.add(word)
            words.add(word.replace(" ", ""))
    return frozenset(words)


# Runs along these (forwards or backwards, wrapping around) are guessed as early as words are.
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def _is_sequence(password: str) -> bool:
    folded = password.casefold()
    for sequence in _SEQUENCES:
        cycle = sequence * (len(folded) // len(sequence) + 2)
        if folded in cycle or folded[::-1] in cycle:
            return True
    return False


def _is_common(password: str) -> bool:
    folded = password.casefold()
    common = common_passwords()
    candidates = {folded, folded.replace(" ", ""), folded.rstrip(_GUESSABLE_SUFFIX)}
    candidates.add(folded.lstrip(_GUESSABLE_SUFFIX).rstrip(_GUESSABLE_SUFFIX))
    return any(candidate in common for candidate in candidates if candidate)


def password_problem(password: str, *, username: str = "") -> str | None:
    """Why ``password`` may not be used, as a sentence for the form; None when it is fine."""
    password = normalized_password(password)
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters (a few unrelated words work well)"
    if len(password) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    if len(set(password.casefold())) < MIN_DISTINCT_CHARACTERS:
        return "too repetitive: use more different characters"
    if _is_sequence(password):
        return "a run of keys or digits is guessed at once; choose something less predictable"
    if _is_common(password):
        return "this is one of the most common passwords; choose something less guessable"
    name = username.strip().casefold()
    if len(name) >= 3 and name in password.casefold():
        return "do not include your user name in the password"
    return None
