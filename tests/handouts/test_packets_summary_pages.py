"""The surgeon's history summary inside a packet: its own letter-size pages, numbered alone."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from frontdesk.services.handouts import packets
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice import settings
from tests.documents.pdfs import page_texts
from tests.handouts.packet_fixtures import PacketDay, make_packet_day


@pytest.fixture
def packet_day(home: Path, context: ServiceContext) -> PacketDay:
    return make_packet_day(context)


def test_the_summary_follows_its_packet_on_letter_pages_of_its_own(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    settings.set_setting(context, settings.PAPER_SIZE, "A4")
    batch = packets.build_packets(context, packet_day.day)
    (packet,) = [p for p in batch.packets if p.appointment_id == packet_day.spanish.id]
    assert packet.summary_included
    reader = PdfReader(io.BytesIO(packet.pdf))
    sizes = [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    ]
    texts = page_texts(packet.pdf)
    summary = [n for n, text in enumerate(texts) if "History summary for the surgeon" in text]
    assert summary == [len(texts) - 1]  # after the letter and the handouts
    # The packet on the practice's A4, the summary on letter as it always printed.
    assert sizes == [(595, 842)] * (len(texts) - 1) + [(612, 792)]
    assert "Page 1 of 1" in texts[-1] and f"Página 1 de {len(texts) - 1}" in texts[0]
    # One document (not two merged page by page): the reader still knows its language.
    assert reader.trailer["/Root"]["/Lang"] == "es"
