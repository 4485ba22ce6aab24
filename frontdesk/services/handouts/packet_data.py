"""The plain data of a packet run: its options, the packets, the batch, what was saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from frontdesk.domain.plurals import counted
from frontdesk.domain.what_to_bring import WhatToBring
from frontdesk.services.handouts.handout_prints import RenderedHandout


@dataclass(frozen=True)
class PacketOptions:
    combined: bool = False  # one PDF for the printer instead of one per patient
    # Every packet in large print; otherwise a patient's is when the chart says so
    # (the patient form's "Prints in large print").
    large_print: bool = False
    note: str = ""  # printed in every letter of the batch
    # A note for one patient, by appointment id: printed in that patient's letter only, as
    # typed (in the letter's language), below the note for everyone.
    personal_notes: Mapping[int, str] = field(default_factory=dict)
    page_size: str | None = None  # None: the practice's paper (Admin)
    # The surgeon's history summaries of new consultations, as a file of their own.
    include_summary: bool = True
    two_sided: bool | None = None  # None: the practice's setting (Admin)


@dataclass(frozen=True)
class Packet:
    """One patient's packet, rendered."""

    appointment_id: int
    patient_id: int
    patient_name: str
    starts_at: dt.datetime  # local time
    language: str
    # True when the chart prefers a language no packet comes in (English is printed).
    language_fallback: bool
    file_name: str
    handouts: tuple[RenderedHandout, ...]
    summary_included: bool  # in the batch's summaries file, never in the packet
    what_to_bring: WhatToBring
    pdf: bytes = field(repr=False, default=b"")  # empty in a combined batch
    large_print: bool = False
    interpreter_needed: bool = False  # the chart says so: the letter says one is booked
    personal_note: bool = False  # the letter carries a note for this patient alone


@dataclass(frozen=True)
class PacketBatch:
    day: dt.date
    provider_ids: tuple[int, ...] | None
    packets: tuple[Packet, ...]
    page_size: str
    large_print: bool
    combined_pdf: bytes | None = field(repr=False, default=None)
    combined_name: str = ""
    # The surgeon's history summaries (new consultations), in appointment order.
    summaries_pdf: bytes | None = field(repr=False, default=None)
    summaries_name: str = ""
    two_sided: bool = False

    @property
    def empty(self) -> bool:
        return not self.packets

    def packet_files(self) -> list[tuple[str, bytes]]:
        """(file name, PDF) of the packets: the combined file, or one per patient."""
        if self.combined_pdf is not None:
            return [(self.combined_name, self.combined_pdf)]
        return [(packet.file_name, packet.pdf) for packet in self.packets]

    @property
    def handout_count(self) -> int:
        return sum(len(packet.handouts) for packet in self.packets)

    def files(self) -> list[tuple[str, bytes]]:
        """(file name, PDF) of every file this batch saves: the packets, then the
        summaries for the surgeon."""
        files = self.packet_files()
        if self.summaries_pdf is not None:
            files.append((self.summaries_name, self.summaries_pdf))
        return files


# The save message names this many patients printed in English, then counts the rest.
FALLBACK_NAMES_SHOWN = 3


@dataclass(frozen=True)
class SavedPackets:
    batch: PacketBatch
    files: tuple[Path, ...]
    logged: int  # handouts recorded in the print log

    def summary(self) -> str:
        count = len(self.batch.packets)
        where = str(self.files[0]) if len(self.files) == 1 else str(self.files[0].parent)
        text = f"Saved {counted(count, 'packet')} ({self.logged} handouts recorded in the charts)"
        summaries = sum(1 for packet in self.batch.packets if packet.summary_included)
        if summaries:
            text += (
                f" and {counted(summaries, 'history summary', 'history summaries')} "
                "for the surgeon, in a file of their own,"
            )
        return f"{text} to {where}"

    def language_note(self) -> str:
        """Who got English because no packet comes in their language ("" when nobody)."""
        names = [packet.patient_name for packet in self.batch.packets if packet.language_fallback]
        if not names:
            return ""
        shown = names[:FALLBACK_NAMES_SHOWN]
        rest = len(names) - len(shown)
        if rest:
            who = ", ".join(shown) + f" and {rest} more"
        elif len(shown) > 1:
            who = ", ".join(shown[:-1]) + f" and {shown[-1]}"
        else:
            who = shown[0]
        return f"In English for {who}: no packet comes in their language."


@dataclass(frozen=True)
class PacketPatient:
    """One row of the day's list in the packets dialog: who gets a packet, and in what."""

    id: int  # the appointment's: a personal note is keyed by it
    patient_id: int
    patient_name: str  # as the packet prints it: "María José Núñez-García"
    listed_name: str  # as the app's lists show it: "Núñez-García, María José"
    starts_at: dt.datetime  # local time
    provider_name: str
    language: str  # the packet's: "en" or "es"
    language_fallback: bool  # the chart's language has no packet: English is printed
    preferred_language: str  # as the chart has it ("Spanish"); may be empty
    large_print: bool  # the chart asks for it (the run may add it for everyone)
