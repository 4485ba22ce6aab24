"""The print log and audit trail entries of a packet batch, saved or printed."""

from __future__ import annotations

from collections.abc import Sequence

from frontdesk.services.handouts import handout_prints
from frontdesk.services.handouts.packet_data import PacketBatch
from frontdesk.services.kernel.context import UnitOfWork


def log_batch(
    uow: UnitOfWork,
    batch: PacketBatch,
    destinations: Sequence[str],
    summaries_destination: str = "",
) -> int:
    """The print log and audit entries of every packet (``destinations``, one a packet) and
    of every summary (``summaries_destination``); returns the handouts logged."""
    logged = 0
    for packet, destination in zip(batch.packets, destinations, strict=True):
        for rendered in packet.handouts:
            handout_prints.record_given_in(uow, rendered, destination)
            logged += 1
        action = "print" if destination.startswith(handout_prints.PRINTER) else "export"
        uow.record(
            action,
            "appointments",
            packet.appointment_id,
            patient_id=packet.patient_id,
            details={
                "document": "pre-visit packet",
                "destination": destination,
                "language": packet.language,
                "handouts": [h.handout_id for h in packet.handouts],
                "history_summary": packet.summary_included,
                # That a note for this patient alone was in the letter (not its text).
                "personal_note": packet.personal_note,
            },
        )
        if packet.summary_included:
            uow.record(
                action,
                "history_summary",
                packet.patient_id,
                patient_id=packet.patient_id,
                details={
                    "in": "history summaries for the surgeon",
                    "destination": summaries_destination or destination,
                },
            )
    return logged
