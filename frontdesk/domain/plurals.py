"""Counting things in words: "1 open request", "2 open requests", never "2 request(s)"."""

from __future__ import annotations


def counted(number: int, singular: str, plural: str = "") -> str:
    """``number`` and the noun that agrees with it; ``plural`` when it is not ``singular``
    plus "s" ("1 entry", "2 entries")."""
    noun = singular if number == 1 else plural or f"{singular}s"
    return f"{number:,} {noun}"
