"""Suggestions from a document's text: whose it is, what it is, who sent it.

Each suggestion carries its evidence (the words on the page). Patients are found by the
birth dates and the MRN the text names, then scored by how many of their names and phone
numbers the text also has: a birth date alone never suggests anyone.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.domain.document_reading import (
    DocumentKind,
    Found,
    find_birth_dates,
    find_mrns,
    find_npis,
    find_phones,
    guess_kind,
    labelled_names,
    study_draft,
    surgery_draft,
)
from frontdesk.domain.names import fold, listed_name, name_tokens
from frontdesk.services.inbox.data import (
    Evidence,
    PatientSuggestion,
    ReferrerSuggestion,
    Suggestions,
)

# Points for what the text shares with a chart; a suggestion needs a name and more.
SCORE_MRN = 60
SCORE_BIRTH_DATE = 35
SCORE_LABELLED_BIRTH_DATE = 5
SCORE_LAST_NAME = 30
SCORE_FIRST_NAME = 20
SCORE_PHONE = 15
MIN_SCORE = 50
MAX_DATES = 8
MAX_CANDIDATES = 200
SHOWN = 3
# "Dr. Raj Patel", "Dr. R. Patel", "Dr. Patel": the first name (or initial) when written.
_DOCTOR = re.compile(r"\b(?:Dr\.?|Doctor|Dra\.?)\s+([A-Z][\w'’-]*\.?(?:\s+[A-Z][\w'’-]+)?)")
_SENDER_LINE = re.compile(r"\bfax\b|\bfrom\b|\boffice\b|\bclinic\b|NPI", re.IGNORECASE)
_REASON = re.compile(
    r"(?:reason for (?:referral|consultation|visit)|diagnosis|motivo(?: de (?:la )?consulta)?)"
    r"\s*[:#]\s*(?P<reason>[^\n]{3,300})",
    re.IGNORECASE,
)


def _words(text: str) -> set[str]:
    return set(fold(text).split())


def _patient_phones(patient: Patient) -> set[str]:
    return {p for p in (patient.mobile_phone, patient.home_phone, patient.work_phone) if p}


def _score(
    patient: Patient,
    words: set[str],
    dates: dict[date, Found],
    mrns: dict[str, Found],
    phones: dict[str, Found],
) -> PatientSuggestion | None:
    score = 0
    evidence: list[Evidence] = []
    if patient.mrn in mrns:
        score += SCORE_MRN
        evidence.append(Evidence("MRN", mrns[patient.mrn].words))
    born = dates.get(patient.date_of_birth)
    if born is not None:
        score += SCORE_BIRTH_DATE + (SCORE_LABELLED_BIRTH_DATE if born.labelled else 0)
        evidence.append(Evidence("birth date", born.words))
    last = name_tokens(patient.last_name)
    if last and all(token in words for token in last):
        score += SCORE_LAST_NAME
        evidence.append(Evidence("last name", patient.last_name))
    first = name_tokens(patient.first_name)
    preferred = name_tokens(patient.preferred_name)
    if (first and first[0] in words) or (preferred and preferred[0] in words):
        score += SCORE_FIRST_NAME
        evidence.append(Evidence("first name", patient.first_name))
    shared = _patient_phones(patient) & phones.keys()
    if shared:
        score += SCORE_PHONE
        evidence.append(Evidence("phone", phones[next(iter(shared))].words))
    named = any(item.what in ("last name", "first name") for item in evidence)
    if score < MIN_SCORE or not named:
        return None
    return PatientSuggestion(
        patient.id,
        patient.mrn,
        listed_name(patient.last_name, patient.first_name, patient.middle_name),
        patient.date_of_birth.isoformat(),
        score,
        tuple(evidence),
    )


def suggest_patients(
    session: Session, text: str, today: date, names_found: list[int] | None = None
) -> tuple[PatientSuggestion, ...]:
    """The charts the text most likely belongs to, best first (at most three)."""
    dates = dict(find_birth_dates(text, today=today)[:MAX_DATES])
    mrns = {found.value: found for found in find_mrns(text)}
    phones = {found.value: found for found in find_phones(text)}
    conditions = []
    if dates:
        conditions.append(Patient.date_of_birth.in_(list(dates)))
    if mrns:
        conditions.append(Patient.mrn.in_(list(mrns)))
    ids = names_found or []
    if ids:
        conditions.append(Patient.id.in_(ids))
    if not conditions:
        return ()
    candidates = session.scalars(
        select(Patient)
        .where(or_(*conditions), Patient.merged_into_id.is_(None))
        .limit(MAX_CANDIDATES)
    ).all()
    words = _words(text)
    scored = [
        found
        for patient in candidates
        if (found := _score(patient, words, dates, mrns, phones)) is not None
    ]
    scored.sort(key=lambda item: (-item.score, item.name))
    return tuple(scored[:SHOWN])


def suggest_referrer(session: Session, text: str) -> ReferrerSuggestion | None:
    """The sender: an NPI that passes its check digit, else "Dr. First Last" from the
    directory when the first name (or its initial) agrees too and no NPI on the page
    contradicts the entry's. Two Dr. Patels are two people: a last name alone, or an entry
    whose NPI the page does not have, suggests no one (a wrong referrer fills the request)."""
    npis = find_npis(text)
    page_npis = {found.value for found in npis}
    if npis:
        by_npi = session.scalars(select(Referrer).where(Referrer.npi.in_(page_npis))).first()
        if by_npi is not None:
            found = next(item for item in npis if item.value == by_npi.npi)
            return ReferrerSuggestion(
                by_npi.id, _referrer_name(by_npi), by_npi.npi or "", (Evidence("NPI", found.words),)
            )
    doctors = [_written_doctor(match) for match in _DOCTOR.finditer(text)]
    doctors = [doctor for doctor in doctors if doctor is not None]
    if doctors:
        last_names = {last for _first, last, _words in doctors}
        agreeing: dict[int, tuple[Referrer, str]] = {}
        for referrer in session.scalars(
            select(Referrer)
            .where(Referrer.active.is_(True))
            .where(or_(*(Referrer.last_name.ilike(name) for name in last_names)))
            .limit(20)
        ):
            if referrer.npi and page_npis and referrer.npi not in page_npis:
                continue  # the page names another NPI: another doctor of that name
            for first, last, words in doctors:
                if fold(referrer.last_name) == fold(last) and _first_names_agree(
                    first, referrer.first_name
                ):
                    agreeing[referrer.id] = (referrer, words)
        if len(agreeing) == 1:
            referrer, words = next(iter(agreeing.values()))
            return ReferrerSuggestion(
                referrer.id,
                _referrer_name(referrer),
                referrer.npi or "",
                (Evidence("name", words),),
            )
    written = next((f"{first} {last}".strip() for first, last, _ in doctors), "")
    if npis:
        evidence = [Evidence("NPI", npis[0].words)]
        if written:
            evidence.insert(0, Evidence("name", written))
        return ReferrerSuggestion(None, "", npis[0].value, tuple(evidence), written)
    return None


def _written_doctor(match: re.Match[str]) -> tuple[str, str, str] | None:
    """(first name or initial, last name, the words) of a "Dr. ..." on the page; the first
    name is "" when only the last name is written."""
    names = match.group(1).split()
    if not names:
        return None
    first = names[0].rstrip(".") if len(names) > 1 else ""
    return first, names[-1], match.group(0)


def _first_names_agree(written: str, first_name: str) -> bool:
    """The written first name, or its initial, is the directory entry's (or its initial)."""
    mine = fold(written).split()
    theirs = fold(first_name).split()
    if not mine or not theirs:
        return False
    if len(mine[0]) == 1 or len(theirs[0]) == 1:
        return mine[0][0] == theirs[0][0]
    return mine[0] == theirs[0]


def _referrer_name(referrer: Referrer) -> str:
    name = f"Dr. {referrer.first_name} {referrer.last_name}".replace("  ", " ")
    return f"{name}, {referrer.credentials}" if referrer.credentials else name


def intake_draft(text: str, today: date, referrer: ReferrerSuggestion | None) -> dict[str, str]:
    """What an intake for a new patient can start from: name, birth date, phone, reason."""
    draft: dict[str, str] = {}
    names = labelled_names(text)
    if names:
        name = names[0].value
        if "," in name:
            last, first = (part.strip() for part in name.split(",", 1))
        else:
            parts = name.split()
            first, last = " ".join(parts[:-1]), parts[-1] if parts else ""
        draft["last_name"], draft["first_name"] = last, first
    born = [item for item in find_birth_dates(text, today=today) if item[1].labelled]
    if born:
        draft["date_of_birth"] = born[0][0].isoformat()
    # The sender's fax and phone stand on lines that say so; the patient's do not.
    lines = [line for line in text.splitlines() if not _SENDER_LINE.search(line)]
    phones = [found.value for found in find_phones("\n".join(lines))]
    if phones:
        draft["phone"] = phones[0]
    reason = _REASON.search(text)
    if reason:
        draft["reason"] = reason.group("reason").strip()
    if referrer is not None and referrer.referrer_id is not None:
        draft["referrer_id"] = str(referrer.referrer_id)
    return draft


def suggest(session: Session, text: str, today: date) -> Suggestions:
    kind = guess_kind(text)
    patients = suggest_patients(session, text, today)
    referrer = suggest_referrer(session, text)
    intake: dict[str, str] = {}
    if kind.kind is DocumentKind.REFERRAL and not patients:
        intake = intake_draft(text, today, referrer)
    study: dict[str, object] = {}
    if kind.kind is DocumentKind.IMAGING_REPORT:
        study = asdict(study_draft(text, today=today))
    surgery: dict[str, object] = {}
    if kind.kind is DocumentKind.OPERATIVE_REPORT:
        surgery = asdict(surgery_draft(text, today=today))
    return Suggestions(
        kind=kind.kind.value,
        kind_evidence=tuple(Evidence("wording", words) for words in kind.words),
        modality=kind.modality,
        patients=patients,
        referrer=referrer,
        intake=intake,
        study=study,
        surgery=surgery,
    )


def to_json(suggestions: Suggestions) -> dict[str, Any]:
    return asdict(suggestions)


def from_json(data: dict[str, Any]) -> Suggestions:
    if not data:
        return Suggestions(DocumentKind.OTHER.value, ())

    def evidence(items: list[dict[str, str]]) -> tuple[Evidence, ...]:
        return tuple(Evidence(**item) for item in items)

    referrer = data.get("referrer")
    return Suggestions(
        kind=data.get("kind", DocumentKind.OTHER.value),
        kind_evidence=evidence(data.get("kind_evidence", [])),
        modality=data.get("modality", ""),
        patients=tuple(
            PatientSuggestion(**{**item, "evidence": evidence(item["evidence"])})
            for item in data.get("patients", [])
        ),
        referrer=(
            ReferrerSuggestion(**{**referrer, "evidence": evidence(referrer["evidence"])})
            if referrer
            else None
        ),
        intake=dict(data.get("intake", {})),
        study=dict(data.get("study", {})),
        surgery=dict(data.get("surgery", {})),
    )
