"""A personal note for one patient's packet: in that letter only, as typed, escaped, logged
as included (not its text), refused when too long or for an appointment without a packet;
and `frontdesk packets --note-for`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.cli.main import run
from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import ValidationError
from frontdesk.domain.handout_format import MAX_NOTE_LENGTH
from frontdesk.services.handouts import packets
from frontdesk.services.handouts.packet_data import PacketOptions
from frontdesk.services.kernel.context import ServiceContext
from tests.documents.pdfs import page_texts
from tests.handouts.packet_fixtures import SPANISH_FIRST, SPANISH_LAST, PacketDay, make_packet_day

HERS = "Traiga su andador & el informe <operatorio> de 2021, por favor."
EVERYONE = "Parking is behind the building."


@pytest.fixture
def packet_day(home: Path, context: ServiceContext) -> PacketDay:
    return make_packet_day(context)


def flat(pdf: bytes) -> str:
    """The PDF's text as one line: extracted lines wrap wherever the page did."""
    return " ".join("\n".join(page_texts(pdf)).split())


def test_a_personal_note_is_printed_in_that_patients_letter_only(
    packet_day: PacketDay, context: ServiceContext, tmp_path: Path
) -> None:
    options = PacketOptions(note=EVERYONE, personal_notes={packet_day.spanish.id: f"  {HERS}\n"})
    batch = packets.build_packets(context, packet_day.day, options=options)
    by_appointment = {packet.appointment_id: packet for packet in batch.packets}
    hers = by_appointment[packet_day.spanish.id]
    text = flat(hers.pdf)
    # As typed (markup characters printed, not parsed), in her Spanish letter, after the
    # note for everyone.
    assert "Una nota para usted: " + HERS in text
    assert text.index(EVERYONE) < text.index(HERS)
    assert hers.personal_note
    for other in (packet_day.hostile.id, packet_day.other_provider.id):
        text = flat(by_appointment[other].pdf)
        assert EVERYONE in text and "andador" not in text and "A note for you" not in text
        assert not by_appointment[other].personal_note

    saved = packets.save_packets(context, batch, tmp_path / "out")
    texts = [flat(path.read_bytes()) for path in saved.files if "History" not in path.name]
    (with_note,) = [text for text in texts if HERS in text]  # her file, not the others
    assert f"{SPANISH_FIRST} {SPANISH_LAST}" in with_note
    with context.reading(None) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.entity == "appointments"))
        logged = {
            row.entity_id: json.loads(row.details)
            for row in rows
            if "pre-visit packet" in row.details
        }
    assert logged[str(packet_day.spanish.id)]["personal_note"] is True
    assert logged[str(packet_day.hostile.id)]["personal_note"] is False
    assert "andador" not in str(logged)  # that it was there, never what it said


def test_a_personal_note_in_a_combined_file_is_on_her_pages_only(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    options = PacketOptions(combined=True, personal_notes={packet_day.hostile.id: "See you soon"})
    batch = packets.build_packets(context, packet_day.day, options=options)
    assert batch.combined_pdf is not None
    pages = [" ".join(page.split()) for page in page_texts(batch.combined_pdf)]
    with_note = [page for page in pages if "See you soon" in page]
    assert len(with_note) == 1 and "Dear O'Connor" in with_note[0]


def test_a_personal_note_too_long_or_for_no_packet_is_refused(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    too_long = PacketOptions(personal_notes={packet_day.spanish.id: "x" * (MAX_NOTE_LENGTH + 1)})
    with pytest.raises(ValidationError) as refused:
        packets.build_packets(context, packet_day.day, options=too_long)
    assert set(refused.value.fields) == {"personal_notes"}
    assert str(packet_day.spanish.id) in refused.value.fields["personal_notes"]
    just_fits = PacketOptions(personal_notes={packet_day.spanish.id: "x" * MAX_NOTE_LENGTH})
    packets.check_options(just_fits, "letter")

    # Okafor's run has no packet for Lindqvist's patient: the note is not silently dropped.
    stray = PacketOptions(personal_notes={packet_day.other_provider.id: "Hello"})
    with pytest.raises(ValidationError) as refused:
        packets.build_packets(context, packet_day.day, [packet_day.clinic.okafor], options=stray)
    assert "gets no packet" in refused.value.fields["personal_notes"]

    with pytest.raises(ValidationError) as refused:
        packets.check_personal_note("y" * (MAX_NOTE_LENGTH + 1))
    assert set(refused.value.fields) == {"personal_note"}


def test_packets_command_note_for_one_appointment(
    packet_day: PacketDay,
    current_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["--database", current_url, "packets", "--date", packet_day.day.isoformat()]
    out = tmp_path / "each"
    hers = f"{packet_day.spanish.id}={HERS}"
    code = run([*base, "--provider", "Okafor", "-o", str(out), "--note-for", hers])
    assert code == 0, capsys.readouterr().err
    texts = {
        path.name: flat(path.read_bytes())
        for path in out.glob("*.pdf")
        if "History" not in path.name
    }
    assert [SPANISH_LAST[:4] in name for name, text in texts.items() if HERS in text] == [True]
    capsys.readouterr()

    for bad in ("12", "x=Hello", f"{packet_day.spanish.id}="):
        assert run([*base, "-o", str(tmp_path / "x"), "--note-for", bad]) == 2
        err = capsys.readouterr().err
        assert "APPOINTMENT_ID=TEXT" in err and len(err.strip().splitlines()) == 1
    twice = f"{packet_day.spanish.id}=a"
    assert run([*base, "-o", str(tmp_path / "x"), "--note-for", twice, "--note-for", twice]) == 2
    assert "given twice" in capsys.readouterr().err
    stray = f"{packet_day.other_provider.id}=Hello"
    assert run([*base, "--provider", "Okafor", "-o", str(tmp_path / "x"), "--note-for", stray]) == 2
    err = capsys.readouterr().err
    assert "gets no packet" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_notes_of_the_longest_length_in_large_print_continue_on_the_next_page(
    packet_day: PacketDay, context: ServiceContext
) -> None:
    """1500 characters at 16 pt, typed on many lines, are taller than a page: the note
    flows on to the next, never a crash."""
    line = "Traiga la lista de sus medicinas.\n"
    long_note = (line * 44)[: MAX_NOTE_LENGTH - 4].rstrip() + " FIN"
    shared = ("Parking is behind the building. " * 50)[:MAX_NOTE_LENGTH]
    options = PacketOptions(
        large_print=True, note=shared, personal_notes={packet_day.spanish.id: long_note}
    )
    batch = packets.build_packets(context, packet_day.day, options=options)
    hers = next(p for p in batch.packets if p.appointment_id == packet_day.spanish.id)
    text = flat(hers.pdf)
    assert "Una nota para usted:" in text and text.count("sus medicinas") >= 40
    assert " FIN" in text
