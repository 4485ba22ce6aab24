"""The columns of the handout library list and of a patient's handouts given."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QObject

from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts.handout_prints import PrintRecord
from frontdesk.services.handouts.library import HandoutSummary, ReviewState, review_state
from frontdesk.services.kernel.clock import DATE_TIME, clock_text, today_in
from frontdesk.ui.widgets.record_table import Column, RecordTableModel

# The library --------------------------------------------------------------------------------


def review_text(summary: HandoutSummary, today: dt.date) -> str:
    """ "Overdue (was due 01/15/2026)" / "Due soon (05/25/2027)" / "" — words, not colour
    (``today``: the practice's day)."""
    state = review_state(summary.review_due, today)
    due = f"{summary.review_due:%m/%d/%Y}"
    if state is ReviewState.OVERDUE:
        return f"Overdue (was due {due})"
    if state is ReviewState.DUE_SOON:
        return f"Due soon ({due})"
    return ""


def _library_tooltip(summary: HandoutSummary) -> str:
    origin = "the practice's own file" if summary.origin == "practice" else "shipped"
    return (
        f"{summary.summary}\nLast reviewed {summary.last_reviewed:%m/%d/%Y} by "
        f"{summary.reviewer}; review due {summary.review_due:%m/%d/%Y} ({origin})"
    ).strip()


def library_model(zone: Callable[[], dt.tzinfo], parent: QObject | None = None) -> RecordTableModel:
    """``zone`` gives the practice's zone as last read: its day says what is overdue."""

    def review(summary: HandoutSummary) -> str:
        return review_text(summary, today_in(zone()))

    return RecordTableModel(
        (
            Column("Handout", lambda s: s.title, _library_tooltip),
            Column("Language", lambda s: s.language_name),
            Column("Version", lambda s: s.version),
            Column("Review", review, warning=lambda s: bool(review(s))),
        ),
        parent=parent,
    )


# A patient's handouts given ----------------------------------------------------------------


def given_when(record: PrintRecord, zone: dt.tzinfo) -> str:
    return clock_text(record.given_at, zone, DATE_TIME)


def given_how(record: PrintRecord) -> str:
    if record.destination.startswith(handout_prints.PRINTER):
        return "Printed on " + record.destination.removeprefix(handout_prints.PRINTER)
    return "Saved as " + record.destination.removeprefix(handout_prints.SAVED)


def given_what(record: PrintRecord) -> str:
    extras = []
    if record.large_print:
        extras.append("large print")
    if record.reprint_of_id is not None:
        extras.append("reprint")
    return record.title + (f" ({', '.join(extras)})" if extras else "")


def _given_tooltip(record: PrintRecord) -> str:
    lines = [f"{record.handout_id}, version {record.version}, {record.page_size.upper()} paper"]
    if record.note:
        lines.append(f"Note: {record.note}")
    lines.append(f"Content SHA-256: {record.content_sha256[:16]}…")
    return "\n".join(lines)


def given_model(zone: Callable[[], dt.tzinfo], parent: QObject | None = None) -> RecordTableModel:
    """``zone`` gives the practice's zone as last read, for the Given column."""
    return RecordTableModel(
        (
            Column("Given", lambda r: given_when(r, zone())),
            Column("Handout", given_what, _given_tooltip),
            Column("Version", lambda r: r.version),
            Column("Language", lambda r: r.language_name),
            Column("How", given_how),
            Column("By", lambda r: r.given_by),
        ),
        parent=parent,
    )
