"""Where things go in a calendar view: columns, the time axis, appointment boxes, hit tests.

Positions follow the practice's wall clock: a column is one provider on one day, and a
minute of the day (08:00 is 480) maps to the same height on every day, so a week that
crosses a daylight-saving change still lines up. Everything here is arithmetic over one
view's data (a day or a week): cheap enough to redo on every resize.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from PySide6.QtCore import QPointF, QRectF

from frontdesk.domain.scheduling import Interval, OpenTime, local_moment, minutes_to_time, subtract
from frontdesk.services.scheduling.data import AppointmentData, AwayTime, CalendarData

AXIS_WIDTH = 58.0
PIXELS_PER_MINUTE = 1.6
DEFAULT_FIRST_MINUTE = 7 * 60
DEFAULT_LAST_MINUTE = 19 * 60
SNAP_MINUTES = 15
MIN_COLUMN_WIDTH = 150.0
BOX_MARGIN = 3.0
# The lower edge of a box a drag resizes instead of moves.
RESIZE_GRIP = 6.0
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class ProviderDay:
    """One column of the calendar: one provider on one day (a day view has one per
    provider, a week view one per day)."""

    index: int
    provider_id: int
    day: date
    title: str


@dataclass(frozen=True)
class AppointmentBox:
    appointment: AppointmentData
    column: ProviderDay
    rect: QRectF
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class ShadedTime:
    """Open time or time away, placed in its column."""

    column: ProviderDay
    rect: QRectF
    item: OpenTime | AwayTime


def wall_minute(moment: datetime, day: date, zone: tzinfo) -> int:
    """Minutes after ``day``'s midnight on the wall clock (negative or past 1440 when the
    moment is on another day)."""
    local = moment.astimezone(zone)
    return (local.date() - day).days * DAY_MINUTES + local.hour * 60 + local.minute


def snap(minute: float, step: int = SNAP_MINUTES) -> int:
    return int(round(minute / step) * step)


def floor_to(minute: float, step: int = SNAP_MINUTES) -> int:
    return int(math.floor(minute / step) * step)


def visible_days(data: CalendarData) -> list[date]:
    """The days a view shows: every day of a day view; in a week, the weekend only when
    someone works, is away or is booked then."""
    days = [data.first_day + timedelta(days=offset) for offset in range(data.days)]
    if data.days == 1:
        return days
    used = {item.start.astimezone(data.zone).date() for item in data.open_times}
    used |= {item.start.astimezone(data.zone).date() for item in data.appointments}
    return [day for day in days if day.weekday() < 5 or day in used]


def columns_for(data: CalendarData) -> list[ProviderDay]:
    """One column per provider in a day view, one per day in a week view (one provider)."""
    if data.days == 1:
        return [
            ProviderDay(
                index, provider_id, data.first_day, data.provider_names.get(provider_id, "")
            )
            for index, provider_id in enumerate(data.provider_ids)
        ]
    provider_id = data.provider_ids[0] if data.provider_ids else 0
    return [
        ProviderDay(index, provider_id, day, f"{day:%a %m/%d}")
        for index, day in enumerate(visible_days(data))
    ]


class CalendarLayout:
    """The geometry of one view at one width: what is where, and what is at a point."""

    def __init__(self, data: CalendarData, width: float, *, show_cancelled: bool) -> None:
        self.data = data
        self.zone = data.zone
        self.columns = columns_for(data)
        self.show_cancelled = show_cancelled
        count = max(1, len(self.columns))
        self.column_width = max(MIN_COLUMN_WIDTH, (width - AXIS_WIDTH) / count)
        self._by_key = {(column.provider_id, column.day): column for column in self.columns}
        self.first_minute, self.last_minute = self._time_range()
        self.open_times = self._shaded(data.open_times)
        self.away = self._shaded(data.away)
        self.boxes = self._boxes()

    # The axis ----------------------------------------------------------------------------

    @property
    def width(self) -> float:
        return AXIS_WIDTH + self.column_width * max(1, len(self.columns))

    @property
    def height(self) -> float:
        return (self.last_minute - self.first_minute) * PIXELS_PER_MINUTE + 1

    def y_of(self, minute: float) -> float:
        return (minute - self.first_minute) * PIXELS_PER_MINUTE

    def minute_at(self, y: float) -> float:
        return self.first_minute + y / PIXELS_PER_MINUTE

    def column_x(self, column: ProviderDay) -> float:
        return AXIS_WIDTH + column.index * self.column_width

    def column_rect(self, column: ProviderDay) -> QRectF:
        return QRectF(self.column_x(column), 0, self.column_width, self.height)

    def column_at(self, x: float) -> ProviderDay | None:
        if x < AXIS_WIDTH:
            return None
        index = int((x - AXIS_WIDTH) // self.column_width)
        return self.columns[index] if 0 <= index < len(self.columns) else None

    def column_for(self, provider_id: int, day: date) -> ProviderDay | None:
        return self._by_key.get((provider_id, day))

    def moment(self, column: ProviderDay, minute: int) -> datetime:
        """The moment at ``minute`` of the column's day on the practice's wall clock."""
        day = column.day + timedelta(days=minute // DAY_MINUTES)
        return local_moment(day, minutes_to_time(minute % DAY_MINUTES), self.zone)

    def _time_range(self) -> tuple[int, int]:
        first, last = DEFAULT_FIRST_MINUTE, DEFAULT_LAST_MINUTE
        for start, end, column in self._placed_spans():
            if column is None:
                continue
            first = min(first, max(0, start // 60 * 60))
            last = max(last, min(DAY_MINUTES, -(-end // 60) * 60))
        return first, last

    def _placed_spans(self) -> list[tuple[int, int, ProviderDay | None]]:
        spans = []
        for item in (*self.data.open_times, *self._shown_appointments()):
            column = self._column_of(item.provider_id, item.start)
            if column is not None:
                spans.append(
                    (
                        wall_minute(item.start, column.day, self.zone),
                        wall_minute(item.end, column.day, self.zone),
                        column,
                    )
                )
        return spans

    # What goes where ---------------------------------------------------------------------

    def _column_of(self, provider_id: int, start: datetime) -> ProviderDay | None:
        day = start.astimezone(self.zone).date()
        if self.data.days == 1:
            day = self.data.first_day
        return self.column_for(provider_id, day)

    def _vertical(self, column: ProviderDay, start: datetime, end: datetime) -> tuple[float, float]:
        top = max(self.first_minute, wall_minute(start, column.day, self.zone))
        bottom = min(self.last_minute, wall_minute(end, column.day, self.zone))
        return self.y_of(top), self.y_of(max(top, bottom))

    def _shaded(self, items: tuple[OpenTime, ...] | tuple[AwayTime, ...]) -> list[ShadedTime]:
        result = []
        for item in items:
            for column in self.columns:
                if column.provider_id != item.provider_id:
                    continue
                top, bottom = self._vertical(column, item.start, item.end)
                if bottom > top:
                    rect = QRectF(self.column_x(column), top, self.column_width, bottom - top)
                    result.append(ShadedTime(column, rect, item))
        return result

    def _shown_appointments(self) -> list[AppointmentData]:
        return [item for item in self.data.appointments if self.show_cancelled or item.holds_time]

    def _boxes(self) -> list[AppointmentBox]:
        per_column: dict[int, list[tuple[int, int, AppointmentData]]] = {}
        for item in self._shown_appointments():
            column = self._column_of(item.provider_id, item.start)
            if column is None:
                continue
            start = wall_minute(item.start, column.day, self.zone)
            end = max(start + 1, wall_minute(item.end, column.day, self.zone))
            per_column.setdefault(column.index, []).append((start, end, item))
        boxes = []
        for index, items in per_column.items():
            column = self.columns[index]
            for lane, lanes, (start, end, item) in _lanes(items):
                width = (self.column_width - 2 * BOX_MARGIN) / lanes
                x = self.column_x(column) + BOX_MARGIN + lane * width
                top, bottom = self.y_of(start), self.y_of(end)
                rect = QRectF(x, top + 1, width - 1, max(8.0, bottom - top - 2))
                boxes.append(AppointmentBox(item, column, rect, start, end))
        # Active appointments last, so they are drawn over (and hit before) cancelled ones.
        boxes.sort(key=lambda box: (box.appointment.holds_time, box.start_minute))
        return boxes

    # Hit tests ---------------------------------------------------------------------------

    def box_at(self, point: QPointF) -> AppointmentBox | None:
        for box in reversed(self.boxes):
            if box.rect.contains(point):
                return box
        return None

    def box_for(self, appointment_id: int) -> AppointmentBox | None:
        return next((box for box in self.boxes if box.appointment.id == appointment_id), None)

    def boxes_at(self, column: ProviderDay, minute: int) -> list[AppointmentBox]:
        return [
            box
            for box in self.boxes
            if box.column == column and box.start_minute <= minute < box.end_minute
        ]

    def open_time_at(self, column: ProviderDay, moment: datetime) -> OpenTime | None:
        for shaded in self.open_times:
            item = shaded.item
            if (
                shaded.column == column
                and isinstance(item, OpenTime)
                and item.start <= moment < item.end
            ):
                return item
        return None

    def away_at(self, column: ProviderDay, moment: datetime) -> AwayTime | None:
        for shaded in self.away:
            item = shaded.item
            if shaded.column == column and item.start <= moment < item.end:
                return item  # type: ignore[return-value]
        return None

    def free_interval_at(
        self, column: ProviderDay, moment: datetime
    ) -> tuple[Interval, int] | None:
        """The free stretch of open time around ``moment`` and its location, or None when
        the moment is booked or outside the provider's hours."""
        open_time = self.open_time_at(column, moment)
        if open_time is None:
            return None
        busy = [
            Interval(item.start, item.end)
            for item in self.data.appointments
            if item.holds_time and item.provider_id == column.provider_id
        ]
        for part in subtract([open_time.interval], busy):
            if part.start <= moment < part.end:
                return part, open_time.location_id
        return None


def _lanes(
    items: list[tuple[int, int, AppointmentData]],
) -> list[tuple[int, int, tuple[int, int, AppointmentData]]]:
    """Side-by-side lanes for overlapping boxes (a cancelled visit under its replacement):
    each item with its lane and the lane count of its cluster of overlaps."""
    result: list[tuple[int, int, tuple[int, int, AppointmentData]]] = []
    cluster: list[tuple[int, tuple[int, int, AppointmentData]]] = []
    lane_ends: list[int] = []
    cluster_end = -1

    def close() -> None:
        result.extend((lane, len(lane_ends), item) for lane, item in cluster)

    for item in sorted(items, key=lambda entry: (entry[0], -entry[1], entry[2].id)):
        start, end, _ = item
        if start >= cluster_end and cluster:
            close()
            cluster, lane_ends = [], []
        lane = next((i for i, lane_end in enumerate(lane_ends) if lane_end <= start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        cluster.append((lane, item))
        cluster_end = max(cluster_end, end) if cluster_end > start else end
    if cluster:
        close()
    return result
