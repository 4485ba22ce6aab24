"""The practice's clock: its zone and its today, read in one place by history, requests and
scheduling alike; on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.forms import PracticeProfileForm
from frontdesk.services.practice.profile import save_profile

# Fourteen hours ahead of UTC and eleven behind: at every moment their days differ.
KIRITIMATI = "Pacific/Kiritimati"
PAGO_PAGO = "Pacific/Pago_Pago"


def _profile(context: ServiceContext, zone: str) -> None:
    form = PracticeProfileForm(name="Prairie Spine Center", main_phone="(217) 555-0100")
    save_profile(context, replace(form, time_zone=zone), None)


@pytest.mark.parametrize("zone", [KIRITIMATI, PAGO_PAGO])
def test_today_is_the_practices_day_wherever_the_desk_is(
    context: ServiceContext, zone: str
) -> None:
    _profile(context, zone)
    expected = datetime.now(ZoneInfo(zone)).date()
    assert practice_clock.today(context) == expected
    assert practice_clock.practice_zone(context) == ZoneInfo(zone)
    with context.reading(None) as session:
        assert practice_clock.practice_today(session) == expected


def test_without_a_zone_the_computers_day_is_used(context: ServiceContext) -> None:
    _profile(context, "")
    assert practice_clock.today(context) in {
        date.today(),
        date.today() - timedelta(days=1),  # the run crossed midnight
    }
