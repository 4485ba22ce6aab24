"""What a received document's text says: dates, identifiers, names and what kind it is.

Pure text rules for the inbox's suggestions (the services match what is found against the
charts and the referrers). Each finding keeps the words it was read from, so the inbox can
show the evidence beside the suggestion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import phonenumbers

from frontdesk.domain.contact import DEFAULT_REGION, InvalidValue
from frontdesk.domain.dates import parse_date
from frontdesk.domain.names import fold
from frontdesk.domain.npi import is_valid_npi
from frontdesk.domain.search_query import MRN_DIGITS, MRN_PREFIX
from frontdesk.domain.spinal_levels import parse_levels


class DocumentKind(StrEnum):
    """What an arrived document is, as the inbox files it."""

    REFERRAL = "referral"
    IMAGING_REPORT = "imaging-report"
    OPERATIVE_REPORT = "operative-report"
    RECORDS_REPLY = "records-reply"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "referral": "Referral",
            "imaging-report": "Imaging report",
            "operative-report": "Operative report",
            "records-reply": "Records request reply",
            "other": "Other document",
        }[self.value]


@dataclass(frozen=True)
class Found:
    """One thing read from the text, with the words it was read from."""

    value: str
    words: str
    labelled: bool = False


_DATE = re.compile(
    r"(?<![\d/.-])(\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})(?![\d/.-])"
)
_BIRTH_LABEL = re.compile(
    r"(?:\bD\.?O\.?B\.?|\bdate of birth|\bbirth ?date|\bborn|\bfecha de nacimiento|\bF\.? ?nac\.?)"
    r"\s*[:#]?\s*$",
    re.IGNORECASE,
)
_NPI = re.compile(r"(?<!\d)(\d{10})(?!\d)")
_MRN = re.compile(rf"(?<![A-Za-z0-9]){MRN_PREFIX}(\d{{{MRN_DIGITS}}})(?!\d)")
_NAME_LABEL = re.compile(
    r"^[ \t]*(?:patient(?: name)?|name|re|regarding|paciente|nombre)[ \t]*[:#][ \t]*"
    r"(?P<name>[^\n\r]{2,80})",
    re.IGNORECASE | re.MULTILINE,
)
_NAME_STOP = re.compile(r"\s{2,}|\b(?:D\.?O\.?B|date of birth|MRN|DOB|fecha)\b", re.IGNORECASE)

# Words that say what a document is, each with its weight; the kind with the most wins.
_KIND_WORDS: dict[DocumentKind, tuple[tuple[str, int], ...]] = {
    DocumentKind.OPERATIVE_REPORT: (
        ("operative report", 5),
        ("operative note", 5),
        ("op note", 3),
        ("procedure performed", 3),
        ("preoperative diagnosis", 3),
        ("postoperative diagnosis", 3),
        ("estimated blood loss", 3),
        ("anesthesia", 1),
        ("implants", 1),
        ("informe operatorio", 5),
    ),
    DocumentKind.IMAGING_REPORT: (
        ("impression", 2),
        ("findings", 2),
        ("technique", 2),
        ("radiologist", 3),
        ("magnetic resonance", 3),
        ("mri", 2),
        ("computed tomography", 3),
        ("ct scan", 2),
        ("radiograph", 3),
        ("x-ray", 2),
        ("xray", 2),
        ("comparison", 1),
        ("imaging center", 2),
        ("resonancia magnetica", 3),
        ("tomografia", 3),
        ("radiografia", 3),
    ),
    DocumentKind.REFERRAL: (
        ("referral", 4),
        ("reason for referral", 4),
        ("referring physician", 3),
        ("referring provider", 3),
        ("please evaluate", 3),
        ("please see", 2),
        ("thank you for seeing", 3),
        ("consultation request", 3),
        ("evaluate and treat", 3),
        ("remision", 4),
        ("referencia", 3),
    ),
    DocumentKind.RECORDS_REPLY: (
        ("in response to your request", 5),
        ("records request", 4),
        ("release of information", 4),
        ("medical records department", 4),
        ("enclosed are the records", 5),
        ("health information management", 4),
    ),
}
# Below this a document is "other": a cover sheet or a junk fax says next to nothing.
_KIND_THRESHOLD = 3

_MODALITIES = (
    ("MRI", ("mri", "magnetic resonance", "resonancia")),
    ("CT", ("ct scan", "computed tomography", "ct lumbar", "ct cervical", "ct thoracic")),
    ("X-ray", ("x-ray", "xray", "radiograph", "radiografia")),
)


def find_birth_dates(text: str, *, today: date) -> list[tuple[date, Found]]:
    """Dates that can be birth dates (not after ``today``, the practice's day), labelled ones
    (DOB:) first."""
    found: dict[date, Found] = {}
    for match in _DATE.finditer(text):
        try:
            value = parse_date(match.group(1), today=today)
        except InvalidValue:
            continue
        if value > today:
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        labelled = bool(_BIRTH_LABEL.search(before))
        # The label and the date as written, from a whole word on ("DOB: 03/04/1961").
        lead = before.split("\n")[-1]
        if match.start() > 30 and lead and not lead[0].isspace():
            lead = lead.split(" ", 1)[1] if " " in lead else ""
        words = (lead + match.group(1)).strip()
        previous = found.get(value)
        if previous is None or (labelled and not previous.labelled):
            found[value] = Found(value.isoformat(), words, labelled)
    return sorted(found.items(), key=lambda item: not item[1].labelled)


def find_npis(text: str) -> list[Found]:
    """Ten-digit numbers that pass the NPI check digit."""
    seen: dict[str, Found] = {}
    for match in _NPI.finditer(text):
        if is_valid_npi(match.group(1)):
            before = text[max(0, match.start() - 12) : match.start()].split("\n")[-1]
            seen.setdefault(
                match.group(1), Found(match.group(1), (before + match.group(1)).strip())
            )
    return list(seen.values())


def find_mrns(text: str) -> list[Found]:
    return [Found(f"{MRN_PREFIX}{match.group(1)}", match.group(0)) for match in _MRN.finditer(text)]


def find_phones(text: str, region: str = DEFAULT_REGION) -> list[Found]:
    """Phone and fax numbers, as E.164, with the words they were written as."""
    found: dict[str, Found] = {}
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        found.setdefault(e164, Found(e164, match.raw_string))
    return list(found.values())


def labelled_names(text: str) -> list[Found]:
    """Names written after "Patient:", "Name:", "RE:" (and their Spanish forms)."""
    names: list[Found] = []
    for match in _NAME_LABEL.finditer(text):
        name = _NAME_STOP.split(match.group("name"), maxsplit=1)[0].strip(" ,;:-")
        if len(fold(name)) >= 2:
            names.append(Found(name, match.group(0).strip()))
    return names


@dataclass(frozen=True)
class KindGuess:
    kind: DocumentKind
    score: int
    # The words that decided it, as written in the document.
    words: tuple[str, ...]
    modality: str = ""


def guess_kind(text: str) -> KindGuess:
    """What the document is from its wording; "other" when nothing says enough."""
    folded = " " + fold(text).replace(" - ", "-") + " "
    plain = " " + text.lower() + " "
    best = KindGuess(DocumentKind.OTHER, 0, ())
    for kind, words in _KIND_WORDS.items():
        score = 0
        evidence: list[str] = []
        for phrase, weight in words:
            needle = fold(phrase)
            if f" {needle} " in folded or (phrase in plain and not phrase.isalpha()):
                score += weight
                evidence.append(phrase)
        if score > best.score:
            best = KindGuess(kind, score, tuple(evidence))
    if best.score < _KIND_THRESHOLD:
        return KindGuess(DocumentKind.OTHER, best.score, best.words)
    if best.kind is DocumentKind.IMAGING_REPORT:
        for modality, phrases in _MODALITIES:
            if any(f" {fold(phrase)} " in folded for phrase in phrases):
                return KindGuess(best.kind, best.score, best.words, modality)
    return best


_SPANISH_WORDS = frozenset(
    (
        "de",
        "la",
        "el",
        "los",
        "las",
        "del",
        "paciente",
        "fecha",
        "nacimiento",
        "dolor",
        "columna",
        "informe",
        "estudio",
        "resonancia",
        "con",
        "sin",
        "para",
        "por",
        "que",
        "una",
        "hallazgos",
        "impresion",
        "medico",
        "doctora",
        "atentamente",
    )
)


def looks_spanish(text: str) -> bool:
    """Whether a page read in English reads like Spanish (so OCR it again with Spanish)."""
    words = fold(text).split()
    if len(words) < 8:
        return False
    hits = sum(1 for word in words if word in _SPANISH_WORDS)
    return hits / len(words) >= 0.12 or any(char in text for char in "ñÑ¿¡")


@dataclass(frozen=True)
class StudyDraft:
    """What an imaging report says about its study, for a study the person confirms."""

    modality: str  # ImagingModality value: mri, ct, xray ("" when not said)
    regions: tuple[str, ...]  # BodyRegion values
    exam_date: str  # ISO, "" when not found
    facility: str
    findings: str


_EXAM_DATE_LABEL = re.compile(
    r"(?:date of (?:exam|service|study)|exam(?:ination)? date|study date|fecha del estudio)"
    r"\s*[:#]?\s*$",
    re.IGNORECASE,
)
_IMPRESSION = re.compile(
    r"(?:impression|conclusion|impresi[oó]n)\s*[:#]\s*(?P<text>[^\n]{3,300})", re.I
)
_REGION_WORDS = (
    ("cervical", ("cervical", "c-spine", "neck")),
    ("thoracic", ("thoracic", "t-spine", "dorsal")),
    ("lumbar", ("lumbar", "l-spine", "lumbosacral")),
)
_MODALITY_VALUES = {"MRI": "mri", "CT": "ct", "X-ray": "xray"}


def study_draft(text: str, *, today: date) -> StudyDraft:
    """The study an imaging report describes: modality, regions, exam date, facility, and
    the impression as findings. Only what the text says; the person completes the rest."""
    guess = guess_kind(text)
    lowered = text.lower()
    regions = tuple(
        region for region, words in _REGION_WORDS if any(word in lowered for word in words)
    )
    exam = ""
    for match in _DATE.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()]
        if _EXAM_DATE_LABEL.search(before):
            try:
                exam = parse_date(match.group(1), today=today).isoformat()
            except InvalidValue:
                continue
            break
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    impression = _IMPRESSION.search(text)
    return StudyDraft(
        modality=_MODALITY_VALUES.get(guess.modality, ""),
        regions=regions,
        exam_date=exam,
        facility=first_line[:200] if _names_a_facility(first_line) else "",
        findings=impression.group("text").strip() if impression else "",
    )


def _names_a_facility(line: str) -> bool:
    lowered = line.lower()
    return any(word in lowered for word in ("center", "imaging", "radiology", "hospital"))


@dataclass(frozen=True)
class SurgeryDraft:
    """What an operative report says about its surgery, to tell it from the chart's others."""

    levels: tuple[str, ...]  # level codes ("L4-L5"), () when none read
    procedure: str  # Procedure value ("lumbar_fusion"), "" when not recognized
    surgery_date: str  # ISO, "" when not found


# A level range as reports write it: "L4-5", "C5–C6", "L5/S1", "L4 - L5".
_LEVEL_RANGE = re.compile(r"\b[CTLS]\s?\d{1,2}\s*[-–—/]\s*[CTLS]?\s?\d{1,2}\b")
_SURGERY_DATE_LABEL = re.compile(
    r"(?:date of (?:surgery|procedure|operation|service)|surgery date|operation date)"
    r"\s*[:#]?\s*$",
    re.IGNORECASE,
)
# Words that name the procedure, most specific first (Procedure values).
_PROCEDURE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("acdf", re.compile(r"\bACDF\b|anterior cervical discectomy", re.I)),
    ("posterior_cervical_fusion", re.compile(r"posterior cervical (?:spinal )?fusion", re.I)),
    (
        "cervical_disc_replacement",
        re.compile(r"cervical (?:total )?disc (?:replacement|arthroplasty)", re.I),
    ),
    (
        "lumbar_disc_replacement",
        re.compile(r"lumbar (?:total )?disc (?:replacement|arthroplasty)", re.I),
    ),
    ("revision_fusion", re.compile(r"revision (?:of )?(?:lumbar |cervical )?fusion", re.I)),
    (
        "lumbar_fusion",
        re.compile(r"\b(?:TLIF|PLIF|ALIF|XLIF|OLIF|LLIF)\b|lumbar (?:interbody )?fusion", re.I),
    ),
    ("kyphoplasty_vertebroplasty", re.compile(r"kyphoplasty|vertebroplasty", re.I)),
    ("spinal_cord_stimulator", re.compile(r"spinal cord stimulator", re.I)),
    (
        "hardware_removal",
        re.compile(
            r"(?:hardware|instrumentation) removal|removal of (?:hardware|instrumentation)", re.I
        ),
    ),
    ("microdiscectomy", re.compile(r"microdiscectomy", re.I)),
    ("laminectomy", re.compile(r"laminectomy", re.I)),
    ("laminotomy", re.compile(r"laminotomy", re.I)),
    ("foraminotomy", re.compile(r"foraminotomy", re.I)),
)


def surgery_draft(text: str, *, today: date) -> SurgeryDraft:
    """The surgery an operative report describes: the levels it names, the procedure and the
    date of surgery. Only what the text says; a level written wrong is left out."""
    codes: list[str] = []
    for match in _LEVEL_RANGE.finditer(text):
        try:
            found = parse_levels(match.group(0))
        except InvalidValue:
            continue
        codes.extend(code for code in found.codes() if code not in codes)
    procedure = next((value for value, words in _PROCEDURE_WORDS if words.search(text)), "")
    when = ""
    for match in _DATE.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()]
        if _SURGERY_DATE_LABEL.search(before):
            try:
                when = parse_date(match.group(1), today=today).isoformat()
            except InvalidValue:
                continue
            break
    return SurgeryDraft(tuple(codes), procedure, when)
