"""Spinal levels: what staff type becomes the right segments, and impossible levels are refused."""

from __future__ import annotations

from itertools import pairwise
from random import Random

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.history_vocab import BodyRegion
from frontdesk.domain.spinal_levels import (
    ACCEPTED_FORMS,
    EMPTY,
    InvalidLevels,
    Level,
    LevelSet,
    Segment,
    Vertebra,
    format_levels,
    level_codes,
    parse_levels,
    spinal_regions,
)
from tests.domain.history_strategies import level_sets, levels, vertebra_pairs, vertebrae

V = Vertebra


def codes(text: str) -> list[str]:
    return parse_levels(text).codes()


def test_the_picker_offers_c1_to_s1_in_anatomical_order() -> None:
    expected = (
        [f"C{n}" for n in range(1, 8)]
        + [f"T{n}" for n in range(1, 13)]
        + [f"L{n}" for n in range(1, 6)]
        + ["S1"]
    )
    assert [str(v) for v in Vertebra] == expected
    assert sorted(Vertebra, key=lambda v: v.sort_position) == list(Vertebra)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("L4-S1", ["L4-L5", "L5-S1"]),
        ("L4–L5, L5–S1", ["L4-L5", "L5-S1"]),
        ("L4–L5; L5–S1", ["L4-L5", "L5-S1"]),
        ("C5-6", ["C5-C6"]),
        ("l4/5", ["L4-L5"]),
        ("L4/L5", ["L4-L5"]),
        ("L4 L5", ["L4-L5"]),
        ("L5S1", ["L5-S1"]),
        ("L4", ["L4"]),
        ("S1-L4", ["L4-L5", "L5-S1"]),
        ("C7-T1", ["C7-T1"]),
        ("T12-L1", ["T12-L1"]),
        ("L3-4-5", ["L3-L4", "L4-L5"]),
        ("L4 to S1", ["L4-L5", "L5-S1"]),
        ("  c3 — c5 ", ["C3-C4", "C4-C5"]),
        ("L 4 - 5", ["L4-L5"]),
        ("T12, L1", ["T12", "L1"]),
        ("L1 and L2", ["L1", "L2"]),
        ("C5-6, L4-5", ["C5-C6", "L4-L5"]),
        ("L4-L5,", ["L4-L5"]),
    ],
)
def test_typed_levels_become_structured_segments(typed: str, expected: list[str]) -> None:
    assert codes(typed) == expected


def test_duplicates_are_kept_once_in_anatomical_order() -> None:
    assert codes("L5-S1, l4/5, L4-L5, L4–5") == ["L4-L5", "L5-S1"]
    assert codes("L5-S1, C5-6") == ["C5-C6", "L5-S1"]


def test_blank_text_means_no_levels() -> None:
    assert parse_levels("") == EMPTY
    assert parse_levels("   ") == EMPTY
    assert not EMPTY
    assert EMPTY.text() == ""
    assert EMPTY.codes() == []


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("L6", "L6"),
        ("C8", "C8"),
        ("T13", "T13"),
        ("S2-S3", "S2"),
        ("L4-L4", "L4"),
        ("C7-1", "C7-T1"),
        ("L5-4", "L5-S1"),
        ("L3-L5-L4", "L3-L5"),
        ("fusion", "fusion"),
        ("L4-", "L4-"),
        ("Co1", "CO1"),
        ("C0", "C0"),
        ("5-6", "L4-5"),
        ("L4-5 with transitional S1", "transitional"),
    ],
)
def test_impossible_levels_are_refused_with_the_accepted_forms(typed: str, named: str) -> None:
    with pytest.raises(InvalidLevels) as refused:
        parse_levels(typed)
    message = str(refused.value)
    assert named.upper() in message.upper()
    assert message.endswith(ACCEPTED_FORMS)
    assert '"L4-S1"' in message
    assert '"C5-6"' in message
    # Services catch every typed-value error the same way.
    assert isinstance(refused.value, InvalidValue)


def test_refusals_say_what_the_real_range_is() -> None:
    with pytest.raises(InvalidLevels, match="L1–L5"):
        parse_levels("L6")
    with pytest.raises(InvalidLevels, match="nerve root"):
        parse_levels("C8")
    with pytest.raises(InvalidLevels, match="T1–T12"):
        parse_levels("T13")
    with pytest.raises(InvalidLevels, match="below S1"):
        parse_levels("S2-S3")


def test_one_bad_item_refuses_the_whole_text() -> None:
    with pytest.raises(InvalidLevels, match="L6"):
        parse_levels("L4-L5, L6")


def test_junction_segments_cross_regions() -> None:
    assert Segment.between(V.C7, V.T1).regions == (BodyRegion.CERVICAL, BodyRegion.THORACIC)
    assert Segment.between(V.T12, V.L1).regions == (BodyRegion.THORACIC, BodyRegion.LUMBAR)
    assert Segment.between(V.S1, V.L5).regions == (BodyRegion.LUMBAR, BodyRegion.SACRAL)
    assert spinal_regions(parse_levels("L4-S1")) == (BodyRegion.LUMBAR, BodyRegion.SACRAL)
    assert spinal_regions(parse_levels("L1, C5-6")) == (BodyRegion.CERVICAL, BodyRegion.LUMBAR)
    assert spinal_regions(EMPTY) == ()


def test_a_segment_is_two_adjacent_vertebrae() -> None:
    with pytest.raises(InvalidLevels, match="not adjacent"):
        Segment.between(V.L3, V.L5)
    with pytest.raises(InvalidLevels, match="lowest"):
        Segment(V.S1)
    assert Segment(V.L4).lower is V.L5
    assert str(Segment(V.L4)) == "L4–L5"
    assert Segment(V.L4).code() == "L4-L5"


def test_text_joins_contiguous_runs_and_keeps_the_rest_apart() -> None:
    assert format_levels(parse_levels("L4-L5, L5-S1")) == "L4–S1"
    assert format_levels(parse_levels("L3-4, L5-S1")) == "L3–L4, L5–S1"
    assert format_levels(parse_levels("L5-S1, C5-6, C6-7")) == "C5–C7, L5–S1"
    assert format_levels(parse_levels("T12, L1")) == "T12, L1"
    assert format_levels(parse_levels("L1, L4-S1, L5")) == "L1, L4–S1, L5"
    assert parse_levels("L4-S1").text(dash="-") == "L4-S1"


def test_the_json_list_form_names_every_segment() -> None:
    assert level_codes(parse_levels("L4–S1")) == ["L4-L5", "L5-S1"]
    assert LevelSet.from_codes(["L5-S1", "L4-L5"]) == parse_levels("L4-S1")
    assert LevelSet.from_codes([]) == EMPTY


def test_the_list_form_takes_one_level_per_item() -> None:
    with pytest.raises(InvalidLevels, match="not one level"):
        LevelSet.from_codes(["L4-S1"])


def test_a_level_set_only_holds_levels() -> None:
    with pytest.raises(TypeError):
        LevelSet(("L4-L5",))  # type: ignore[arg-type]


def test_segments_and_vertebrae_are_told_apart() -> None:
    mixed = parse_levels("L1, L4-L5")
    assert mixed.vertebrae == (V.L1,)
    assert mixed.segments == (Segment(V.L4),)
    assert (parse_levels("L1") | parse_levels("L4-5")) == mixed


# Properties ------------------------------------------------------------------------------


@given(level_sets)
def test_reading_the_text_back_gives_the_same_levels(value: LevelSet) -> None:
    assert parse_levels(value.text()) == value
    assert parse_levels(value.text(dash="-")) == value
    assert parse_levels(value.text().lower()) == value


@given(level_sets)
def test_reading_the_list_form_back_gives_the_same_levels(value: LevelSet) -> None:
    assert LevelSet.from_codes(value.codes()) == value
    assert parse_levels("; ".join(value.codes())) == value


@given(st.lists(levels, max_size=8), st.randoms())
def test_order_and_repeats_do_not_matter(items: list[Level], random: Random) -> None:
    shuffled = list(items) * 2
    random.shuffle(shuffled)
    assert LevelSet(tuple(shuffled)) == LevelSet(tuple(items))
    positions = [level.sort_position for level in LevelSet(tuple(items))]
    assert positions == sorted(set(positions))


@given(vertebra_pairs())
@example((V.L4, V.S1))
@example((V.C7, V.T1))
def test_a_range_is_every_adjacent_segment_between_its_ends(pair: tuple[Vertebra, ...]) -> None:
    first, last = pair
    forward = parse_levels(f"{first}-{last}")
    assert parse_levels(f"{last}-{first}") == forward
    assert parse_levels(f"{last}–{first}") == forward
    assert parse_levels(f"{first} {last}") == forward
    assert forward == LevelSet.span(first, last)
    segments = forward.segments
    assert forward.vertebrae == ()
    assert len(segments) == abs(last - first)
    assert all(segment.lower - segment.upper == 1 for segment in segments)
    assert all(a.lower == b.upper for a, b in pairwise(segments))
    assert segments[0].upper == min(first, last)
    assert segments[-1].lower == max(first, last)
    assert forward.text() == f"{min(first, last)}–{max(first, last)}"


@given(vertebra_pairs())
def test_shorthand_means_the_same_region(pair: tuple[Vertebra, ...]) -> None:
    upper, lower = sorted(pair)
    if upper.region is not lower.region:
        return
    letter = upper.name[0]
    assert parse_levels(f"{letter}{upper.number}-{lower.number}") == parse_levels(
        f"{upper}-{lower}"
    )
    assert parse_levels(f"{letter.lower()}{upper.number}/{lower.number}") == parse_levels(
        f"{upper}-{lower}"
    )


@given(vertebrae)
def test_a_single_vertebra_stays_a_vertebra(vertebra: Vertebra) -> None:
    parsed = parse_levels(str(vertebra))
    assert parsed.levels == (vertebra,)
    assert parsed.regions() == {vertebra.region}
    with pytest.raises(InvalidLevels):
        parse_levels(f"{vertebra}-{vertebra}")


@given(level_sets)
def test_regions_are_the_regions_of_every_vertebra_touched(value: LevelSet) -> None:
    touched = set(value.vertebrae)
    for segment in value.segments:
        touched |= {segment.upper, segment.lower}
    assert value.regions() == {v.region for v in touched}
    assert list(value.ordered_regions()) == [r for r in BodyRegion if r in value.regions()]


@given(st.text(max_size=30))
@example("L4--L5")
@example("L4-L5-")
@example("ÿ4")
@example("L99999999999999999999")
def test_any_text_is_either_levels_or_a_clear_refusal(text: str) -> None:
    try:
        parsed = parse_levels(text)
    except InvalidLevels as refused:
        assert str(refused).endswith(ACCEPTED_FORMS)
    else:
        assert parse_levels(parsed.text()) == parsed


@given(st.sampled_from(["L", "C", "T", "S"]), st.integers(min_value=0, max_value=40))
def test_only_real_vertebrae_are_accepted(letter: str, number: int) -> None:
    real = {"C": 7, "T": 12, "L": 5, "S": 1}[letter]
    if 1 <= number <= real:
        assert parse_levels(f"{letter}{number}").levels == (Vertebra[f"{letter}{number}"],)
    else:
        with pytest.raises(InvalidLevels):
            parse_levels(f"{letter}{number}")
