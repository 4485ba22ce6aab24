"""What an operative report says about its surgery: levels, procedure, date of surgery."""

from __future__ import annotations

from datetime import date

from frontdesk.domain.document_reading import surgery_draft


def test_levels_procedure_and_date_are_read_as_reports_write_them() -> None:
    text = (
        "OPERATIVE REPORT\nDate of surgery: 03/14/2024\n"
        "Procedure: L4-5 and L5/S1 transforaminal lumbar interbody fusion (TLIF)."
    )
    draft = surgery_draft(text, today=date(2026, 12, 7))
    assert draft.levels == ("L4-L5", "L5-S1")
    assert draft.procedure == "lumbar_fusion"
    assert draft.surgery_date == "2024-03-14"


def test_an_acdf_is_told_from_a_lumbar_fusion_and_a_wrong_level_is_left_out() -> None:
    draft = surgery_draft(
        "Anterior cervical discectomy and fusion C5–C6; C8-9 not a level.", today=date(2026, 12, 7)
    )
    assert draft.levels == ("C5-C6",)
    assert draft.procedure == "acdf"
    assert draft.surgery_date == ""


def test_a_note_without_levels_or_a_known_procedure_says_nothing() -> None:
    draft = surgery_draft(
        "Operative note. Patient tolerated the procedure well.", today=date(2026, 12, 7)
    )
    assert draft.levels == () and draft.procedure == ""
