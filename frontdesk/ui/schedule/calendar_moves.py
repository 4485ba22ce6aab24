"""What a calendar view asks for (book a free time, move an appointment) and how a move is
worded and sent to the scheduling service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial

from frontdesk.domain.errors import ConflictError, SlotTakenError, ValidationError
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import appointments as scheduling
from frontdesk.services.scheduling.appointments import AppointmentData, OutsideAvailabilityError


@dataclass(frozen=True)
class FreeTimeChoice:
    """A clicked (or Enter-ed) time: where a booking would start."""

    provider_id: int
    start: datetime
    # The location of the open time clicked; None outside the provider's hours.
    location_id: int | None


@dataclass(frozen=True)
class FreeStretch:
    """The whole free stretch around a clicked time (for the waitlist)."""

    provider_id: int
    location_id: int | None
    start: datetime
    end: datetime


@dataclass(frozen=True)
class MoveRequest:
    """An appointment dropped at another time, provider or length."""

    appointment: AppointmentData
    provider_id: int
    provider_name: str
    start: datetime
    end: datetime

    @property
    def changes_length_only(self) -> bool:
        old = self.appointment
        return old.provider_id == self.provider_id and old.start == self.start

    @property
    def changes_anything(self) -> bool:
        old = self.appointment
        return (old.provider_id, old.start, old.end) != (self.provider_id, self.start, self.end)


@dataclass(frozen=True)
class MoveRefused:
    """A move the service refused, with what the screen does about it."""

    message: str
    outside_availability: bool = False
    slot_taken: bool = False
    stale: bool = False


def _when(start: datetime, end: datetime, zone: tzinfo) -> str:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return f"{local_start:%a %m/%d} {local_start:%H:%M}–{local_end:%H:%M}"


def describe_move(move: MoveRequest, zone: tzinfo) -> str:
    """The confirmation question, naming the old and the new time and provider."""
    old = move.appointment
    who = f"{old.patient_name}'s {old.type_name or 'appointment'}"
    if move.changes_length_only:
        minutes = int((move.end - move.start).total_seconds() // 60)
        return (
            f"Change the length of {who} with {old.provider_name} "
            f"({_when(old.start, old.end, zone)}) to {minutes} minutes, ending "
            f"{move.end.astimezone(zone):%H:%M}?"
        )
    return (
        f"Move {who}\nfrom {old.provider_name}, {_when(old.start, old.end, zone)}\n"
        f"to {move.provider_name}, {_when(move.start, move.end, zone)}?"
    )


def move_call(
    services: ServiceContext, move: MoveRequest, *, allow_outside_availability: bool = False
) -> Callable[[], AppointmentData | MoveRefused]:
    """The reschedule as a Runner call: refusals the screen handles come back as a
    MoveRefused result (the Runner itself only carries a message)."""
    call = partial(
        scheduling.reschedule,
        services,
        move.appointment.id,
        start=move.start,
        end=move.end,
        provider_id=move.provider_id,
        allow_outside_availability=allow_outside_availability,
        expected_version=move.appointment.version,
    )

    def run() -> AppointmentData | MoveRefused:
        try:
            return call()
        except OutsideAvailabilityError as error:
            return MoveRefused(str(error), outside_availability=True)
        except SlotTakenError as error:
            return MoveRefused(str(error), slot_taken=True)
        except ConflictError as error:
            return MoveRefused(str(error), stale=True)
        except ValidationError as error:
            text = "; ".join(error.fields.values()) or str(error)
            return MoveRefused(f"Not moved: {text}.")

    return run
