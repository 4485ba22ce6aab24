"""Today on the practice's clock for a screen: its zone read once, when first needed."""

from __future__ import annotations

from datetime import date, tzinfo

from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.kernel.context import ServiceContext


class PracticeDay:
    """Call it for the practice's day (not the computer's: a desk in another zone, or near
    midnight, is on another day). The zone is read on the first call, not when the screen
    is built (cold start does not wait for it), and kept; each call is the day at that moment.
    """

    def __init__(self, services: ServiceContext) -> None:
        self.services = services
        self.zone: tzinfo | None = None

    def __call__(self) -> date:
        if self.zone is None:
            self.zone = practice_clock.practice_zone(self.services)
        return practice_clock.today_in(self.zone)
