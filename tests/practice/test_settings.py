"""Practice settings: typed, bounded, defaulted, audited, changed only by admins."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontdesk.db.models import AuditEntry, Setting
from frontdesk.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice import settings
from tests.conftest import make_actor


def test_defaults_apply_until_an_admin_changes_them(context: ServiceContext) -> None:
    values = {item.key: item.value for item in settings.list_settings(context)}
    assert values == {
        "security.lockout_attempts": 5,
        "security.lockout_minutes": 15,
        "security.auto_lock_minutes": 10,
        "backup.keep": 10,
        "history.imaging_max_age_months": 12,
        "requests.red_flag_instruction": settings.RED_FLAG_INSTRUCTION.default,
        "requests.urgent_limit_days": 1,
        "requests.routine_limit_days": 3,
        "requests.ready_needs_operative_reports": True,
        "requests.ready_needs_imaging_reports": True,
        "requests.ready_needs_images": True,
        "documents.paper_size": "letter",
        "scheduling.calendar_export_full_names": False,
        "handouts.review_months": 12,
        "handouts.unreviewed": "draft",
        "handouts.practice_treatment_en": "",
        "handouts.practice_treatment_es": "",
        "documents.two_sided": True,
        "inbox.watched_folders": "",
        "inbox.mail_host": "",
        "inbox.mail_port": 993,
        "inbox.mail_user": "",
        "inbox.mail_folder": "INBOX",
        "inbox.mail_done_folder": "",
        "inbox.discard_keep_days": 7 * 365,
    }
    saved = settings.set_setting(context, settings.AUTO_LOCK_MINUTES, "4")
    assert (saved.value, saved.is_default) == (4, False)
    assert settings.get_setting(context, settings.AUTO_LOCK_MINUTES) == 4


def test_changes_are_audited_with_old_and_new_values(context: ServiceContext) -> None:
    settings.set_setting(context, settings.BACKUPS_TO_KEEP, 3)
    settings.set_setting(context, settings.BACKUPS_TO_KEEP, 7)
    with context.database.read_sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "settings").order_by(AuditEntry.id)
        ).all()
    assert [entry.action for entry in entries] == ["create", "update"]
    assert entries[-1].entity_id == "backup.keep"
    assert '"old": "3"' in entries[-1].details and '"new": "7"' in entries[-1].details


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "at least 1"), (101, "at most 100"), ("five", "whole number"), (True, "whole number")],
)
def test_bad_values_are_refused_next_to_the_setting(
    context: ServiceContext, value: object, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        settings.set_setting(context, settings.LOCKOUT_ATTEMPTS, value)
    assert message in caught.value.fields["security.lockout_attempts"]
    assert settings.get_setting(context, settings.LOCKOUT_ATTEMPTS) == 5


def test_saving_several_is_all_or_nothing(context: ServiceContext) -> None:
    with pytest.raises(ValidationError) as caught:
        settings.save_settings(
            context, {"security.lockout_minutes": 30, "security.auto_lock_minutes": -1}
        )
    assert set(caught.value.fields) == {"security.auto_lock_minutes"}
    assert settings.get_setting(context, settings.LOCKOUT_MINUTES) == 15
    with pytest.raises(NotFoundError):
        settings.save_settings(context, {"no.such.setting": 1})


def test_a_value_damaged_outside_the_app_falls_back_to_the_default(
    context: ServiceContext,
) -> None:
    with context.database.write_sessions() as session:
        session.add(Setting(key="security.lockout_attempts", value="lots"))
        session.commit()
    assert settings.get_setting(context, settings.LOCKOUT_ATTEMPTS) == 5


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.CLINICAL])
def test_staff_read_settings_but_cannot_change_them(context: ServiceContext, role: Role) -> None:
    staff = context.as_actor(make_actor(role, "staff"))
    assert settings.get_setting(staff, settings.AUTO_LOCK_MINUTES) == 10
    with pytest.raises(PermissionDeniedError):
        settings.set_setting(staff, settings.AUTO_LOCK_MINUTES, 30)


def test_paper_is_letter_or_a4(context: ServiceContext) -> None:
    assert settings.set_setting(context, settings.PAPER_SIZE, " A4 ").value == "a4"
    with pytest.raises(ValidationError) as error:
        settings.set_setting(context, settings.PAPER_SIZE, "legal")
    assert error.value.fields == {"documents.paper_size": "choose one of: letter, a4"}
    assert settings.get_setting(context, settings.PAPER_SIZE) == "a4"


def test_the_red_flag_instruction_can_never_be_emptied(context: ServiceContext) -> None:
    with pytest.raises(ValidationError) as error:
        settings.set_setting(context, settings.RED_FLAG_INSTRUCTION, "   ")
    assert "cannot be empty" in error.value.fields["requests.red_flag_instruction"]
    assert settings.get_setting(context, settings.RED_FLAG_INSTRUCTION).startswith("Please go")
