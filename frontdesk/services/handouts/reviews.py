"""Clinical reviews of handouts: recorded per version of the text, and whether one is due.

A handout's file may *say* who reviewed it; what counts is a review recorded here (Admin →
Handout reviews): who reviewed the exact text (by its SHA-256), on what day, with the
evidence they used. A version with no review, or whose review is older than the practice's
review period, is *pending* or *overdue*: it prints with a "Draft: not yet reviewed" mark,
or, when the practice's rule says so, cannot be given at all (``check_can_give``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models_handouts import HandoutReview
from frontdesk.db.types import utcnow
from frontdesk.domain.contact import InvalidValue
from frontdesk.domain.dates import parse_date
from frontdesk.domain.errors import RefusedError, ValidationError
from frontdesk.domain.handout_format import LANGUAGE_NAMES, Handout
from frontdesk.domain.permissions import Permission
from frontdesk.services.handouts.library import HandoutLibrary
from frontdesk.services.kernel.clock import practice_today
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice import settings

if TYPE_CHECKING:  # ReportLab loads only when something is rendered
    from frontdesk.documents.handout_pdf import ReviewMark

MAX_REVIEWER = 200
MAX_EVIDENCE = 4000


class ReviewStatus(StrEnum):
    REVIEWED = "reviewed"
    PENDING = "pending"  # this version of the text was never reviewed
    OVERDUE = "overdue"  # reviewed, but longer ago than the practice's review period

    @property
    def label(self) -> str:
        return {
            ReviewStatus.REVIEWED: "Reviewed",
            ReviewStatus.PENDING: "Review pending",
            ReviewStatus.OVERDUE: "Review overdue",
        }[self]


@dataclass(frozen=True)
class ReviewRecord:
    """One recorded review (plain data)."""

    id: int
    handout_id: str
    language: str
    version: str
    title: str
    handout_sha256: str
    reviewed_on: dt.date
    reviewer: str
    evidence: str
    recorded_at: dt.datetime
    recorded_by: str


@dataclass(frozen=True)
class ReviewStanding:
    """Where the review of the library's current text of one handout stands today."""

    handout_id: str
    language: str
    title: str
    version: str
    handout_sha256: str
    status: ReviewStatus
    review: ReviewRecord | None  # the latest review of this very text
    due_on: dt.date | None  # when that review runs out
    earlier_version_reviewed: bool  # another version of this handout was reviewed once

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES.get(self.language, self.language)

    @property
    def is_draft(self) -> bool:
        return self.status is not ReviewStatus.REVIEWED

    def mark(self) -> ReviewMark:
        """What the printed page says about this review."""
        from frontdesk.documents.handout_pdf import ReviewMark

        return ReviewMark(
            draft=self.is_draft,
            overdue=self.status is ReviewStatus.OVERDUE,
            reviewed_on=self.review.reviewed_on if self.review else None,
            reviewer=self.review.reviewer if self.review else "",
        )


@dataclass(frozen=True)
class ReviewForm:
    """What Admin types when recording a review (text as typed; checked on save)."""

    reviewer: str
    reviewed_on: dt.date | str | None  # a date, or as typed ("12/1/2026", "2026-12-01")
    evidence: str


def _record(row: HandoutReview) -> ReviewRecord:
    return ReviewRecord(
        id=row.id,
        handout_id=row.handout_id,
        language=row.language,
        version=row.version,
        title=row.title,
        handout_sha256=row.handout_sha256,
        reviewed_on=row.reviewed_on,
        reviewer=row.reviewer,
        evidence=row.evidence,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def standing_of(
    handout: Handout,
    reviews: Iterable[ReviewRecord],
    today: dt.date,
    period_months: int,
) -> ReviewStanding:
    """The rule, in one place: reviewed if this exact text has a review within the period."""
    own = [r for r in reviews if (r.handout_id, r.language) == handout.key]
    this_text = [r for r in own if r.handout_sha256 == handout.content_hash]
    latest = max(this_text, key=lambda r: (r.reviewed_on, r.id), default=None)
    due_on = add_months(latest.reviewed_on, period_months) if latest else None
    if latest is None:
        status = ReviewStatus.PENDING
    elif due_on is not None and today >= due_on:
        status = ReviewStatus.OVERDUE
    else:
        status = ReviewStatus.REVIEWED
    return ReviewStanding(
        handout_id=handout.id,
        language=handout.language,
        title=handout.title,
        version=handout.version,
        handout_sha256=handout.content_hash,
        status=status,
        review=latest,
        due_on=due_on,
        earlier_version_reviewed=any(r.handout_sha256 != handout.content_hash for r in own),
    )


def _reviews(session: Session, keys: set[tuple[str, str]] | None = None) -> list[ReviewRecord]:
    query = select(HandoutReview).order_by(HandoutReview.id)
    if keys is not None and len(keys) == 1:
        handout_id, language = next(iter(keys))
        query = query.where(
            HandoutReview.handout_id == handout_id, HandoutReview.language == language
        )
    return [_record(row) for row in session.scalars(query)]


def standing_in(session: Session, handout: Handout, today: dt.date) -> ReviewStanding:
    """``review_standing`` inside another service's transaction."""
    months = settings.read_setting(session, settings.HANDOUT_REVIEW_MONTHS)
    return standing_of(handout, _reviews(session, {handout.key}), today, months)


def review_standing(
    context: ServiceContext, handout: Handout, today: dt.date | None = None
) -> ReviewStanding:
    """Where the review of this version of ``handout`` stands (anyone who prints may ask)."""
    with context.reading(None) as session:
        return standing_in(session, handout, today or practice_today(session))


def list_standings(
    context: ServiceContext, library: HandoutLibrary, today: dt.date | None = None
) -> list[ReviewStanding]:
    """Every handout of the library: overdue and pending first, then by title and language."""
    with context.reading(None) as session:
        day = today or practice_today(session)
        months = settings.read_setting(session, settings.HANDOUT_REVIEW_MONTHS)
        reviews = _reviews(session)
    standings = [standing_of(e.handout, reviews, day, months) for e in library.entries]
    order = {ReviewStatus.OVERDUE: 0, ReviewStatus.PENDING: 1, ReviewStatus.REVIEWED: 2}
    return sorted(standings, key=lambda s: (order[s.status], s.title.casefold(), s.language))


def review_history(context: ServiceContext, handout_id: str, language: str) -> list[ReviewRecord]:
    """Every review recorded for a handout in one language, newest first (all versions)."""
    with context.reading(None) as session:
        found = _reviews(session, {(handout_id, language)})
    return sorted(found, key=lambda r: (r.reviewed_on, r.id), reverse=True)


def _checked(form: ReviewForm, today: dt.date) -> tuple[str, dt.date, str]:
    problems: dict[str, str] = {}
    reviewer = " ".join(form.reviewer.split())
    evidence = form.evidence.strip()
    if not reviewer:
        problems["reviewer"] = "say who reviewed the handout"
    elif len(reviewer) > MAX_REVIEWER:
        problems["reviewer"] = f"at most {MAX_REVIEWER} characters"
    reviewed_on: dt.date | None = None
    if isinstance(form.reviewed_on, dt.date):
        reviewed_on = form.reviewed_on
    elif form.reviewed_on and form.reviewed_on.strip():
        try:
            reviewed_on = parse_date(form.reviewed_on, today=today)
        except InvalidValue as error:
            problems["reviewed_on"] = str(error)
    if reviewed_on is None:
        problems.setdefault("reviewed_on", "give the day of the review")
    elif reviewed_on > today:
        problems["reviewed_on"] = "a review cannot be in the future"
    if not evidence:
        problems["evidence"] = "say what the review was checked against (guidelines, sources)"
    elif len(evidence) > MAX_EVIDENCE:
        problems["evidence"] = f"at most {MAX_EVIDENCE} characters"
    if problems:
        raise ValidationError(problems)
    assert reviewed_on is not None
    return reviewer, reviewed_on, evidence


def record_review(
    context: ServiceContext, handout: Handout, form: ReviewForm, *, today: dt.date | None = None
) -> ReviewRecord:
    """Record that ``reviewer`` reviewed this exact text of ``handout`` (Admin).

    The text itself is kept (``handout_versions``), so the review always names the words it
    approved, even after the file changes."""
    context.require(Permission.EDIT_PRACTICE)
    if not handout.text:
        raise RefusedError("This handout has no text to review")
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        session = uow.session
        reviewer, reviewed_on, evidence = _checked(form, today or practice_today(session))
        from frontdesk.services.handouts.handout_prints import keep_version

        keep_version(session, handout)
        row = HandoutReview(
            handout_id=handout.id,
            language=handout.language,
            version=handout.version,
            title=handout.title[:300],
            handout_sha256=handout.content_hash,
            reviewed_on=reviewed_on,
            reviewer=reviewer,
            evidence=evidence,
            recorded_at=utcnow(),
            recorded_by=uow.actor.username,
            recorded_by_user_id=uow.actor.user_id,
        )
        session.add(row)
        uow.mark_changed(HandoutReview.__tablename__)
        session.flush()
        record = _record(row)
        uow.commit(record)
        return record


def check_can_give(session: Session, standing: ReviewStanding) -> None:
    """Refuse a handout not reviewed when the practice's rule says it cannot be given."""
    if not standing.is_draft:
        return
    rule = settings.read_setting(session, settings.HANDOUT_UNREVIEWED)
    if rule == settings.UNREVIEWED_IS_REFUSED:
        what = (
            "is overdue for review"
            if standing.status is ReviewStatus.OVERDUE
            else ("has not been reviewed")
        )
        raise RefusedError(
            f"'{standing.title}' ({standing.language_name}, version {standing.version}) {what}: "
            "the practice gives only reviewed handouts. Record its review in Admin → "
            "Handout reviews first."
        )


def print_terms(
    context: ServiceContext, handout: Handout, today: dt.date | None = None
) -> tuple[ReviewMark, str]:
    """What printing ``handout`` needs from the practice: the review mark for its page, and
    the practice's own words for {practice_treatment}. Raises RefusedError when the
    practice gives only reviewed handouts and this text is not (or no longer) reviewed."""
    with context.reading(None) as session:
        standing = standing_in(session, handout, today or practice_today(session))
        check_can_give(session, standing)
        return standing.mark(), practice_treatment(session, handout.language)


def practice_treatment(session: Session, language: str) -> str:
    """The practice's own words on how it treats the problem, for {practice_treatment}."""
    spec = settings.HANDOUT_TREATMENT.get(language)
    return settings.read_setting(session, spec) if spec is not None else ""
