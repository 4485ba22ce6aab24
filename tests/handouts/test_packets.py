"""Pre-visit packets: what each packet says, page numbering, the print log, all or nothing."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from frontdesk.domain.progress import Cancelled
from frontdesk.services.handouts import handout_prints, packets
from frontdesk.services.handouts.packet_data import PacketOptions, SavedPackets
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice import settings
from tests.documents.pdfs import all_text, dark_share, first_page_image, page_texts
from tests.handouts.packet_fixtures import (
    HOSTILE_FIRST,
    HOSTILE_LAST,
    SPANISH_FIRST,
    SPANISH_LAST,
    PacketDay,
    make_packet_day,
)


@pytest.fixture
def packet_day(home: Path, context: ServiceContext) -> PacketDay:
    return make_packet_day(context)


def flat(text: str) -> str:
    """Text as one line: extracted lines wrap wherever the page did."""
    return " ".join(text.split())


def footer_numbers(pdf: bytes) -> list[tuple[int, int]]:
    found = []
    for text in page_texts(pdf):
        match = re.search(r"(?:Page|Página) (\d+) (?:of|de) (\d+)", text)
        assert match is not None, text
        found.append((int(match[1]), int(match[2])))
    return found


def test_each_packet_says_what_that_patient_needs(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    batch = packets.build_packets(context, packet_day.day)
    by_appointment = {packet.appointment_id: packet for packet in batch.packets}
    assert list(by_appointment) == [
        packet_day.spanish.id,
        packet_day.hostile.id,
        packet_day.other_provider.id,
    ]

    spanish = by_appointment[packet_day.spanish.id]
    text = flat(all_text(spanish.pdf))
    assert spanish.language == "es"
    assert f"{SPANISH_FIRST} {SPANISH_LAST}" in text
    assert "Su cita está confirmada" in text
    assert "12 Calle Luna" in text and "Springfield, IL 62701" in text
    assert (
        "Tenemos el informe de su resonancia magnética lumbar de mayo de 2024, pero no las "
        "imágenes: por favor traiga el disco" in text
    )
    assert "Por favor traiga el informe operatorio de su cirugía de 2021" in text
    assert "Cómo prepararse para su consulta de columna" in text
    # A new consultation has a summary for the surgeon: in the batch's own file, not here.
    assert spanish.summary_included
    assert "History summary for the surgeon" not in text
    numbers = footer_numbers(spanish.pdf)
    assert numbers == [(n, len(numbers)) for n in range(1, len(numbers) + 1)]
    assert "Página 1 de" in page_texts(spanish.pdf)[0]

    hostile = by_appointment[packet_day.hostile.id]
    text = flat(all_text(hostile.pdf))
    assert hostile.language == "en"
    assert f"Dear {HOSTILE_FIRST} {HOSTILE_LAST}," in text  # as typed: no markup, no boxes
    assert "Please bring your 2019 operative report." in text
    assert not hostile.summary_included  # a follow-up
    assert "History summary for the surgeon" not in text
    given = [h.handout_id for h in hostile.handouts]
    # "Preparing" first, then the failed-back handout itself, then the category's others
    # by title (not the general ones).
    assert given[:2] == ["preparing-for-consultation", "failed-back-syndrome"]
    assert {"pseudarthrosis", "adjacent-segment-disease"} <= set(given)
    assert "mri-ct-scan" not in given
    numbers = footer_numbers(hostile.pdf)
    assert numbers == [(n, len(numbers)) for n in range(1, len(numbers) + 1)]

    plain = by_appointment[packet_day.other_provider.id]
    assert "We have no scans or reports from other doctors for you yet" in flat(all_text(plain.pdf))
    assert [h.handout_id for h in plain.handouts] == ["preparing-for-consultation"]


def test_first_page_is_not_blank(packet_day: PacketDay, context: ServiceContext, tmp_path: Path):
    batch = packets.build_packets(context, packet_day.day, [packet_day.clinic.okafor])
    image = first_page_image(batch.packets[0].pdf)
    assert dark_share(image) > 0.01


def test_provider_filter_and_large_print(packet_day: PacketDay, context: ServiceContext) -> None:
    batch = packets.build_packets(
        context,
        packet_day.day,
        [packet_day.clinic.lindqvist],
        PacketOptions(large_print=True, note="Bring your walker, please."),
    )
    assert [p.appointment_id for p in batch.packets] == [packet_day.other_provider.id]
    text = flat(all_text(batch.packets[0].pdf))
    assert "Bring your walker, please." in text
    assert all(h.large_print for h in batch.packets[0].handouts)


def test_saving_writes_every_file_and_logs_every_handout(
    packet_day: PacketDay, context: ServiceContext, tmp_path: Path
) -> None:
    folder = tmp_path / "packets"
    saved = packets.make_packets(context, packet_day.day, folder)
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted(path.name for path in saved.files)
    # Three packets and the surgeon's summaries (one new consultation), a file apart.
    assert len(names) == 4 and not any(name.startswith(".") for name in names)
    assert "0900" in names[1] and "O'Connor & Sons _b_" in names[1]
    assert names[3].startswith("History summaries for the surgeon")

    records = handout_prints.prints_for_patient(context, packet_day.hostile.patient_id)
    hostile = next(p for p in saved.batch.packets if p.appointment_id == packet_day.hostile.id)
    assert sorted(r.handout_id for r in records) == sorted(h.handout_id for h in hostile.handouts)
    target = next(path for path in saved.files if "0900" in path.name)
    assert {r.destination for r in records} == {f"saved: {target.name}"}
    assert saved.logged == saved.batch.handout_count


def test_an_existing_file_is_never_overwritten(
    packet_day: PacketDay, context: ServiceContext, tmp_path: Path
) -> None:
    folder, only = tmp_path / "out", [packet_day.clinic.lindqvist]
    first = packets.make_packets(context, packet_day.day, folder, only)
    again = packets.make_packets(context, packet_day.day, folder, only)
    assert first.files[0].exists() and again.files[0].exists()
    assert again.files[0].name.endswith(" (2).pdf")


def test_cancel_leaves_no_file_and_no_log(
    packet_day: PacketDay, context: ServiceContext, tmp_path: Path
) -> None:
    calls = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 2  # cancel after the second packet

    with pytest.raises(Cancelled):
        packets.make_packets(context, packet_day.day, tmp_path / "out", progress=progress)
    assert calls[-1] == (2, 3)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    assert handout_prints.prints_for_patient(context, packet_day.hostile.patient_id) == []


def test_a_failed_log_leaves_no_file(
    packet_day: PacketDay,
    context: ServiceContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch = packets.build_packets(context, packet_day.day)
    real = handout_prints.record_given_in
    seen = []

    def fail_on_the_fifth(*args: object, **kwargs: object) -> object:
        seen.append(1)
        if len(seen) == 5:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(handout_prints, "record_given_in", fail_on_the_fifth)
    with pytest.raises(Exception, match="No space left"):
        packets.save_packets(context, batch, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []  # neither packets nor temporary files
    for packet in batch.packets:  # the first four rows were rolled back with the rest
        assert handout_prints.prints_for_patient(context, packet.patient_id) == []


def test_combined_pdf_numbers_each_packet_on_its_own(
    packet_day: PacketDay, context: ServiceContext, tmp_path: Path
) -> None:
    saved = packets.make_packets(
        context, packet_day.day, tmp_path / "out", options=PacketOptions(combined=True)
    )
    path, summaries = saved.files
    assert path.name.startswith("Pre-visit packets ") and "all providers" in path.name
    pdf = path.read_bytes()
    singles = packets.build_packets(context, packet_day.day)
    # Printed two-sided (the default), each packet fills whole sheets.
    assert len(page_texts(pdf)) == sum(
        len(page_texts(p.pdf)) + len(page_texts(p.pdf)) % 2 for p in singles.packets
    )
    numbered = [text for text in page_texts(pdf) if "intentionally left blank" not in text]
    starts = [n for n, text in enumerate(numbered) if re.search(r"(Page|Página) 1 (of|de)", text)]
    assert len(starts) == 3  # each packet restarts at page 1
    for packet in singles.packets:
        assert packet.patient_name in all_text(pdf)
    records = handout_prints.prints_for_patient(context, packet_day.spanish.patient_id)
    assert records and {r.destination for r in records} == {f"saved: {path.name}"}
    assert summaries.name.startswith("History summaries for the surgeon ")


def test_paper_follows_the_practice_setting(packet_day: PacketDay, context: ServiceContext) -> None:
    letter = packets.build_packets(context, packet_day.day, [packet_day.clinic.lindqvist])
    settings.set_setting(context, settings.PAPER_SIZE, "A4")
    a4 = packets.build_packets(context, packet_day.day, [packet_day.clinic.lindqvist])
    boxes = [PdfReader(io.BytesIO(b.packets[0].pdf)).pages[0].mediabox for b in (letter, a4)]
    sizes = [(round(float(box.width)), round(float(box.height))) for box in boxes]
    assert sizes == [(612, 792), (595, 842)]
    assert a4.page_size == "a4" and a4.packets[0].handouts[0].page_size == "a4"


def test_a_day_without_appointments_is_refused_plainly(
    packet_day: PacketDay, context: ServiceContext, tmp_path: Path
) -> None:
    from datetime import timedelta

    batch = packets.build_packets(context, packet_day.day + timedelta(days=1))
    assert batch.empty
    with pytest.raises(Exception, match="no appointments"):
        packets.save_packets(context, batch, tmp_path)


def test_the_saved_message_names_up_to_three_printed_in_english(
    packet_day: PacketDay, context: ServiceContext, tmp_path: Path
) -> None:
    batch = packets.build_packets(context, packet_day.day)
    one = batch.packets[0]

    def saved(*names: str) -> SavedPackets:
        fell_back = tuple(replace(one, patient_name=name, language_fallback=True) for name in names)
        return SavedPackets(replace(batch, packets=(one, *fell_back)), (tmp_path,), 0)

    assert not one.language_fallback and saved().language_note() == ""
    assert saved("Ana Lind").language_note() == (
        "In English for Ana Lind: no packet comes in their language."
    )
    assert "for Ana Lind and Bo Ek: no packet" in saved("Ana Lind", "Bo Ek").language_note()
    many = saved("A1", "B2", "C3", "D4", "E5").language_note()
    assert many == "In English for A1, B2, C3 and 2 more: no packet comes in their language."
