"""What one patient's pre-visit packet says, as plain data for the PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from frontdesk.documents.handout_pdf import AppointmentDetails, ReviewMark
from frontdesk.documents.page_identity import PageIdentity
from frontdesk.domain.handout_format import Handout
from frontdesk.domain.what_to_bring import WhatToBring


@dataclass(frozen=True)
class PacketContent:
    """Everything one patient's packet says, as plain data (names already chosen)."""

    language: str  # "en" or "es": the letter and the personal list
    patient_name: str
    patient_address: str  # lines, for a window envelope; may be empty
    appointment: AppointmentDetails  # local time
    appointment_type: str
    printed_on: dt.date
    what_to_bring: WhatToBring
    preparing: Handout | None  # "Preparing for your spine consultation", if in the library
    handouts: tuple[Handout, ...] = ()
    note: str = ""  # the run's note, in every letter
    personal_note: str = ""  # for this patient alone, below the run's note
    # The name and the visit's time, on every page (None: the name alone).
    identity: PageIdentity | None = None
    large_print: bool = False  # from the chart, or the whole batch
    interpreter_needed: bool = False  # the chart says so: the letter says one is booked
    interpreter_language: str = ""  # as the chart has it ("Spanish"); may be empty
    # Each handout's review, by (id, language); one missing prints as a draft.
    reviews: Mapping[tuple[str, str], ReviewMark] = field(default_factory=dict)
    treatment: str = ""  # the practice's own words for {practice_treatment}
    patient_sex: str = "unknown"  # as on the chart: the Spanish greeting follows it
