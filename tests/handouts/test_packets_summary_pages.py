"""The surgeon's history summaries: a file of their own, never in a patient's packet."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from frontdesk.db.models import AuditEntry
from frontdesk.services.handouts import packets
from frontdesk.services.handouts.packet_data import PacketOptions
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice import settings
from frontdesk.services.scheduling import booking
from frontdesk.services.scheduling.data import BookingForm
from tests.documents.pdfs import all_text, page_texts
from tests.handouts.packet_fixtures import HOSTILE_LAST, SPANISH_LAST, PacketDay, make_packet_day
from tests.scheduling.conftest import at

SUMMARY = "History summary for the surgeon"


@pytest.fixture
def packet_day(home: Path, context: ServiceContext) -> PacketDay:
    return make_packet_day(context)


def test_no_packet_carries_a_summary_and_the_summaries_file_does(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    settings.set_setting(context, settings.PAPER_SIZE, "A4")
    for combined in (False, True):
        batch = packets.build_packets(context, packet_day.day, options=PacketOptions(combined))
        (spanish,) = [p for p in batch.packets if p.appointment_id == packet_day.spanish.id]
        assert spanish.summary_included
        for _name, pdf in batch.packet_files():
            assert SUMMARY not in all_text(pdf)
        assert batch.summaries_pdf is not None
        texts = page_texts(batch.summaries_pdf)
        # Its pages (the blank back of a sheet too) say whose they are.
        assert all(SUMMARY in t for t in texts if "intentionally left blank" not in t)
        assert all(SPANISH_LAST in text and "DOB" in text and "Visit" in text for text in texts)
        # The MRN is in every written page's footer (the running header has the visit).
        assert all("MRN" in text for text in texts if "intentionally left blank" not in text)
        reader = PdfReader(io.BytesIO(batch.summaries_pdf))
        # On letter paper as summaries always print, whatever the packets' paper.
        assert {
            (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
        } == {(612, 792)}
        assert batch.files()[-1] == (batch.summaries_name, batch.summaries_pdf)


def test_summaries_follow_the_appointments_in_order(
    packet_day: PacketDay, context: ServiceContext, tmp_path: Path
) -> None:
    # The hostile-named patient also has a new consultation, after María José's.
    new = packet_day.clinic.type_id("New consultation")
    booking.book(
        context,
        BookingForm(
            packet_day.hostile.patient_id, packet_day.clinic.okafor, new, at(packet_day.day, 11, 0)
        ),
    )
    saved = packets.make_packets(context, packet_day.day, tmp_path / "out")
    summaries = saved.files[-1]
    texts = [t for t in page_texts(summaries.read_bytes()) if "intentionally left blank" not in t]
    firsts = [t for t in texts if "Page 1 of" in t]
    assert [SPANISH_LAST in t for t in firsts] == [True, False]
    assert HOSTILE_LAST in firsts[1]
    assert "history summaries for the surgeon" in saved.summary()
    # The audit trail says where each summary went: the summaries file, not a packet.
    with context.reading(None) as session:
        rows = (
            session.query(AuditEntry)
            .filter(AuditEntry.entity == "history_summary")
            .order_by(AuditEntry.id)
            .all()
        )
    assert len(rows) == 2
    assert all(summaries.name in str(row.details) for row in rows)


def test_without_summaries_there_is_no_summaries_file(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    batch = packets.build_packets(
        context, packet_day.day, options=PacketOptions(include_summary=False)
    )
    assert batch.summaries_pdf is None
    assert len(batch.files()) == len(batch.packets)


def test_each_summary_and_each_of_its_pages_says_which_visit_it_is_for(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    # Two new consultations on the day: the surgeon matches each summary to its line.
    new = packet_day.clinic.type_id("New consultation")
    booking.book(
        context,
        BookingForm(
            packet_day.hostile.patient_id, packet_day.clinic.okafor, new, at(packet_day.day, 11, 0)
        ),
    )
    batch = packets.build_packets(context, packet_day.day, options=PacketOptions(two_sided=True))
    assert batch.summaries_pdf is not None
    texts = [" ".join(text.split()) for text in page_texts(batch.summaries_pdf)]
    day = packet_day.day
    eight = f"Visit {day:%m/%d/%Y} 8:00 AM New consultation"
    eleven = f"Visit {day:%m/%d/%Y} 11:00 AM New consultation"
    # Every page's running identity, the blank backs of sheets too, names its visit.
    assert all((eight in text) != (eleven in text) for text in texts), texts
    assert all(SPANISH_LAST in text for text in texts if eight in text)
    assert all(HOSTILE_LAST in text for text in texts if eleven in text)
    firsts = [text for text in texts if "Page 1 of" in text]
    assert f"Appointment: {day:%a %m/%d/%Y} 8:00 AM · New consultation · " in firsts[0]
    assert "Okafor" in firsts[0].split("Appointment:")[1].split("Reason for visit")[0]
    assert "Reason for visit: Back pain" in firsts[0]
    assert f"Appointment: {day:%a %m/%d/%Y} 11:00 AM · New consultation" in firsts[1]
