"""Practice-wide settings: each declared once with its type, bounds and default."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.db.models import Setting
from frontdesk.domain.errors import NotFoundError, ValidationError
from frontdesk.domain.permissions import Permission
from frontdesk.services.kernel.context import ServiceContext, UnitOfWork

log = logging.getLogger(__name__)

T = TypeVar("T", int, bool, str)


@dataclass(frozen=True)
class SettingSpec(Generic[T]):
    """One practice setting: stored as text in the settings table, used as ``kind``."""

    key: str
    label: str
    kind: type[T]
    default: T
    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""
    help: str = ""
    # For text settings: the only values accepted (empty: any text within ``maximum``).
    choices: tuple[str, ...] = ()

    def parse(self, raw: object) -> T:
        """The typed value of ``raw`` (text from a form or the table, or a typed value).

        Raises ValueError with a sentence for the form when it is not acceptable.
        """
        if self.kind is bool:
            if isinstance(raw, bool):
                return raw  # type: ignore[return-value]
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True  # type: ignore[return-value]
            if text in ("0", "false", "no", "off"):
                return False  # type: ignore[return-value]
            raise ValueError("choose yes or no")
        if self.kind is int:
            if isinstance(raw, bool):
                raise ValueError("enter a whole number")
            try:
                number = raw if isinstance(raw, int) else int(str(raw).strip())
            except ValueError:
                raise ValueError("enter a whole number") from None
            if self.minimum is not None and number < self.minimum:
                raise ValueError(f"at least {self.minimum}")
            if self.maximum is not None and number > self.maximum:
                raise ValueError(f"at most {self.maximum}")
            return number  # type: ignore[return-value]
        text = str(raw).strip()
        if self.choices:
            if text.lower() not in self.choices:
                raise ValueError("choose one of: " + ", ".join(self.choices))
            return text.lower()  # type: ignore[return-value]
        if self.maximum is not None and len(text) > self.maximum:
            raise ValueError(f"at most {self.maximum} characters")
        if self.minimum is not None and len(text) < self.minimum:
            raise ValueError("required: this text cannot be empty")
        return text  # type: ignore[return-value]

    def format(self, value: T) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)


LOCKOUT_ATTEMPTS = SettingSpec(
    "security.lockout_attempts",
    "Wrong passwords in a row at one workstation before it must wait",
    int,
    5,
    minimum=1,
    maximum=100,
    unit="attempts",
)
LOCKOUT_MINUTES = SettingSpec(
    "security.lockout_minutes",
    "Longest wait between tries after that (from 1 minute, doubling)",
    int,
    15,
    minimum=1,
    maximum=24 * 60,
    unit="minutes",
)
AUTO_LOCK_MINUTES = SettingSpec(
    "security.auto_lock_minutes",
    "Lock the screen after this much inactivity",
    int,
    10,
    minimum=1,
    maximum=8 * 60,
    unit="minutes",
)
BACKUPS_TO_KEEP = SettingSpec(
    "backup.keep",
    "Backups to keep in a backup folder",
    int,
    10,
    minimum=1,
    maximum=1000,
    unit="backups",
    help="Older Front Desk backups in the same folder are removed after each new backup.",
)

IMAGING_MAX_AGE_MONTHS = SettingSpec(
    "history.imaging_max_age_months",
    "Lumbar or cervical MRI is too old for a new consultation after",
    int,
    12,
    minimum=1,
    maximum=120,
    unit="months",
    help="Older studies are flagged in the chart, on the request and on the day sheet.",
)

RED_FLAG_INSTRUCTION = SettingSpec(
    "requests.red_flag_instruction",
    "What to tell a caller who reports a red flag",
    str,
    "Please go to the nearest emergency department now, or call 911. These symptoms can mean "
    "pressure on the nerves that needs treatment today; do not wait for a clinic appointment.",
    minimum=1,  # a caller with a red flag must always be told something
    maximum=1000,
    help="Shown prominently on the intake form as soon as any red flag is ticked.",
)
URGENT_REQUEST_LIMIT_DAYS = SettingSpec(
    "requests.urgent_limit_days",
    "An urgent new request is overdue after",
    int,
    1,
    minimum=1,
    maximum=30,
    unit="business days",
)
ROUTINE_REQUEST_LIMIT_DAYS = SettingSpec(
    "requests.routine_limit_days",
    "A routine new request is overdue after",
    int,
    3,
    minimum=1,
    maximum=60,
    unit="business days",
)

# Which records must be in before a request may be Ready to schedule (a move without them
# asks for a reason, which is recorded with the move and in the audit trail).
READY_NEEDS_OPERATIVE_REPORTS = SettingSpec(
    "requests.ready_needs_operative_reports",
    "Operative reports",
    bool,
    True,
    help="Every operative report on the request's records checklist.",
)
READY_NEEDS_IMAGING_REPORTS = SettingSpec(
    "requests.ready_needs_imaging_reports",
    "Imaging reports",
    bool,
    True,
    help="The written report of every scan on the checklist.",
)
READY_NEEDS_IMAGES = SettingSpec(
    "requests.ready_needs_images",
    "Images (disc or files)",
    bool,
    True,
    help="The images of every scan on the checklist, so the surgeon can look at them.",
)

PAPER_SIZE = SettingSpec(
    "documents.paper_size",
    "Paper for handouts, packets and letters",
    str,
    "letter",
    choices=("letter", "a4"),
    help="US Letter (8.5 × 11 in) or A4 (210 × 297 mm); a print can still choose the other.",
)

TWO_SIDED = SettingSpec(
    "documents.two_sided",
    "The practice prints two-sided (duplex)",
    bool,
    True,
    help="On: in a day's combined packets or summaries each patient starts on a new sheet "
    "(a page marked “intentionally left blank” fills the back where needed), so no sheet "
    "carries two patients. Off: no blank pages.",
)

CALENDAR_EXPORT_FULL_NAMES = SettingSpec(
    "scheduling.calendar_export_full_names",
    "Calendar export shows full patient names",
    bool,
    False,
    help="Off: an exported calendar (.ics) shows the appointment type and the patient's "
    "initials only, so a phone or shared calendar does not carry names.",
)

# The inbox's sources (Admin → Inbox). The mailbox password is in each workstation's keyring.
INBOX_FOLDERS = SettingSpec(
    "inbox.watched_folders",
    "Watched folders (one per line)",
    str,
    "",
    maximum=2000,
    help="The fax server's drop folder and the scanner's folder. Every workstation that can "
    "reach a folder takes complete files from it; each file is imported once.",
)
INBOX_MAIL_HOST = SettingSpec(
    "inbox.mail_host", "E-fax mailbox server (IMAP over TLS)", str, "", maximum=200
)
INBOX_MAIL_PORT = SettingSpec("inbox.mail_port", "Mailbox port", int, 993, minimum=1, maximum=65535)
INBOX_MAIL_USER = SettingSpec("inbox.mail_user", "Mailbox user name", str, "", maximum=200)
INBOX_MAIL_FOLDER = SettingSpec(
    "inbox.mail_folder", "Mailbox folder to read", str, "INBOX", minimum=1, maximum=200
)
INBOX_MAIL_DONE_FOLDER = SettingSpec(
    "inbox.mail_done_folder",
    "Move read messages to this folder",
    str,
    "",
    maximum=200,
    help="Empty: read messages stay where they are, marked read.",
)
INBOX_DISCARD_KEEP_DAYS = SettingSpec(
    "inbox.discard_keep_days",
    "Keep discarded faxes for",
    int,
    7 * 365,
    minimum=30,
    maximum=100 * 365,
    unit="days",
    help="A discarded fax leaves the inbox but its file is kept this long.",
)

HANDOUT_REVIEW_MONTHS = SettingSpec(
    "handouts.review_months",
    "A handout's review is overdue after",
    int,
    12,
    minimum=1,
    maximum=60,
    unit="months",
    help="Counted from the review recorded in Admin → Handout reviews.",
)
UNREVIEWED_PRINTS_AS_DRAFT = "draft"
UNREVIEWED_IS_REFUSED = "refuse"
HANDOUT_UNREVIEWED = SettingSpec(
    "handouts.unreviewed",
    "A handout not reviewed, or overdue",
    str,
    UNREVIEWED_PRINTS_AS_DRAFT,
    choices=(UNREVIEWED_PRINTS_AS_DRAFT, UNREVIEWED_IS_REFUSED),
    help="Prints with a 'Draft: not yet reviewed' mark, or cannot be given until reviewed.",
)
HANDOUT_TREATMENT_EN = SettingSpec(
    "handouts.practice_treatment_en",
    "How the practice treats pain after spine surgery (English)",
    str,
    "",
    maximum=600,
    help="Printed in the failed back handout in the practice's own words, e.g. what surgery "
    "it offers. Left empty, the handout says nothing about the practice's own care.",
)
HANDOUT_TREATMENT_ES = SettingSpec(
    "handouts.practice_treatment_es",
    "The same, in Spanish",
    str,
    "",
    maximum=600,
    help="Printed in the Spanish handout. Left empty, the Spanish handout leaves it out.",
)

ALL_SETTINGS: tuple[SettingSpec, ...] = (  # type: ignore[type-arg]
    LOCKOUT_ATTEMPTS,
    LOCKOUT_MINUTES,
    AUTO_LOCK_MINUTES,
    BACKUPS_TO_KEEP,
    IMAGING_MAX_AGE_MONTHS,
    RED_FLAG_INSTRUCTION,
    URGENT_REQUEST_LIMIT_DAYS,
    ROUTINE_REQUEST_LIMIT_DAYS,
    READY_NEEDS_OPERATIVE_REPORTS,
    READY_NEEDS_IMAGING_REPORTS,
    READY_NEEDS_IMAGES,
    CALENDAR_EXPORT_FULL_NAMES,
    PAPER_SIZE,
    TWO_SIDED,
    INBOX_FOLDERS,
    INBOX_MAIL_HOST,
    INBOX_MAIL_PORT,
    INBOX_MAIL_USER,
    INBOX_MAIL_FOLDER,
    INBOX_MAIL_DONE_FOLDER,
    INBOX_DISCARD_KEEP_DAYS,
    HANDOUT_REVIEW_MONTHS,
    HANDOUT_UNREVIEWED,
    HANDOUT_TREATMENT_EN,
    HANDOUT_TREATMENT_ES,
)
# The practice's own words for the {practice_treatment} placeholder, by handout language.
HANDOUT_TREATMENT = {"en": HANDOUT_TREATMENT_EN, "es": HANDOUT_TREATMENT_ES}
_BY_KEY = {spec.key: spec for spec in ALL_SETTINGS}


@dataclass(frozen=True)
class SettingValue:
    """A setting as the Admin screen shows it."""

    key: str
    label: str
    value: int | bool | str
    default: int | bool | str
    minimum: int | None
    maximum: int | None
    unit: str
    help: str

    @property
    def is_default(self) -> bool:
        return self.value == self.default


def spec_for(key: str) -> SettingSpec:  # type: ignore[type-arg]
    try:
        return _BY_KEY[key]
    except KeyError:
        raise NotFoundError(f"There is no practice setting named '{key}'") from None


def read_setting(session: Session, spec: SettingSpec[T]) -> T:
    """The setting's value inside another service's transaction (no permission check)."""
    raw = session.scalar(select(Setting.value).where(Setting.key == spec.key))
    if raw is None:
        return spec.default
    try:
        return spec.parse(raw)
    except ValueError:
        # A value edited outside the app must not stop sign-in; the default is the safe choice.
        log.warning("setting %s holds an unusable value; using the default", spec.key)
        return spec.default


def _value(spec: SettingSpec, value: object) -> SettingValue:  # type: ignore[type-arg]
    return SettingValue(
        key=spec.key,
        label=spec.label,
        value=value,  # type: ignore[arg-type]
        default=spec.default,
        minimum=spec.minimum,
        maximum=spec.maximum,
        unit=spec.unit,
        help=spec.help,
    )


def get_setting(context: ServiceContext, spec: SettingSpec[T]) -> T:
    """Any signed-in user may read practice settings (the lock screen needs its timeout)."""
    with context.reading(None) as session:
        return read_setting(session, spec)


def list_settings(context: ServiceContext) -> list[SettingValue]:
    with context.reading(None) as session:
        return [_value(spec, read_setting(session, spec)) for spec in ALL_SETTINGS]


def _write(uow: UnitOfWork, spec: SettingSpec, value: object) -> SettingValue:  # type: ignore[type-arg]
    text = spec.format(value)
    row = uow.session.get(Setting, spec.key)
    if row is None:
        uow.session.add(Setting(key=spec.key, value=text))
    elif row.value != text:
        row.value = text  # the audit listener records old and new values
    return _value(spec, value)


def set_setting(context: ServiceContext, spec: SettingSpec[T], value: object) -> SettingValue:
    """Change one setting (Admin). Bad values raise ValidationError keyed by the setting."""
    return save_settings(context, {spec.key: value})[0]


def save_settings(context: ServiceContext, values: Mapping[str, object]) -> list[SettingValue]:
    """Change several settings at once, all or nothing (the Admin form's Save)."""
    context.require(Permission.EDIT_PRACTICE)
    errors: dict[str, str] = {}
    parsed: list[tuple[SettingSpec, object]] = []  # type: ignore[type-arg]
    for key, raw in values.items():
        spec = spec_for(key)
        try:
            parsed.append((spec, spec.parse(raw)))
        except ValueError as error:
            errors[key] = str(error)
    if errors:
        raise ValidationError(errors)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        saved = [_write(uow, spec, value) for spec, value in parsed]
        uow.commit()
    return saved
