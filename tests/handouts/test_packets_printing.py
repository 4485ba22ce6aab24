"""Packets a practice can trust on paper: whose every page is, sheets never shared by two
patients, the request's own handout first, what to bring said once, large print per chart."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.documents import page_identity
from frontdesk.services.handouts import handout_prints, packets
from frontdesk.services.handouts.packet_data import Packet, PacketBatch, PacketOptions
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.practice import settings
from frontdesk.services.scheduling import booking
from frontdesk.services.scheduling.data import BookingForm
from tests.documents.pdfs import all_text, font_sizes, page_texts
from tests.handouts.packet_fixtures import PacketDay, change_chart, make_packet_day
from tests.scheduling.conftest import at

BLANK = "intentionally left blank"
BLANKS = (BLANK, "en blanco intencionalmente")


@pytest.fixture
def packet_day(home: Path, context: ServiceContext) -> PacketDay:
    return make_packet_day(context)


def flat(text: str) -> str:
    return " ".join(text.split())


def identity(packet: Packet) -> str:
    local = packet.starts_at.replace(tzinfo=None)
    return flat(page_identity.visit(packet.patient_name, local, packet.language).text())


def owners(batch: PacketBatch, pdf: bytes) -> list[int]:
    """For each page, the appointment whose packet it is (by the page's identifiers)."""
    found = []
    for text in page_texts(pdf):
        mine = [p.appointment_id for p in batch.packets if identity(p) in flat(text)]
        assert len(mine) == 1, text  # named, with the visit, and never two patients
        found.append(mine[0])
    return found


def test_every_page_says_whose_it_is_even_between_namesakes(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    batch = packets.build_packets(context, packet_day.day, options=PacketOptions(combined=True))
    spanish, _hostile, other = batch.packets
    # The fixture's other patient has María José's very name: only the visit tells them apart.
    assert spanish.patient_name == other.patient_name
    assert batch.combined_pdf is not None
    pages = owners(batch, batch.combined_pdf)
    assert sorted(set(pages)) == sorted(p.appointment_id for p in batch.packets)
    singles = packets.build_packets(context, packet_day.day)
    for packet in singles.packets:
        assert set(owners(singles, packet.pdf)) == {packet.appointment_id}


def test_two_sided_combined_file_never_puts_two_patients_on_one_sheet(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    assert settings.get_setting(context, settings.TWO_SIDED)  # the safe default
    batch = packets.build_packets(context, packet_day.day, options=PacketOptions(combined=True))
    assert batch.two_sided and batch.combined_pdf is not None
    texts = page_texts(batch.combined_pdf)
    pages = owners(batch, batch.combined_pdf)
    runs: list[tuple[int, int, int]] = []  # (appointment, first page, pages)
    for index, owner in enumerate(pages):
        if runs and runs[-1][0] == owner:
            runs[-1] = (owner, runs[-1][1], runs[-1][2] + 1)
        else:
            runs.append((owner, index, 1))
    assert [run[0] for run in runs] == [p.appointment_id for p in batch.packets]
    for _owner, first, count in runs:
        assert first % 2 == 0 and count % 2 == 0  # starts on a front, ends on a back
    blanks = [index for index, text in enumerate(texts) if any(b in text for b in BLANKS)]
    singles = packets.build_packets(context, packet_day.day)
    odd = [p for p in singles.packets if len(page_texts(p.pdf)) % 2]
    assert odd and len(blanks) == len(odd)  # padded exactly where a packet was odd
    for index in blanks:
        assert not any(word in texts[index] for word in ("Page ", "Página "))  # unnumbered


def test_one_sided_practice_gets_no_blank_pages(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    settings.set_setting(context, settings.TWO_SIDED, False)
    batch = packets.build_packets(context, packet_day.day, options=PacketOptions(combined=True))
    singles = packets.build_packets(context, packet_day.day)
    assert batch.combined_pdf is not None and not batch.two_sided
    assert BLANK not in all_text(batch.combined_pdf)
    assert len(page_texts(batch.combined_pdf)) == sum(
        len(page_texts(p.pdf)) for p in singles.packets
    )
    # The batch can still ask for two-sided whatever the setting (the command line does).
    forced = packets.build_packets(
        context, packet_day.day, options=PacketOptions(combined=True, two_sided=True)
    )
    assert forced.combined_pdf is not None and BLANK in all_text(forced.combined_pdf)


def test_the_requests_own_handout_comes_first(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    batch = packets.build_packets(context, packet_day.day)
    (hostile,) = [p for p in batch.packets if p.appointment_id == packet_day.hostile.id]
    given = [h.handout_id for h in hostile.handouts]
    assert given[:2] == ["preparing-for-consultation", "failed-back-syndrome"]
    others = [h.title.casefold() for h in hostile.handouts[2:]]
    assert others == sorted(others)
    # The pages follow the same order.
    text = flat(all_text(hostile.pdf))
    titles = [h.title for h in hostile.handouts]
    assert [text.index(title) for title in titles] == sorted(text.index(t) for t in titles)


def test_what_to_bring_is_listed_once(packet_day: PacketDay, context: ServiceContext) -> None:
    batch = packets.build_packets(context, packet_day.day)
    (hostile,) = [p for p in batch.packets if p.appointment_id == packet_day.hostile.id]
    text = flat(all_text(hostile.pdf))
    assert text.count("What to bring: your own list") == 1
    assert text.count("Your photo ID and insurance card") == 1
    assert text.count("A list of all the medicines you take") == 1
    assert "Please bring your 2019 operative report." in text
    # The handout's general section is replaced by the patient's own list ...
    assert "Your insurance card and a photo ID" not in text
    # ... and the letter only says where the list is.
    letter = flat(page_texts(hostile.pdf)[0])
    assert "list of what to bring is on the page “Preparing for your spine consultation”" in letter
    (spanish,) = [p for p in batch.packets if p.appointment_id == packet_day.spanish.id]
    spanish_text = flat(all_text(spanish.pdf))
    assert spanish_text.count("Su identificación con foto y su tarjeta del seguro") == 1


def test_large_print_follows_each_patients_chart(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    """Two patients of one surgeon: the chart that says large print gets a large-print
    packet, the other does not (read from the PDF's font sizes and page counts)."""
    okafor = [packet_day.clinic.okafor]
    before = packets.build_packets(context, packet_day.day, okafor)
    change_chart(context, packet_day.hostile.patient_id, large_print=True)
    batch = packets.build_packets(context, packet_day.day, okafor, PacketOptions(combined=True))
    large = {p.appointment_id: p.large_print for p in batch.packets}
    assert large == {packet_day.spanish.id: False, packet_day.hostile.id: True}
    (hostile,) = [p for p in batch.packets if p.appointment_id == packet_day.hostile.id]
    assert all(h.large_print for h in hostile.handouts)
    assert batch.combined_pdf is not None
    pages = owners(batch, batch.combined_pdf)
    first_large = pages.index(packet_day.hostile.id)
    first_regular = pages.index(packet_day.spanish.id)
    large_sizes = [size for _text, size in font_sizes(batch.combined_pdf, first_large)]
    regular_sizes = [size for _text, size in font_sizes(batch.combined_pdf, first_regular)]
    assert 16 in [round(s) for s in large_sizes] and 16 not in [round(s) for s in regular_sizes]
    # Letterhead, identifiers and footer grow too: nothing on the page under 9.5 pt.
    assert min(large_sizes) > 9.5 and min(regular_sizes) < 9.5
    # At 16 pt the chart's packet takes more pages; the other patient's is unchanged.
    after = packets.build_packets(context, packet_day.day, okafor)
    page_counts = [
        {p.appointment_id: len(page_texts(p.pdf)) for p in run.packets} for run in (before, after)
    ]
    assert page_counts[1][packet_day.hostile.id] > page_counts[0][packet_day.hostile.id]
    assert page_counts[1][packet_day.spanish.id] == page_counts[0][packet_day.spanish.id]


def test_the_batch_box_puts_everyone_in_large_print(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    change_chart(context, packet_day.hostile.patient_id, large_print=True)
    batch = packets.build_packets(context, packet_day.day, options=PacketOptions(large_print=True))
    assert batch.large_print and all(p.large_print for p in batch.packets)


def test_a_large_print_handout_given_once_does_not_make_the_packet_large(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    """The chart is the one home of large print: the last handout given is not read."""
    rendered = handout_prints.prepare(
        context, "mri-ct-scan", "en", packet_day.hostile.patient_id, large_print=True
    )
    handout_prints.record_given(context, rendered, "printer: Front")
    batch = packets.build_packets(context, packet_day.day)
    assert not any(p.large_print for p in batch.packets)


def test_a_handout_from_the_chart_defaults_to_the_charts_choice(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    patient_id = packet_day.hostile.patient_id
    assert not handout_prints.prepare(context, "mri-ct-scan", "en", patient_id).large_print
    change_chart(context, patient_id, large_print=True)
    assert handout_prints.prepare(context, "mri-ct-scan", "en", patient_id).large_print
    # The desk can still print one copy at the regular size, and without a chart it is regular.
    once = handout_prints.prepare(context, "mri-ct-scan", "en", patient_id, large_print=False)
    assert not once.large_print
    assert not handout_prints.prepare(context, "mri-ct-scan", "en", None).large_print


def test_the_letter_says_an_interpreter_is_booked_where_the_chart_says_so(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    hoa = create_patient(
        context,
        PatientForm(
            first_name="Hoa",
            last_name="Trần",
            date_of_birth="5/6/1950",
            preferred_language="Vietnamese",
            interpreter_needed=True,
        ),
        allow_duplicates=True,
    )
    follow_up = packet_day.clinic.type_id("Follow-up")
    appointment = booking.book(
        context,
        BookingForm(hoa.id, packet_day.clinic.lindqvist, follow_up, at(packet_day.day, 11, 0)),
    )
    batch = packets.build_packets(context, packet_day.day)
    for packet in batch.packets:
        letter = flat(page_texts(packet.pdf)[0])
        if packet.appointment_id == appointment.id:
            assert packet.interpreter_needed
            assert "We have booked an interpreter for your visit (Vietnamese)." in letter
        else:
            assert "interpreter for your visit" not in letter
