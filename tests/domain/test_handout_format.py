"""The handout content format: what editors write, what the parser makes of it, and errors."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.domain.handout_format import (
    SAMPLE_VALUES,
    Block,
    BlockKind,
    Box,
    BoxKind,
    Diagram,
    HandoutFormatError,
    Placeholder,
    Text,
    decode_handout,
    fill,
    inline_text,
    parse_handout,
    plain_text,
    practice_values,
)
from frontdesk.domain.request_categories import RequestCategory

HEADER = """id: spinal-stenosis
title: Spinal stenosis
language: en
version: 2
Last Reviewed: 2026-01-15
reviewer: Dr. Ana Lindqvist
review_due: 2027-01-15
categories: Spinal stenosis, failed back, neck_pain
summary: Narrow space for the nerves.
---
"""

BODY = """// a note for editors, never printed
# What is it?
The space for the nerves is *too narrow*.
This line joins the paragraph above.

## Signs
- Pain in the legs
- Numbness that goes on
  over two lines
- A star \\* and a brace \\{ stay literal

[box: When to call us]
Call {practice_name} at {phones}.

Toll free: {toll_free_phone}.
[end]
"""


def parse(body: str = BODY, header: str = HEADER) -> object:
    return parse_handout(header + body, "spinal-stenosis.en.txt")


def test_a_well_formed_file_gives_its_header_and_structure() -> None:
    handout = parse()
    assert handout.id == "spinal-stenosis"
    assert handout.title == "Spinal stenosis"
    assert handout.language == "en"
    assert handout.version == "2"
    assert handout.last_reviewed == dt.date(2026, 1, 15)
    assert handout.review_due == dt.date(2027, 1, 15)
    assert handout.reviewer == "Dr. Ana Lindqvist"
    assert handout.summary == "Narrow space for the nerves."
    assert handout.categories == (
        RequestCategory.SPINAL_STENOSIS,
        RequestCategory.FAILED_BACK,
        RequestCategory.NECK_PAIN,
    )
    kinds = [e.kind if isinstance(e, Block) else "box" for e in handout.body]
    assert kinds == [
        BlockKind.HEADING,
        BlockKind.PARAGRAPH,
        BlockKind.SUBHEADING,
        BlockKind.BULLET,
        BlockKind.BULLET,
        BlockKind.BULLET,
        "box",
    ]
    paragraph = handout.body[1]
    assert paragraph.inlines == (
        Text("The space for the nerves is "),
        Text("too narrow", emphasis=True),
        Text(". This line joins the paragraph above."),
    )
    assert inline_text(handout.body[4].inlines, {}) == "Numbness that goes on over two lines"
    assert inline_text(handout.body[5].inlines, {}) == "A star * and a brace { stay literal"
    box = handout.body[6]
    assert isinstance(box, Box)
    assert inline_text(box.title, {}) == "When to call us"
    assert Placeholder("phones") in box.blocks[0].inlines
    assert handout.headings() == ["What is it?", "Signs"]
    assert handout.placeholders() == {"practice_name", "phones", "toll_free_phone"}
    assert handout.body[1].line == 13  # lines count from the top of the file


def test_windows_line_endings_and_a_byte_order_mark_read_the_same() -> None:
    text = (HEADER + BODY).replace("\n", "\r\n")
    data = b"\xef\xbb\xbf" + text.encode("utf-8")
    handout = parse_handout(decode_handout(data, "x.txt"), "x.txt")
    assert handout.body == parse().body


def test_categories_all_means_every_request_category() -> None:
    handout = parse(
        header=HEADER.replace(
            "categories: Spinal stenosis, failed back, neck_pain", "categories: all"
        )
    )
    assert handout.categories == tuple(RequestCategory)


def test_content_hash_changes_with_any_edit() -> None:
    assert parse().content_hash != parse(BODY + "\nOne more line.\n").content_hash
    assert parse().content_hash == parse().content_hash


BROKEN = [
    (HEADER.replace("---\n", ""), 1, "three dashes"),
    (HEADER.replace("reviewer:", "reveiwer:"), 6, "unknown header field 'reveiwer'"),
    (HEADER.replace("title: Spinal stenosis\n", ""), 9, "needs 'title'"),
    (HEADER.replace("2027-01-15", "15/01/2027"), 7, "'15/01/2027' is not a date"),
    (HEADER.replace("2027-01-15", "2025-01-15"), 7, "must be after the last review"),
    (HEADER.replace("neck_pain", "neck ache"), 8, "unknown category 'neck ache'"),
    (HEADER.replace("id: spinal-stenosis", "id: Spinal Stenosis"), 1, "not a valid id"),
    (HEADER.replace("version: 2", "version: two"), 4, "not a valid version"),
    (HEADER + "title: again\n---\n", 12, "only ends the header"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BROKEN)
def test_a_broken_header_is_reported_with_line_and_reason(
    text: str, line: int, reason: str
) -> None:
    with pytest.raises(HandoutFormatError) as caught:
        parse_handout(text + BODY, "broken.en.txt")
    problems = caught.value.problems
    assert any(p.line == line and reason in p.reason for p in problems), problems
    assert all(p.file == "broken.en.txt" for p in problems)
    assert str(caught.value).startswith("broken.en.txt, line ")


def test_a_header_field_given_twice_is_reported() -> None:
    with pytest.raises(HandoutFormatError) as caught:
        parse_handout(HEADER.replace("summary:", "title: Again\nsummary:") + BODY, "x.txt")
    assert [(p.line, p.reason) for p in caught.value.problems] == [(9, "'title' is given twice")]


# Body lines start at line 11 (the header above is 10 lines).
BROKEN_BODY = [
    ("Call {fax_number} today.\n", 11, "unknown placeholder {fax_number}"),
    ("Call {main_phone today.\n", 11, "never closed with '}'"),
    ("A } alone.\n", 11, "has no matching '{'"),
    ("Some *bold words.\n", 11, "emphasis mark '*' is never closed"),
    ("# Title\n\n[box: Help]\nText\n", 13, "never closed"),
    ("Text\n[end]\n", 12, "no box is open"),
    ("[box: A]\n# Heading\n[end]\n", 12, "not headings"),
    ("### Too deep\n", 11, "use # for a heading"),
    ("#\n", 11, "heading has no words"),
    ("[bx: Help]\n", 11, "unknown instruction [bx: Help]"),
    ("[diagram: knee]\n", 11, "unknown diagram 'knee'"),
    ("[emergency: A]\n[diagram: spine]\nText\n[end]\n", 12, "not diagrams"),
    ("[box: A]\n[box: B]\nText\n[end]\n", 12, "already open (line 11)"),
    ("[box: Empty]\n[end]\n", 11, "box is empty"),
    ("-   \n", 11, "bullet has no words"),
    ("\n// only a note\n", 11, "no text after the header"),
]


@pytest.mark.parametrize(("body", "line", "reason"), BROKEN_BODY)
def test_a_broken_body_is_reported_with_line_and_reason(body: str, line: int, reason: str) -> None:
    with pytest.raises(HandoutFormatError) as caught:
        parse(body)
    assert [(p.line, reason in p.reason) for p in caught.value.problems] == [(line, True)], (
        caught.value.problems
    )


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    with pytest.raises(HandoutFormatError) as caught:
        parse("Call {nope}.\n\nSome *bold.\n", HEADER.replace("version: 2", "version: x"))
    assert [p.line for p in caught.value.problems] == [4, 11, 13]
    assert "(and 2 more problems)" in str(caught.value)


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte() -> None:
    data = (HEADER + "# Heading\nCaf").encode() + b"\xe9 latin-1\n"
    with pytest.raises(HandoutFormatError) as caught:
        decode_handout(data, "old.es.txt")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == ("old.es.txt", 12)
    assert "UTF-8" in problem.reason


@given(st.text(max_size=400))
def test_any_text_either_parses_or_is_reported_never_crashes(body: str) -> None:
    try:
        handout = parse(body)
    except HandoutFormatError as error:
        assert error.problems
        assert all(p.line >= 1 for p in error.problems)
    else:
        assert handout.body


def test_practice_values_say_the_toll_free_number_only_when_there_is_one() -> None:
    both = practice_values(
        practice_name=" Lakeside Spine ",
        main_phone="(217) 555-0142",
        toll_free_phone="(800) 555-0199",
        website="https://www.lakeside.example.com/",
        address="100 Main St\nSpringfield, IL",
    )
    assert both["phones"] == "(217) 555-0142 or toll free (800) 555-0199"
    assert both["practice_name"] == "Lakeside Spine"
    assert both["website"] == "www.lakeside.example.com"
    assert both["address"] == "100 Main St, Springfield, IL"
    spanish = practice_values(
        practice_name="X",
        main_phone="(217) 555-0142",
        toll_free_phone="(800) 555-0199",
        language="es",
    )
    assert spanish["phones"] == "(217) 555-0142 o gratis al (800) 555-0199"
    only_main = practice_values(practice_name="X", main_phone="(217) 555-0142")
    assert only_main["phones"] == "(217) 555-0142"


def test_a_paragraph_naming_an_empty_practice_detail_is_left_out() -> None:
    handout = parse()
    values = practice_values(practice_name="Lakeside", main_phone="(217) 555-0142")
    box = fill(handout, values)[-1]
    assert isinstance(box, Box)
    assert [inline_text(b.inlines, values) for b in box.blocks] == [
        "Call Lakeside at (217) 555-0142."
    ]
    with_toll_free = practice_values(
        practice_name="Lakeside", main_phone="(217) 555-0142", toll_free_phone="(800) 555-0199"
    )
    texts = [inline_text(b.inlines, {}) for b in fill(handout, with_toll_free)[-1].blocks]
    assert texts[1] == "Toll free: (800) 555-0199."


def test_a_box_whose_every_line_names_an_empty_detail_is_left_out() -> None:
    handout = parse("# Heading\nText.\n\n[box: Fax us]\nFax {fax}.\n[end]\n")
    body = fill(handout, practice_values(practice_name="X", main_phone="1"))
    assert not any(isinstance(e, Box) for e in body)


def test_plain_text_makes_each_block_a_sentence() -> None:
    text = plain_text(parse())
    assert text.splitlines()[:3] == [
        "Spinal stenosis.",
        "What is it?",
        "The space for the nerves is too narrow. This line joins the paragraph above.",
    ]
    assert "{phones}" not in text
    assert "(217) 555-0142" in text  # sample practice details stand in for placeholders


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("Failed back / failed fusion syndrome", RequestCategory.FAILED_BACK),
        ("failed_back", RequestCategory.FAILED_BACK),
        ("FAILED FUSION", RequestCategory.FAILED_BACK),
        ("  scoliosis or deformity ", RequestCategory.SCOLIOSIS_OR_DEFORMITY),
        ("Degenerative disc disease", RequestCategory.DEGENERATIVE_DISC_DISEASE),
        ("second-opinion", RequestCategory.SECOND_OPINION),
    ],
)
def test_request_categories_are_found_by_label_value_or_short_name(
    typed: str, category: RequestCategory
) -> None:
    assert RequestCategory.parse(typed) is category


def test_an_unknown_request_category_lists_the_labels() -> None:
    with pytest.raises(ValueError, match="Herniated disc; Degenerative disc disease"):
        RequestCategory.parse("sore back")
    assert [c.label for c in RequestCategory][:2] == [
        "Failed back / failed fusion syndrome",
        "Spinal stenosis",
    ]
    assert len(RequestCategory) == 10


def test_emergency_and_same_day_boxes_and_a_diagram_are_parsed_in_order() -> None:
    handout = parse_handout(
        HEADER.replace("summary:", "adapted from: The practice's own page\nsummary:")
        + """Text before.

[emergency: Call 911 or go to the emergency room if:]
- You cannot move your legs
[end]

[Same-Day: Call our office the same day if:]
- Your wound leaks
[end]

[diagram: Spine]
""",
        "x.txt",
    )
    kinds = [
        element.kind if isinstance(element, Box) else type(element).__name__
        for element in handout.body
    ]
    assert kinds == ["Block", BoxKind.EMERGENCY, BoxKind.SAME_DAY, "Diagram"]
    assert handout.adapted_from == "The practice's own page"
    diagram = handout.body[-1]
    assert isinstance(diagram, Diagram) and diagram.name == "spine"
    # Filling keeps the diagram and each box's kind; the plain text leaves the drawing out.
    filled = fill(handout, SAMPLE_VALUES)
    assert [getattr(e, "kind", None) for e in filled][1:3] == [BoxKind.EMERGENCY, BoxKind.SAME_DAY]
    assert isinstance(filled[-1], Diagram)
    assert "spine" not in plain_text(handout).lower().split("\n")[-1]
