"""Reading level of patient text: Flesch-Kincaid grade (English), Fernández-Huerta (Spanish).

The formulas are implemented here because textstat (0.7.4 and later) loads NLTK's CMU
dictionary on first use and downloads it when missing, which fails on an offline desk.
Syllables come from the hyphenation dictionaries shipped inside ``pyphen`` and from the
vowel-group rules of each language; the larger count wins, so a text is never rated easier
than it is (hyphenation dictionaries skip some breaks, e.g. "sur-gery").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pyphen

ENGLISH_GRADE_LIMIT = 8.0  # at or below 8th grade
SPANISH_EASE_LIMIT = 70.0  # "bastante fácil" (fairly easy) or easier

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|\n\s*\n")


@dataclass(frozen=True)
class TextCounts:
    sentences: int
    words: int
    syllables: int

    @property
    def words_per_sentence(self) -> float:
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def syllables_per_word(self) -> float:
        return self.syllables / self.words if self.words else 0.0


@dataclass(frozen=True)
class Readability:
    """A score and whether it meets the practice's limit for patient material."""

    language: str
    formula: str
    score: float
    limit: float
    acceptable: bool
    counts: TextCounts

    def describe(self) -> str:
        if self.language == "es":
            return (
                f"{self.formula} {self.score:.1f}, {spanish_ease_label(self.score)} "
                f"(needs {self.limit:.0f} or more)"
            )
        return f"{self.formula} {self.score:.1f} (needs {self.limit:.0f} or less)"


def sentences(text: str) -> list[str]:
    """Pieces of text that end with . ! ? (or a blank line) and hold at least one word."""
    return [piece for piece in _SENTENCE_END.split(text) if _WORD.search(piece)]


def words(text: str) -> list[str]:
    """Words of letters; hyphenated compounds and contractions count once."""
    return _WORD.findall(unicodedata.normalize("NFC", text))


@cache
def _dictionary(language: str) -> pyphen.Pyphen:
    if language == "es":
        # left=right=1: a one-letter syllable at either end of a word (a-be-ja) still counts.
        return pyphen.Pyphen(lang="es", left=1, right=1)
    # English patterns are made for their default margins; narrower ones add false breaks.
    return pyphen.Pyphen(lang="en_US")


def syllables(word: str, language: str) -> int:
    """Syllables in one word (a hyphenated compound: the sum of its parts)."""
    total = 0
    for part in re.split(r"[-'’]", word.lower()):
        if not part:
            continue
        rules = _spanish_syllables(part) if language == "es" else _english_syllables(part)
        hyphenated = len(_dictionary(language).positions(part)) + 1
        total += max(rules, hyphenated)
    return max(total, 1)


_EN_VOWELS = re.compile(r"[aeiouy]+")
_EN_SPLIT_PAIRS = re.compile(r"(?<![cgstxln])i[aou]|(?<!q)ua")


def _english_syllables(word: str) -> int:
    """Vowel groups, less a silent final e/es/ed, plus vowel pairs that are usually split."""
    word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
    word = re.sub(r"[^a-z]", "", word)
    if len(word) <= 3:
        return 1
    if word.endswith("e") and not re.search(r"[^aeiouy]le$", word):
        word = word[:-1]
    elif re.search(r"[^aeiouysxzhcg]es$", word) or re.search(r"[^aeiouytd]ed$", word):
        word = word[:-2]
    word = re.sub(r"^y", "", word)
    count = len(_EN_VOWELS.findall(word)) + len(_EN_SPLIT_PAIRS.findall(word))
    return max(count, 1)


_ES_STRONG = frozenset("aeoáéóíú")  # accented i and u break a diphthong, so they count here
_ES_VOWELS = frozenset("aeiouáéíóúü")


def _spanish_syllables(word: str) -> int:
    """Vowel nuclei: two strong vowels side by side are two syllables, a weak one joins."""
    if word == "y":
        return 1
    word = re.sub(r"([qg])u(?=[eiéí])", r"\1", word)  # the u of que, qui, gue, gui is silent
    word = re.sub(r"(?<=[aeiouáéíóú])y$", "i", word)  # hoy, muy, rey
    count = 0
    previous = ""
    for char in word:
        if char not in _ES_VOWELS:
            previous = ""
            continue
        if not previous or ((previous in _ES_STRONG and char in _ES_STRONG) or previous == char):
            count += 1
        previous = char
    return max(count, 1)


def counts(text: str, language: str) -> TextCounts:
    found = words(text)
    return TextCounts(
        sentences=max(len(sentences(text)), 1 if found else 0),
        words=len(found),
        syllables=sum(syllables(word, language) for word in found),
    )


def flesch_kincaid_grade(text: str) -> float:
    """0.39 (words/sentences) + 11.8 (syllables/words) - 15.59 (Kincaid et al., 1975)."""
    c = counts(text, "en")
    if not c.words:
        return 0.0
    return 0.39 * c.words_per_sentence + 11.8 * c.syllables_per_word - 15.59


def fernandez_huerta(text: str) -> float:
    """206.84 - 60 (syllables/word) - 1.02 (words/sentence) (Fernández Huerta, 1959).

    The formula is usually printed with "sentences per 100 words" as its last term, a known
    slip in the original; like most tools we use words per sentence, which makes longer
    sentences score as harder, as the scale intends.
    """
    c = counts(text, "es")
    if not c.words:
        return 100.0
    return 206.84 - 60.0 * c.syllables_per_word - 1.02 * c.words_per_sentence


def spanish_ease_label(score: float) -> str:
    """The Fernández-Huerta scale's words for a score."""
    for floor, label in (
        (90, "very easy"),
        (80, "easy"),
        (70, "fairly easy"),
        (60, "standard"),
        (50, "fairly difficult"),
        (30, "difficult"),
    ):
        if score >= floor:
            return label
    return "very difficult"


def assess(text: str, language: str) -> Readability | None:
    """The reading level against the practice's limit; None for a language with no formula."""
    if language == "en":
        score = flesch_kincaid_grade(text)
        return Readability(
            language,
            "Flesch-Kincaid grade",
            score,
            ENGLISH_GRADE_LIMIT,
            score <= ENGLISH_GRADE_LIMIT,
            counts(text, language),
        )
    if language == "es":
        score = fernandez_huerta(text)
        return Readability(
            language,
            "Fernández-Huerta",
            score,
            SPANISH_EASE_LIMIT,
            score >= SPANISH_EASE_LIMIT,
            counts(text, language),
        )
    return None
