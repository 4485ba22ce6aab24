"""Reading level: syllables, sentences and the two formulas, computed offline."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from frontdesk.domain import readability
from frontdesk.domain.readability import (
    assess,
    counts,
    fernandez_huerta,
    flesch_kincaid_grade,
    sentences,
    spanish_ease_label,
    syllables,
    words,
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("spine", 1),
        ("the", 1),
        ("pain", 1),
        ("called", 1),
        ("makes", 1),
        ("doctor", 2),
        ("people", 2),
        ("simple", 2),
        ("needed", 2),
        ("changes", 2),
        ("surgery", 3),
        ("images", 3),
        ("serious", 3),
        ("diagnosis", 4),
        ("radiation", 4),
        ("radiology", 5),
        ("follow-up", 3),
    ],
)
def test_english_syllables(word: str, expected: int) -> None:
    assert syllables(word, "en") == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("y", 1),
        ("que", 1),
        ("muy", 1),
        ("hoy", 1),
        ("aire", 2),
        ("leer", 2),
        ("guerra", 2),
        ("huevo", 2),
        ("río", 2),
        ("abeja", 3),
        ("idea", 3),
        ("cuidado", 3),
        ("paciente", 3),
        ("médico", 3),
        ("oído", 3),
        ("cirugía", 4),
        ("seudoartrosis", 5),
    ],
)
def test_spanish_syllables(word: str, expected: int) -> None:
    assert syllables(word, "es") == expected


def test_sentences_end_at_stops_but_not_inside_numbers() -> None:
    text = "The scan takes 2.5 minutes. Is it loud? Yes! ¿Duele? No.\n\nA heading"
    assert len(sentences(text)) == 6
    assert words("It's a follow-up for José, age 61.") == [
        "It's",
        "a",
        "follow-up",
        "for",
        "José",
        "age",
    ]


def test_flesch_kincaid_matches_the_formula_on_a_counted_text() -> None:
    # 8 words, 2 sentences, 11 syllables (doc-tor 2, sur-ge-ry 3, the six others 1 each).
    text = "The doctor will see you. Surgery is hard."
    c = counts(text, "en")
    assert (c.words, c.sentences, c.syllables) == (8, 2, 11)
    expected = 0.39 * (8 / 2) + 11.8 * (11 / 8) - 15.59
    assert flesch_kincaid_grade(text) == pytest.approx(expected)


def test_fernandez_huerta_matches_the_formula_on_a_counted_text() -> None:
    # el, mé-di-co, ve, su, es-pal-da | la, ci-ru-gí-a, a-yu-da: 8 words, 17 syllables.
    text = "El médico ve su espalda. La cirugía ayuda."
    c = counts(text, "es")
    assert (c.words, c.sentences) == (8, 2)
    assert c.syllables == 1 + 3 + 1 + 1 + 3 + 1 + 4 + 3
    expected = 206.84 - 60 * (c.syllables / 8) - 1.02 * (8 / 2)
    assert fernandez_huerta(text) == pytest.approx(expected)


def test_harder_text_scores_as_harder_in_both_languages() -> None:
    easy_en = "Your back hurts. We can help. Call us today."
    hard_en = (
        "Postoperative radiculopathy necessitates comprehensive multidisciplinary "
        "evaluation, including electrodiagnostic investigations and advanced imaging."
    )
    assert flesch_kincaid_grade(easy_en) < 3 < 12 < flesch_kincaid_grade(hard_en)
    easy_es = "Le duele la espalda. Le vamos a ayudar. Llame hoy."
    hard_es = (
        "La radiculopatía postoperatoria necesita una evaluación multidisciplinaria "
        "exhaustiva, incluyendo investigaciones electrodiagnósticas complementarias."
    )
    assert fernandez_huerta(hard_es) < 30 < 90 < fernandez_huerta(easy_es)


def test_assess_applies_the_practice_limits() -> None:
    plain = assess("Your back hurts. We can help. Call us today.", "en")
    assert plain is not None and plain.acceptable
    assert plain.describe().startswith("Flesch-Kincaid grade ")
    hard = assess(
        "Postoperative radiculopathy necessitates comprehensive multidisciplinary evaluation.",
        "en",
    )
    assert hard is not None and not hard.acceptable
    spanish = assess("Le duele la espalda. Le vamos a ayudar.", "es")
    assert spanish is not None and spanish.acceptable
    assert "very easy" in spanish.describe()
    assert assess("Xin chào.", "vi") is None


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (95, "very easy"),
        (85, "easy"),
        (70, "fairly easy"),
        (69.9, "standard"),
        (10, "very difficult"),
    ],
)
def test_spanish_ease_scale(score: float, label: str) -> None:
    assert spanish_ease_label(score) == label


def test_works_with_no_network_and_no_caches(tmp_path: Path) -> None:
    """textstat 0.7.4+ downloads a dictionary on first use; ours must never need to."""
    script = textwrap.dedent(
        """
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network is off for this test")

        socket.socket = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        from frontdesk.domain.readability import fernandez_huerta, flesch_kincaid_grade
        print(round(flesch_kincaid_grade("The doctor will see you. Surgery is hard."), 2))
        print(round(fernandez_huerta("El médico ve su espalda. La cirugía ayuda."), 2))
        """
    )
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    english, spanish = (float(x) for x in result.stdout.split())
    assert english == pytest.approx(
        flesch_kincaid_grade("The doctor will see you. Surgery is hard."), abs=0.01
    )
    assert spanish == pytest.approx(
        fernandez_huerta("El médico ve su espalda. La cirugía ayuda."), abs=0.01
    )
    assert list(tmp_path.iterdir()) == []  # nothing downloaded or cached
    assert "textstat" not in sys.modules and "nltk" not in sys.modules
    assert readability.pyphen.__name__ == "pyphen"
