"""Screenshots of the Audit area with a morning's entries, an entry's details and an access
report. ``render(screen, folder)`` is the hook ``tools.screenshots.render_all`` calls."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from frontdesk.services.patients.edit import update_patient
from frontdesk.services.patients.lookup import get_patient, summaries_for
from frontdesk.services.patients.search import search
from frontdesk.ui.audit.area import AuditArea
from frontdesk.ui.screen_context import ScreenContext
from tools.screenshots.capture import main_window, save_grab, wait_until
from tools.screenshots.security import demo_accounts

_wait = partial(wait_until, settle=20)


def _morning(screen: ScreenContext) -> int:
    """Staff open and change a few charts; returns the chart whose report is shown."""
    signed = demo_accounts(screen.services)
    john, maria, doctor = signed["john.reed"], signed["maria.lopez"], signed["dr.okafor"]
    found = search(john, "garc", limit=4).items
    for summary in found:
        get_patient(john, summary.id)
    story = found[0]
    chart = get_patient(doctor, story.id)
    form = replace(chart.form(), mobile_phone="217-555-0186")
    update_patient(john, story.id, form, chart.version)
    get_patient(maria, story.id)
    return story.id


def render(screen: ScreenContext, folder: Path) -> list[Path]:
    """audit.png, audit-entry.png and audit-access-report.png."""
    folder.mkdir(parents=True, exist_ok=True)
    patient_id = _morning(screen)
    admin = screen.for_actor(demo_accounts(screen.services)["maria.lopez"].actor)
    window = main_window(admin)
    window.show_area("audit")
    area = window.current_area()
    assert isinstance(area, AuditArea)
    _wait(lambda: area.model.loaded_once and area.count is not None)
    written = [save_grab(window, folder / "audit.png")]

    [summary] = summaries_for(admin.services, [patient_id])
    area.set_filter(action="update", patient=summary)
    _wait(lambda: area.model.loaded_once and not area.model.is_fetching)
    area.table.selectRow(0)
    details = area.show_details()
    if details is not None:
        _wait()
        written.append(save_grab(details, folder / "audit-entry.png"))
        details.close()

    area.clear_filters()
    area.set_filter(patient=summary)
    _wait(lambda: area.model.loaded_once and not area.model.is_fetching)
    written.append(save_grab(window, folder / "audit-patient.png"))
    report = area.open_access_report()
    if report is not None:
        _wait(lambda: report.report is not None)
        written.append(save_grab(report, folder / "audit-access-report.png"))
        report.close()
    window.close()
    return written
