"""The names of a packet run's files, and where they are saved without overwriting one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from frontdesk.services.handouts import handout_prints
from frontdesk.services.scheduling.data import AppointmentData


def packet_file_name(appointment: AppointmentData, local: dt.datetime, taken: set[str]) -> str:
    base = f"{local:%Y-%m-%d %H%M} {appointment.patient_name} - packet"
    name = handout_prints.sanitize_pdf_file_name(base)
    number = 2
    while name.casefold() in taken:
        name = handout_prints.sanitize_pdf_file_name(f"{base} ({number})")
        number += 1
    taken.add(name.casefold())
    return name


def _who(provider_ids: Sequence[int] | None, appointments: Sequence[AppointmentData]) -> str:
    names = sorted({a.provider_name for a in appointments})
    return names[0] if provider_ids and len(names) == 1 else "all providers"


def combined_file_name(
    day: dt.date, provider_ids: Sequence[int] | None, appointments: Sequence[AppointmentData]
) -> str:
    """ "Pre-visit packets 2026-05-04 - Adaeze Okafor, MD.pdf" (or "all providers")."""
    who = _who(provider_ids, appointments)
    return handout_prints.sanitize_pdf_file_name(f"Pre-visit packets {day.isoformat()} - {who}")


def summaries_file_name(
    day: dt.date, provider_ids: Sequence[int] | None, appointments: Sequence[AppointmentData]
) -> str:
    """ "History summaries for the surgeon 2026-05-04 - all providers.pdf"."""
    who = _who(provider_ids, appointments)
    return handout_prints.sanitize_pdf_file_name(
        f"History summaries for the surgeon {day.isoformat()} - {who}"
    )


def unique_target(folder: Path, name: str, taken: set[Path]) -> Path:
    """``name`` in ``folder``, or "name (2).pdf" when a file is already there (never
    overwritten without asking)."""
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    target = folder / name
    number = 2
    while target.exists() or target in taken:
        target = folder / f"{stem} ({number}).pdf"
        number += 1
    taken.add(target)
    return target
