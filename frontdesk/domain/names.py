"""People's names: written out for screens and paper, folded for search and comparison.

Screens list a patient family name first with every given name ("Núñez-García, María José
Luisa", ``listed_name``); documents for the patient start with the first name ("María José
Núñez-García", ``printed_name``). Nothing else writes a patient's name out by hand.

What a person typed is always stored as typed; these folded forms are derived from it. One
function folds both the stored names and the search text, so whatever the receptionist types
(with or without accents, in Latin letters or the original script) meets the same keys:
"Núñez" -> "nunez", "O'Connor" -> "oconnor" (and "connor"), "王小明" -> "wang xiao ming",
"Иван" -> "ivan".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from unidecode import unidecode

MAX_TOKEN_LENGTH = 40
MAX_SORT_KEY_LENGTH = 120

_APOSTROPHES = "'’‘ʼ`´ʻ"
_APOSTROPHE_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_NOT_ALNUM_RE = re.compile(r"[^a-z0-9\x01]+")
_MARK = "\x01"


@lru_cache(maxsize=65536)
def _ascii_lower(text: str) -> str:
    # NFKC first so full-width letters and ligatures fold like their plain forms. Lone
    # surrogates (undecodable bytes from a terminal or a file) are dropped: they are no letter.
    text = text.encode("utf-8", "ignore").decode("utf-8")
    return unidecode(unicodedata.normalize("NFKC", text)).lower()


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces; apostrophes join their word."""
    folded = _APOSTROPHE_RE.sub("", _ascii_lower(text))
    return " ".join(_NOT_ALNUM_RE.sub(" ", folded.replace(_MARK, "")).split())


def query_words(text: str) -> tuple[str, ...]:
    """The words of search text, folded the same way as stored names ("o'con" -> "ocon")."""
    return tuple(word[:MAX_TOKEN_LENGTH] for word in fold(text).split())


@lru_cache(maxsize=65536)
def _name_tokens(name: str) -> tuple[str, ...]:
    marked = _APOSTROPHE_RE.sub(_MARK, _ascii_lower(name))
    tokens: list[str] = []
    for word in _NOT_ALNUM_RE.sub(" ", marked).split():
        if _MARK in word:
            # "o'connor" is found as "oconnor" and as "connor"; "d'angelo" also as "angelo".
            parts = [part for part in word.split(_MARK) if part]
            tokens.append("".join(parts))
            tokens.extend(part for part in parts[1:] if len(part) >= 2)
        else:
            tokens.append(word)
    return tuple(token[:MAX_TOKEN_LENGTH] for token in tokens if token)


def name_tokens(*names: str) -> tuple[str, ...]:
    """Distinct search tokens of one person's names, in order of appearance."""
    seen: dict[str, None] = {}
    for name in names:
        if name:
            for token in _name_tokens(name):
                seen.setdefault(token, None)
    return tuple(seen)


def listed_name(last: str, first: str, middle: str = "") -> str:
    """How every list and header names a patient: "Last, First Middle" (sorts as it reads)."""
    given = " ".join(part for part in (first.strip(), middle.strip()) if part)
    return ", ".join(part for part in (last.strip(), given) if part)


def printed_name(first: str, last: str) -> str:
    """The name a document for the patient is made out to: "First Last", no middle name."""
    return " ".join(part for part in (first.strip(), last.strip()) if part)


def sort_key(last: str, first: str, middle: str = "") -> str:
    """Folded "last first middle" that sorts "Smith, Ann" before "Smith-Jones, Bob"."""
    parts = ("".join(fold(part).split()) for part in (last, first, middle))
    return " ".join(parts).rstrip()[:MAX_SORT_KEY_LENGTH]


def prefix_successor(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix``.

    ``key >= prefix AND key < prefix_successor(prefix)`` is a prefix match that every
    B-tree index can serve as a range, on SQLite as well as PostgreSQL.
    """
    if not prefix:
        raise ValueError("an empty prefix has no successor")
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# Common given-name variants: a nickname and its formal name count as the same name when
# looking for duplicate charts. Each group is one person's possible spellings.
_NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("robert", "bob", "bobby", "rob", "robbie", "bert"),
    ("william", "bill", "billy", "will", "willy", "liam"),
    ("elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "lisa", "elisabeth"),
    ("margaret", "maggie", "peggy", "meg", "marge", "margie"),
    ("katherine", "catherine", "kathryn", "kate", "katie", "kathy", "cathy", "kat"),
    ("james", "jim", "jimmy", "jamie"),
    ("john", "jack", "johnny", "jon"),
    ("jonathan", "jon", "jonny"),
    ("michael", "mike", "mikey", "mick"),
    ("richard", "rick", "ricky", "dick", "rich", "richie"),
    ("thomas", "tom", "tommy"),
    ("joseph", "joe", "joey"),
    ("charles", "charlie", "chuck", "chas"),
    ("christopher", "chris", "kit"),
    ("christine", "christina", "chris", "tina"),
    ("daniel", "dan", "danny"),
    ("anthony", "tony"),
    ("edward", "ed", "eddie", "ted", "teddy", "ned"),
    ("alexander", "alex", "sasha", "aleksandr", "alexandr", "sandy"),
    ("alexandra", "alex", "sasha", "sandra", "sandy"),
    ("patricia", "pat", "patty", "trish", "tricia"),
    ("patrick", "pat", "paddy"),
    ("jennifer", "jen", "jenny"),
    ("susan", "sue", "susie", "suzanne"),
    ("deborah", "debra", "deb", "debbie"),
    ("rebecca", "becky", "becca"),
    ("benjamin", "ben", "benny"),
    ("nicholas", "nick", "nicky", "nico"),
    ("andrew", "andy", "drew"),
    ("steven", "stephen", "steve"),
    ("timothy", "tim", "timmy"),
    ("kenneth", "ken", "kenny"),
    ("ronald", "ron", "ronnie"),
    ("donald", "don", "donnie"),
    ("gerald", "jerry", "gerry"),
    ("lawrence", "laurence", "larry"),
    ("matthew", "matt"),
    ("joshua", "josh"),
    ("samuel", "sam", "sammy"),
    ("samantha", "sam", "sammy"),
    ("victoria", "vicky", "tori"),
    ("jose", "pepe", "chepe"),
    ("francisco", "paco", "pancho", "frank"),
    ("francis", "frank", "frankie", "fran"),
    ("guadalupe", "lupe", "lupita"),
    ("maria", "mari", "mary", "marie"),
    ("sean", "shaun", "shawn"),
    ("mohammed", "muhammad", "mohamed", "mohammad", "muhammed"),
    ("ivan", "vanya"),
    ("dmitri", "dmitry", "dima"),
    ("ekaterina", "katya", "katerina"),
)


def _nickname_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group in _NICKNAME_GROUPS:
        for name in group:
            index.setdefault(name, set()).update(group)
    return {name: frozenset(group) for name, group in index.items()}


_NICKNAMES = _nickname_index()


def are_nicknames(a: str, b: str) -> bool:
    """Whether two folded given names are variants of one name ("bob" and "robert")."""
    return a == b or b in _NICKNAMES.get(a, ())


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal-string-alignment distance (a swap of neighbours costs 1), capped at ``limit``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


def _typo_tolerance(length: int) -> int:
    return 0 if length < 4 else 1 if length < 8 else 2


def _words_similar(a: str, b: str) -> bool:
    if a == b or are_nicknames(a, b):
        return True
    tolerance = _typo_tolerance(min(len(a), len(b)))
    return tolerance > 0 and edit_distance(a, b, tolerance + 1) <= tolerance


def names_similar(a: str, b: str) -> bool:
    """Whether two name parts (as typed) may be the same name.

    Accents and case never matter; a shared word counts ("Núñez" and "Núñez-García"); so do
    a typo or two in a long name and a nickname ("Bob" and "Robert").
    """
    words_a, words_b = name_tokens(a), name_tokens(b)
    if not words_a or not words_b:
        return False
    if any(_words_similar(x, y) for x in words_a for y in words_b):
        return True
    joined_a, joined_b = "".join(fold(a).split()), "".join(fold(b).split())
    tolerance = _typo_tolerance(min(len(joined_a), len(joined_b)))
    return tolerance > 0 and edit_distance(joined_a, joined_b, tolerance + 1) <= tolerance


def tokens_match_words(tokens: Iterable[str], words: Iterable[str]) -> bool:
    """Whether every word is the start of a different token ("mar mar" needs two names)."""
    token_list = list(tokens)
    word_list = sorted(words, key=len, reverse=True)
    return _assign(token_list, word_list, set())


def _assign(tokens: list[str], words: list[str], used: set[int]) -> bool:
    if not words:
        return True
    word, rest = words[0], words[1:]
    for index, token in enumerate(tokens):
        if index not in used and token.startswith(word):
            used.add(index)
            if _assign(tokens, rest, used):
                return True
            used.discard(index)
    return False


def name_match_rank(
    words: Iterable[str], first: str, middle: str, last: str, preferred: str = ""
) -> tuple[int, int, int]:
    """How well search words name this person; smaller is better, for ordering results.

    First whether the words name both the first (or preferred) and the last name, then
    whether one names the first name at all (a first name beats a middle name: "seán
    o'connor" means Seán Patrick O'Connor before Ciarán Seán O'Connor), then whether every
    word is a whole name rather than its start.
    """
    word_list = list(words)
    firsts = name_tokens(first, preferred)
    lasts = name_tokens(last)
    every = name_tokens(first, middle, last, preferred)
    first_words = {i for i, word in enumerate(word_list) if _starts_any(word, firsts)}
    last_words = {i for i, word in enumerate(word_list) if _starts_any(word, lasts)}
    both = any(i != j for i in first_words for j in last_words)
    whole = all(word in every for word in word_list)
    return (0 if both else 1, 0 if first_words else 1, 0 if whole else 1)


def _starts_any(word: str, tokens: Iterable[str]) -> bool:
    return any(token.startswith(word) for token in tokens)
