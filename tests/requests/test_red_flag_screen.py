"""The red-flag screen as asked (issue #16, 8): whether, by whom, when, and each answer."""

from __future__ import annotations

from alembic import command
from pytestqt.qtbot import QtBot

from frontdesk.db import migrate
from frontdesk.db.engine import Database
from frontdesk.domain.request_states import RedFlag
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import intake, reading
from frontdesk.ui.requests.intake_text import intake_lines
from frontdesk.ui.screen_context import ScreenContext
from tests.helpers.intake import type_call
from tests.requests.conftest import maria_intake, open_requests_area
from tests.requests.test_requests_ui import open_intake


def test_asked_all_no_is_told_from_never_asked(context: ServiceContext) -> None:
    asked = intake.create_request(context, maria_intake(red_flags_asked=True))
    assert asked.red_flags_asked is True
    assert asked.red_flags_asked_by == "test.admin"
    assert asked.red_flags_asked_at is not None
    assert set(asked.red_flags_denied) == set(RedFlag)
    assert asked.red_flag_summary == "asked, all 4 no"
    again = intake.create_request(
        context, maria_intake(patient_id=asked.patient_id, reason="Another question")
    )
    assert again.red_flags_asked is False
    assert again.red_flags_asked_by == "" and again.red_flags_denied == ()
    assert again.red_flag_summary == "not asked"
    assert (
        "red-flag questions: not asked"
        in "\n".join(intake_lines(reading.get_request(context, again.id))).lower()
    )


def test_each_answer_is_stored(context: ServiceContext) -> None:
    all_asked = intake.create_request(
        context, maria_intake(red_flags=("saddle_numbness",), red_flags_asked=True)
    )
    assert all_asked.red_flag_answer(RedFlag.SADDLE_NUMBNESS) is True
    assert all_asked.red_flag_answer(RedFlag.BLADDER_BOWEL) is False
    assert "numbness in the groin or inner thighs: YES" in all_asked.red_flag_summary
    # One box ticked and the rest never asked: those stay unknown, not "no".
    one = intake.create_request(
        context,
        maria_intake(
            patient_id=all_asked.patient_id, red_flags=("bladder_bowel",), reason="Second call"
        ),
    )
    assert one.red_flags_asked is True
    assert one.red_flag_answer(RedFlag.BLADDER_BOWEL) is True
    assert one.red_flag_answer(RedFlag.SADDLE_NUMBNESS) is None
    assert "numbness in the groin or inner thighs: not asked" in one.red_flag_summary


def _migrate(database: Database, revision: str, *, down: bool) -> None:
    config = migrate._config()
    with database.write_engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_older_requests_are_not_recorded_unless_a_box_was_ticked(
    context: ServiceContext, database: Database
) -> None:
    plain = intake.create_request(context, maria_intake(red_flags_asked=True))
    ticked = intake.create_request(
        context,
        maria_intake(patient_id=plain.patient_id, red_flags=("bladder_bowel",), reason="Worse"),
    )
    try:
        _migrate(database, "0009", down=True)
        _migrate(database, "head", down=False)
    finally:
        if migrate.schema_status(database).state is not migrate.SchemaState.CURRENT:
            _migrate(database, "head", down=False)
    kept = reading.get_request(context, plain.id)
    assert len(kept.transitions) == 1  # the upgrade copies no table (no cascade fired)
    before = kept.request
    assert before.red_flags_asked is None
    assert before.red_flag_summary == "not recorded whether asked"
    after = reading.get_request(context, ticked.id).request
    assert after.red_flags_asked is True
    assert after.red_flags_asked_by == ticked.instruction_given_by
    assert after.red_flag_answer(RedFlag.BLADDER_BOWEL) is True
    assert after.red_flag_answer(RedFlag.SADDLE_NUMBNESS) is None


def test_the_intake_form_records_the_questions_asked_and_the_summary_says_so(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext
) -> None:
    area = open_requests_area(qtbot, screen)
    dialog = open_intake(qtbot, screen)
    dialog.saved.connect(area._saved)
    type_call(qtbot, dialog)
    dialog.red_flags.all_asked.setChecked(True)
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save(allow_duplicates=True)
    data = saved.args[0]
    assert data.red_flags_asked is True and set(data.red_flags_denied) == set(RedFlag)
    assert "Red-flag questions: asked, all 4 no" in area.banner.text
    lines = intake_lines(reading.get_request(context, data.id))
    assert any(
        line.startswith("Red-flag questions: asked, all 4 no (by test.admin") for line in lines
    )
