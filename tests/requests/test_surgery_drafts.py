"""Surgeries from the call as structured drafts the chart confirms (issue #16, 10)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from pytestqt.qtbot import QtBot

from frontdesk.db import migrate
from frontdesk.db.engine import Database
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.history_records import SurgeryForm
from frontdesk.domain.history_vocab import Procedure
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.services.history.summary import get_history, surgeon_summary_pdf
from frontdesk.services.history.surgeries import (
    add_surgery,
    set_operative_report_status,
    update_surgery,
)
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests import intake, reading
from frontdesk.services.requests.data import ReportedSurgery
from frontdesk.ui.history.dialogs import SurgeryDialog
from frontdesk.ui.history.tabs import SurgeryHistoryTab
from frontdesk.ui.runner import Runner
from frontdesk.ui.screen_context import ScreenContext
from tests.documents.pdfs import all_text
from tests.helpers.intake import type_call
from tests.requests.conftest import maria_intake
from tests.requests.test_requests_ui import open_intake

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SCENARIO_ONE = (
    ReportedSurgery("lumbar_fusion", "L4-L5", 2019),
    ReportedSurgery("", "L3-L4", "2021"),
)


def test_what_the_caller_said_becomes_structured_unconfirmed_drafts(
    context: ServiceContext,
) -> None:
    data = intake.create_request(
        context,
        maria_intake(
            prior_surgery_count=None, prior_surgery_last_year=None, surgeries=SCENARIO_ONE
        ),
    )
    assert data.prior_surgery_count == 2 and data.prior_surgery_last_year == 2021
    surgeries = sorted(get_history(context, data.patient_id).surgeries, key=lambda s: s.id)
    first, second = surgeries
    assert first.procedure is Procedure.LUMBAR_FUSION
    assert first.levels.codes() == ["L4-L5"]
    assert first.date is not None and first.date.display() == "2019"
    assert second.procedure is Procedure.OTHER and second.levels.codes() == ["L3-L4"]
    assert all(surgery.unconfirmed for surgery in surgeries)
    operative = [
        item
        for item in reading.get_request(context, data.id).checklist
        if item.kind is ChecklistKind.OPERATIVE_REPORT
    ]
    assert [item.surgery_id for item in operative] == [first.id, second.id]
    assert "L4–L5" in operative[0].description and "2019" in operative[0].description


def test_a_count_beyond_the_details_keeps_unknown_drafts(context: ServiceContext) -> None:
    data = intake.create_request(
        context, maria_intake(prior_surgery_count=3, surgeries=SCENARIO_ONE[:1])
    )
    surgeries = get_history(context, data.patient_id).surgeries
    assert len(surgeries) == 3
    assert sum(s.procedure is Procedure.LUMBAR_FUSION for s in surgeries) == 1
    assert all(s.unconfirmed for s in surgeries)


def test_unreadable_levels_are_refused_next_to_that_operation(context: ServiceContext) -> None:
    with pytest.raises(ValidationError) as refused:
        intake.create_request(
            context,
            maria_intake(surgeries=(ReportedSurgery("", "L4-L5", 2019), ReportedSurgery("", "L9"))),
        )
    assert set(refused.value.fields) == {"surgery_1_levels"}


def test_staff_confirm_a_draft_by_saving_it_and_a_report_does_not(
    context: ServiceContext,
) -> None:
    data = intake.create_request(context, maria_intake(surgeries=SCENARIO_ONE))
    draft = min(get_history(context, data.patient_id).surgeries, key=lambda s: s.id)
    noted = set_operative_report_status(
        context,
        draft.id,
        requested_on="12/01/2026",
        received_on=None,
        expected_version=draft.version,
    )
    assert noted.unconfirmed
    confirmed = update_surgery(context, draft.id, noted.form(), noted.version)
    assert not confirmed.unconfirmed
    assert confirmed.procedure is Procedure.LUMBAR_FUSION
    typed = add_surgery(context, data.patient_id, SurgeryForm(procedure=Procedure.LAMINECTOMY))
    assert not typed.unconfirmed


def test_the_surgeons_summary_marks_the_drafts(context: ServiceContext) -> None:
    data = intake.create_request(context, maria_intake(surgeries=SCENARIO_ONE))
    text = all_text(surgeon_summary_pdf(context, data.patient_id))
    assert " ".join(text.split()).count("UNCONFIRMED: AS THE CALLER SAID AT INTAKE") == 2


def test_older_intake_placeholders_migrate_as_unconfirmed(
    context: ServiceContext, database: Database
) -> None:
    data = intake.create_request(context, maria_intake())
    typed = add_surgery(context, data.patient_id, SurgeryForm(procedure=Procedure.LAMINECTOMY))
    config = migrate._config()
    try:
        with database.write_engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
        with database.write_engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if migrate.schema_status(database).state is not migrate.SchemaState.CURRENT:
            with database.write_engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
    surgeries = get_history(context, data.patient_id).surgeries
    placeholders = [s for s in surgeries if s.id != typed.id]
    assert len(placeholders) == 2 and all(s.unconfirmed for s in placeholders)
    assert not next(s for s in surgeries if s.id == typed.id).unconfirmed


@pytest.fixture
def runner(without_pdftoppm: None) -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.wait_for_idle()


def test_the_intake_form_carries_each_operation_into_the_chart_to_confirm(
    qtbot: QtBot, screen: ScreenContext, context: ServiceContext, runner: Runner
) -> None:
    dialog = open_intake(qtbot, screen)
    type_call(qtbot, dialog)
    procedure, levels, year = dialog.surgery_rows[0]
    assert not levels.isEnabled()  # until the caller says yes
    dialog.prior_surgery.setCurrentIndex(dialog.prior_surgery.findText("Yes"))
    procedure.setCurrentIndex(procedure.findText("Lumbar fusion"))
    qtbot.keyClicks(levels, "L4-5")
    qtbot.keyClicks(year, "2019")
    second_levels = dialog.surgery_rows[1][1]
    qtbot.keyClicks(second_levels, "L3-L4")
    qtbot.keyClicks(dialog.surgery_rows[1][2], "2021")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save(allow_duplicates=True)
    patient_id = saved.args[0].patient_id

    tab = SurgeryHistoryTab(context, runner, patient_id)
    qtbot.addWidget(tab)
    tab.resize(1100, 500)
    tab.show()
    qtbot.waitUntil(lambda: tab.loaded and tab.model.rowCount() == 2, timeout=10_000)
    column = [c.title for c in tab.model.columns].index("Procedure")
    texts = [str(tab.model.index(row, column).data()) for row in range(2)]
    assert all(text.startswith("UNCONFIRMED") for text in texts)
    row = next(r for r in range(2) if "fusion" in texts[r].lower())
    tab.table.selectRow(row)
    editor = tab.edit_selected()
    assert isinstance(editor, SurgeryDialog)
    assert "Unconfirmed" in editor.banner.text
    assert "L4" in editor.levels.text()
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        editor.save()
    qtbot.waitUntil(
        lambda: (
            sum(str(tab.model.index(r, column).data()).startswith("UNCONFIRMED") for r in range(2))
            == 1
        ),
        timeout=10_000,
    )
