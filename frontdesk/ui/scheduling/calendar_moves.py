"""What a calendar view asks for (book a free time, move an appointment) and how a move is
worded and sent to the scheduling service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import partial

from frontdesk.domain.errors import ValidationError
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.scheduling import booking
from frontdesk.services.scheduling.data import AppointmentData
from frontdesk.ui.runner import user_message
from frontdesk.ui.scheduling.dialog_fields import sentence


@dataclass(frozen=True)
class FreeTimeChoice:
    """A clicked (or Enter-ed) time: where a booking would start."""

    provider_id: int
    start: datetime
    # The location of the open time clicked; None outside the provider's hours.
    location_id: int | None
    # The appointment types the hours clicked take (empty: any).
    type_ids: tuple[int, ...] = ()


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
    # When the calendar it was dropped on was read (CalendarData.read_at).
    known_at: datetime

    @property
    def changes_length_only(self) -> bool:
        old = self.appointment
        return old.provider_id == self.provider_id and old.start == self.start

    @property
    def changes_anything(self) -> bool:
        old = self.appointment
        return (old.provider_id, old.start, old.end) != (self.provider_id, self.start, self.end)


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
) -> Callable[[], AppointmentData]:
    """The reschedule as a Runner call."""
    return partial(
        booking.reschedule,
        services,
        move.appointment.id,
        start=move.start,
        end=move.end,
        provider_id=move.provider_id,
        allow_outside_availability=allow_outside_availability,
        expected_version=move.appointment.version,
        known_at=move.known_at,
    )


def refusal_text(error: Exception) -> str:
    """What the calendar says when a move was refused (an overbook is asked about instead)."""
    if isinstance(error, ValidationError):
        text = "; ".join(error.fields.values()) or str(error)
        return f"Not moved. {sentence(text)}"
    return user_message(error)
