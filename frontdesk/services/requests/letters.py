"""The records-request letter: who holds each missing record, what exactly to ask them for,
and printing or saving one letter per holder (each audited, each item marked requested).

A record tied to a surgery or a study is asked of that entry's facility (the history is the
fact staff keep up to date; the checklist's "source" is what the caller said at intake), and
the item names the operation or study as a records clerk files it: date, procedure, levels,
surgeon or ordering physician. A facility's address and fax come from the directory (a
physician entry whose practice name is the facility), else the letter leaves them blank.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_patients import Referrer
from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import RefusedError, ValidationError
from frontdesk.domain.history_records import ImagingData, PatientHistory, SurgeryData
from frontdesk.domain.history_vocab import Procedure
from frontdesk.domain.permissions import Permission
from frontdesk.domain.request_states import ChecklistKind
from frontdesk.private_files import scratch_file
from frontdesk.services.history.summary import get_history
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.requests._rows import _detail, _get, _item
from frontdesk.services.requests.data import ChecklistItemData, LetterResult, RequestDetail


@dataclass(frozen=True)
class RecordHolder:
    """Who one letter goes to and what it asks them for."""

    name: str
    address: str
    fax: str
    phone: str
    items: tuple[ChecklistItemData, ...]
    lines: tuple[str, ...]  # what the letter asks for, as it prints it
    item_texts: tuple[str, ...] = ()  # one per item, for choosing them on screen


def _folded(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]+", " ", "".join(c for c in text if not unicodedata.combining(c)))


def _surgery_line(surgery: SurgeryData, holder: str) -> str:
    if surgery.procedure is Procedure.OTHER and not surgery.procedure_label.strip():
        procedure = "spine surgery (procedure not recorded)"
    else:
        procedure = surgery.procedure_text
    parts = [
        surgery.date.display() if surgery.date else "date not known",
        f"{procedure} {surgery.levels.text()}".strip()
        if surgery.levels
        else f"{procedure}, levels not recorded",
        f"surgeon {surgery.surgeon}" if surgery.surgeon else "surgeon not recorded",
    ]
    if surgery.facility and _folded(surgery.facility) != _folded(holder):
        parts.append(f"at {surgery.facility}")
    return "Operative report: " + "; ".join(parts)


def _imaging_line(study: ImagingData, kind: ChecklistKind, holder: str) -> str:
    what = "Images (disc or secure link)" if kind is ChecklistKind.IMAGING_FILES else "Report"
    name = f"{study.modality_text} {study.regions_text}".strip()
    parts = [
        study.date.display() if study.date else "date not known",
        f"{name}{f' ({study.contrast.short})' if study.contrast else ''}",
    ]
    if study.ordering_physician:
        parts.append(f"ordered by {study.ordering_physician}")
    if study.facility and _folded(study.facility) != _folded(holder):
        parts.append(f"at {study.facility}")
    return f"{what}: " + "; ".join(parts)


Entry = SurgeryData | ImagingData
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def _year_of(entry: Entry) -> str:
    return str(entry.date.year) if entry.date is not None else ""


def _pick(item: ChecklistItemData, candidates: list[Entry]) -> Entry | None:
    """The history entry an unlinked item most likely means: one named by its words (the
    modality, the year), else the oldest left."""
    words = _folded(item.description)
    years = {match.group() for match in _YEAR.finditer(item.description)}

    def score(entry: Entry) -> tuple[int, int]:
        named = isinstance(entry, ImagingData) and _folded(entry.modality_text) in words
        return (-(2 * named + (_year_of(entry) in years)), 0)

    return min(candidates, key=score) if candidates else None


def history_entries(detail: RequestDetail, history: PatientHistory) -> dict[int, Entry | None]:
    """The surgery or study each missing item is about: the one it is tied to, else (an item
    typed without a tie) the chart's entry whose record is missing that its words name."""
    linked_surgeries = {item.surgery_id for item in detail.checklist if item.surgery_id}
    linked_studies = {item.imaging_id for item in detail.checklist if item.imaging_id}
    surgeries: list[Entry] = [
        s for s in history.surgeries if not s.report_received and s.id not in linked_surgeries
    ]
    result: dict[int, Entry | None] = {}
    for item in detail.missing:
        if item.surgery_id is not None:
            result[item.id] = next((s for s in history.surgeries if s.id == item.surgery_id), None)
        elif item.imaging_id is not None:
            result[item.id] = next((i for i in history.imaging if i.id == item.imaging_id), None)
        elif item.kind is ChecklistKind.OPERATIVE_REPORT:
            chosen = _pick(item, surgeries)
            if chosen is not None:
                surgeries.remove(chosen)
            result[item.id] = chosen
        elif item.kind in (ChecklistKind.IMAGING_REPORT, ChecklistKind.IMAGING_FILES):
            files = item.kind is ChecklistKind.IMAGING_FILES
            studies: list[Entry] = [
                study
                for study in history.imaging
                if study.id not in linked_studies
                and not (study.images_received if files else study.report_received)
            ]
            result[item.id] = _pick(item, studies)
        else:
            result[item.id] = None
    return result


def _holder_name(item: ChecklistItemData, entry: Entry | None, referrer: str) -> str:
    if entry is not None and entry.facility.strip():
        return clean_text(entry.facility)
    return clean_text(item.source) or referrer


def _line(item: ChecklistItemData, entry: Entry | None, holder: str) -> str:
    if isinstance(entry, SurgeryData):
        return _surgery_line(entry, holder)
    if isinstance(entry, ImagingData):
        return _imaging_line(entry, item.kind, holder)
    return item.label


def _described(entry: Entry | None) -> bool:
    """Whether the history says which operation it was (not just "a surgery in 2019")."""
    if not isinstance(entry, SurgeryData):
        return entry is not None
    named = entry.procedure is not Procedure.OTHER or bool(entry.procedure_label.strip())
    return named or bool(entry.levels) or bool(entry.surgeon.strip())


def _told(item: ChecklistItemData, entry: Entry | None) -> str:
    said = item.description.strip()
    year = _year_of(entry) if entry is not None else ""
    if year and year not in said:
        said = f"{said} in {year}" if said else f"one in {year}"
    return said


def _lines(
    items: Sequence[ChecklistItemData], entries: dict[int, Entry | None], holder: str
) -> list[str]:
    """What the letter asks for, a line per record. Operative reports of operations the
    history does not describe yet become one line asking for every spine operative report
    (a clerk cannot look up "surgery 1")."""
    lines: list[str] = []
    unknown = [
        item
        for item in items
        if item.kind is ChecklistKind.OPERATIVE_REPORT and not _described(entries.get(item.id))
    ]
    for item in items:
        if item in unknown:
            if item is unknown[0]:
                told = "; ".join(filter(None, (_told(i, entries.get(i.id)) for i in unknown)))
                lines.append(
                    "Operative reports of every spine operation you hold for this patient"
                    + (f" (we were told of: {told})" if told else "")
                )
            continue
        lines.append(_line(item, entries.get(item.id), holder))
    return lines


def _directory_entry(session: Session, name: str, referrer_id: int | None) -> Referrer | None:
    """The directory's entry for ``name``: the request's referrer when it is them, else an
    active entry whose practice is that facility (one with a fax first)."""
    if referrer_id is not None:
        referrer = session.get(Referrer, referrer_id)
        if referrer is not None and name in _referrer_names(referrer):
            return referrer
    wanted = _folded(name)
    if not wanted.strip():
        return None
    candidates = [
        row
        for row in session.scalars(
            select(Referrer).where(Referrer.active.is_(True), Referrer.practice_name != "")
        )
        if _folded(row.practice_name) == wanted
    ]
    candidates.sort(key=lambda row: (not row.fax, not row.address, row.id))
    return candidates[0] if candidates else None


def _referrer_names(row: Referrer) -> set[str]:
    full = f"{row.first_name} {row.last_name}".strip()
    return {f"Dr. {full}", full, row.practice_name} - {""}


def record_holders(
    session: Session, detail: RequestDetail, history: PatientHistory
) -> list[RecordHolder]:
    """Who holds the request's missing records, each with what to ask them for, in the
    order their records appear on the checklist."""
    referrer = detail.request.referrer_name
    entries = history_entries(detail, history)
    grouped: dict[str, tuple[str, list[ChecklistItemData]]] = {}
    for item in detail.missing:
        name = _holder_name(item, entries[item.id], referrer)
        key = _folded(name)
        grouped.setdefault(key, (name, []))[1].append(item)
    holders = []
    # The facilities first; the referring office (asked for what no facility holds) last.
    ordered = sorted(grouped.values(), key=lambda group: _folded(group[0]) == _folded(referrer))
    for name, items in ordered:
        row = _directory_entry(session, name, detail.request.referrer_id) if name else None
        holders.append(
            RecordHolder(
                name=name,
                address=row.address if row else "",
                fax=row.fax if row else "",
                phone=row.phone if row else "",
                items=tuple(items),
                lines=tuple(_lines(items, entries, name)),
                item_texts=tuple(_line(item, entries[item.id], name) for item in items),
            )
        )
    return holders


def letter_addressees(detail: RequestDetail) -> list[str]:
    """Who a records letter can go to: the facilities named on missing items, then the
    referring office (the letter itself uses the history's facility where it has one)."""
    names = [item.source for item in detail.missing if item.source]
    if detail.request.referrer_name:
        names.append(detail.request.referrer_name)
    return list(dict.fromkeys(names))


def _signer(context: ServiceContext) -> str:
    """The sender by name (a computer login signs as the login's name)."""
    actor = context.actor
    name = clean_text(actor.display_name).removesuffix(" (computer login)")
    return name or actor.username.removeprefix("os:")


def records_request_letter(
    context: ServiceContext,
    request_id: int,
    *,
    addressee: str | None = None,
    item_ids: Sequence[int] | None = None,
    mark_requested: bool = True,
    to: str = "",
) -> LetterResult:
    """The letter asking ``addressee`` (default: the first holder) for the missing records
    it holds (or the chosen ``item_ids``); printing it is audited and marks the items
    requested today. ``to`` says where it went (printer, file) for the audit trail."""
    from frontdesk.db.models import PracticeProfile
    from frontdesk.documents.letterhead import PracticeDetails
    from frontdesk.documents.records_request_letter import RecordsLetter, render

    with context.reading(Permission.EDIT_REQUESTS) as session:
        patient_id = _get(session, request_id).patient_id
    history = get_history(context, patient_id)
    with context.writing(Permission.EDIT_REQUESTS) as uow:
        session = uow.session
        row = _get(session, request_id)
        detail = _detail(session, row)
        holders = record_holders(session, detail, history)
        to_name = clean_text(addressee or (holders[0].name if holders else ""))
        if not to_name:
            if not detail.missing:
                raise RefusedError(
                    "Every record on the checklist has been received: nothing to ask for"
                )
            raise ValidationError({"addressee": "say who the letter is for"})
        entries = history_entries(detail, history)
        holder = next((h for h in holders if _folded(h.name) == _folded(to_name)), None)
        missing = [item for item in detail.missing if item_ids is None or item.id in item_ids]
        held = {item.id for item in holder.items} if holder is not None else set()
        # The chosen records this holder has; all chosen ones for someone typed in.
        chosen = [item for item in missing if item.id in held] or missing
        lines = _lines(chosen, entries, to_name)
        if not chosen:
            raise RefusedError(
                "Every record on the checklist has been received: nothing to ask for"
            )
        directory = _directory_entry(session, to_name, row.referrer_id)
        profile = session.get(PracticeProfile, 1)
        practice = (
            PracticeDetails.from_profile(profile)
            if profile is not None
            else PracticeDetails(name="Front Desk")
        )
        today = practice_today(session)
        letter = RecordsLetter(
            addressee=to_name,
            addressee_address=directory.address if directory else "",
            addressee_fax=directory.fax if directory else "",
            addressee_phone=directory.phone if directory else "",
            patient_name=detail.request.patient_name,
            date_of_birth=detail.request.date_of_birth,
            mrn=detail.request.mrn,
            needed=lines,
            today=today,
            signed_by=_signer(context),
            request_id=row.id,
        )
        pdf = render(letter, practice)
        if mark_requested:
            for item in chosen:
                stored = _item(session, item.id)
                if stored.requested_on is None:
                    stored.requested_on = today
                    stored.requested_by = uow.actor.username
                    uow.stamp(stored, new=False)
        details: dict[str, object] = {"items": [item.id for item in chosen], "addressee": to_name}
        if to:
            details["to"] = to[:200]
        uow.record(
            "print",
            "records_request_letter",
            row.id,
            patient_id=row.patient_id,
            details=details,
        )
        uow.commit()
    return LetterResult(pdf, to_name, tuple(lines))


def letter_holders(context: ServiceContext, request_id: int) -> list[RecordHolder]:
    """Who the request's missing records are with, for choosing letters (not recorded)."""
    with context.reading(Permission.EDIT_REQUESTS) as session:
        patient_id = _get(session, request_id).patient_id
    history = get_history(context, patient_id)
    with context.reading(Permission.EDIT_REQUESTS) as session:
        return record_holders(session, _detail(session, _get(session, request_id)), history)


def letter_file_name(request_id: int, holder: str) -> str:
    """'records-request-12-st-mary-s-hospital.pdf': the request and the holder, no PHI."""
    slug = re.sub(r"[^a-z0-9]+", "-", _folded(holder)).strip("-")[:60] or "records"
    return f"records-request-{request_id}-{slug}.pdf"


def save_letters(
    context: ServiceContext, request_id: int, folder: Path | str
) -> list[tuple[Path, LetterResult]]:
    """One letter per holder of missing records, saved in ``folder`` (each written aside,
    recorded, then moved into place). Records without a holder are refused up front."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValidationError({"folder": f"there is no folder {folder}"})
    holders = letter_holders(context, request_id)
    if not holders:
        raise RefusedError("Every record on the checklist has been received: nothing to ask for")
    unaddressed = [line for holder in holders if not holder.name for line in holder.lines]
    if unaddressed:
        raise ValidationError(
            {
                "addressee": "no facility or referring office is recorded for: "
                + "; ".join(unaddressed)
                + " (add the facility to the surgery or study, or the source on the checklist)"
            }
        )
    saved: list[tuple[Path, LetterResult]] = []
    for holder in holders:
        target = folder / letter_file_name(request_id, holder.name)
        try:
            with scratch_file(target, prefix=".records-letter-") as temporary:
                result = records_request_letter(
                    context,
                    request_id,
                    addressee=holder.name,
                    item_ids=[item.id for item in holder.items],
                    to=f"file {target.name}",
                )
                temporary.write_bytes(result.pdf)
        except OSError as error:
            raise ValidationError(
                {"folder": f"cannot write in {folder} ({error.strerror or error})"}
            ) from None
        saved.append((target, result))
    return saved
