"""How an entry's user reads: the claimed Front Desk user, and the server login when it differs."""

from __future__ import annotations

from datetime import UTC, datetime

from frontdesk.services.platform.audit_trail import AuditEntryData
from frontdesk.ui.audit.display import summary_text, user_text


def _entry(username: str, db_user: str | None) -> AuditEntryData:
    return AuditEntryData(
        id=1,
        at=datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
        username=username,
        user_id=None,
        workstation="desk-1",
        action="view",
        entity="patients",
        entity_id="3",
        patient_id=3,
        details={},
        db_user=db_user,
    )


def test_a_claimed_user_shows_the_login_that_wrote_the_entry() -> None:
    assert user_text(_entry("ana", "frontdesk_app")) == "ana (database login frontdesk_app)"


def test_the_login_alone_or_the_same_name_shows_once() -> None:
    assert user_text(_entry("ana", None)) == "ana"  # SQLite, or written before 0010
    assert user_text(_entry("mallory", "mallory")) == "mallory"  # a change made around the app


def test_a_deletion_keeps_the_values_it_had() -> None:
    entry = _entry("ana", None)
    deleted = AuditEntryData(**{**vars(entry), "action": "delete", "details": {"values": {}}})
    created = AuditEntryData(**{**vars(entry), "action": "create", "details": {"values": {}}})
    assert summary_text(deleted) == "Values before deletion"
    assert summary_text(created) == "New record"
