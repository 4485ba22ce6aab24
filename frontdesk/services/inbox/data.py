"""Plain data the inbox hands to the screens and the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Evidence:
    """Why a suggestion was made: what it is, and the words on the page."""

    what: str
    words: str


@dataclass(frozen=True)
class PatientSuggestion:
    patient_id: int
    mrn: str
    name: str
    date_of_birth: str
    score: int
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class ReferrerSuggestion:
    referrer_id: int | None
    name: str
    npi: str
    evidence: tuple[Evidence, ...]
    # Not in the directory: the doctor's name as written ("Raj Patel"), to add them.
    read_name: str = ""


@dataclass(frozen=True)
class Suggestions:
    """What the reading suggests for one document (nothing is filed until a person says so)."""

    kind: str
    kind_evidence: tuple[Evidence, ...]
    modality: str = ""
    patients: tuple[PatientSuggestion, ...] = ()
    referrer: ReferrerSuggestion | None = None
    # For a referral of someone without a chart: what an intake can start from.
    intake: dict[str, str] = field(default_factory=dict)
    # For an imaging report: the study it describes (modality, regions, exam date…).
    study: dict[str, object] = field(default_factory=dict)
    # For an operative report: the surgery it describes (levels, procedure, date).
    surgery: dict[str, object] = field(default_factory=dict)

    @property
    def patient(self) -> PatientSuggestion | None:
        return self.patients[0] if self.patients else None


@dataclass(frozen=True)
class InboxRow:
    """One document in the inbox list (never its bytes or its text)."""

    id: int
    version: int
    file_name: str
    source: str
    origin: str
    received_at: datetime
    arrivals: int
    page_count: int
    state: str
    reading: str
    pages_read: int
    suggested_patient_id: int | None
    suggested_patient: str
    suggested_mrn: str
    suggested_kind: str
    suggestion_score: int
    parent_id: int | None = None
    first_page: int | None = None
    last_page: int | None = None
    # Quarter turns per 1-based page, JSON ("{"2": 1}"): how the pages are shown.
    rotations: str = "{}"
    # Once filed: as what, where, when and by whom.
    filed_as: str = ""
    filed_to: str = ""
    filed_at: datetime | None = None
    filed_by: str = ""


@dataclass(frozen=True)
class Arrival:
    """What happened to one arrived file."""

    file_name: str
    document_id: int | None
    # new; again (the same file came before: one document); taken (this very file was
    # already taken in, by another workstation); refused
    outcome: str
    message: str

    @property
    def refused(self) -> bool:
        return self.outcome == "refused"
