"""The practice profile, providers and locations on both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from frontdesk.db.engine import Database
from frontdesk.db.models import AuditEntry
from frontdesk.domain.errors import ConflictError, PermissionDeniedError, ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel import context as kernel_context
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice.first_run import complete_first_run, needs_first_run
from frontdesk.services.practice.forms import LocationForm, PracticeProfileForm, ProviderForm
from frontdesk.services.practice.locations import save_location
from frontdesk.services.practice.profile import get_profile, save_profile
from frontdesk.services.practice.providers import list_providers, save_provider
from tests.conftest import make_actor

PROFILE = PracticeProfileForm(
    name="  Lakeside Spine Center ",
    address="100 Main St\nSpringfield, IL 62701",
    main_phone="(217) 555-0142",
    toll_free_phone="1-800-555-0199",
    fax="217.555.0143",
    website="lakeside-spine.example.com",
)
SURGEON = ProviderForm(first_name="Ana", last_name="Lindqvist", credentials="MD", specialty="Spine")


def test_first_run_saves_profile_and_providers_together(context: ServiceContext) -> None:
    assert needs_first_run(context)
    saved = complete_first_run(context, PROFILE, [SURGEON])
    assert saved.name == "Lakeside Spine Center"
    assert saved.main_phone == "+12175550142"
    assert saved.fax == "+12175550143"
    assert saved.website == "https://lakeside-spine.example.com"
    assert not needs_first_run(context)
    assert [p.display_name for p in list_providers(context)] == ["Ana Lindqvist, MD"]


def test_first_run_with_a_bad_field_writes_nothing(context: ServiceContext) -> None:
    bad = ProviderForm(first_name="", last_name="Lindqvist")
    with pytest.raises(ValidationError) as caught:
        complete_first_run(context, PracticeProfileForm(name="X", main_phone="12"), [SURGEON, bad])
    assert set(caught.value.fields) == {"main_phone", "provider1.first_name"}
    assert get_profile(context) is None
    assert list_providers(context) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("main_phone", "", "required"),
        ("main_phone", "555-01", "phone"),
        ("website", "not a site", "web address"),
        ("website", "ftp://files.example.com", "web address"),
        ("logo", b"MZ\x90\x00 not an image", "not a readable"),
        ("name", "   ", "required"),
    ],
)
def test_profile_fields_are_validated_one_by_one(
    context: ServiceContext, field: str, value: object, message: str
) -> None:
    form = PracticeProfileForm(**{**PROFILE.__dict__, field: value})
    with pytest.raises(ValidationError) as caught:
        save_profile(context, form, None)
    assert list(caught.value.fields) == [field]
    assert message in caught.value.fields[field]


def test_a_save_over_a_newer_save_is_refused_and_names_who(database: Database) -> None:
    alice = kernel_context.ServiceContext(database, make_actor(username="alice"))
    bob = kernel_context.ServiceContext(database, make_actor(username="bob"))
    first = save_profile(alice, PROFILE, None)
    save_profile(bob, PracticeProfileForm(**{**PROFILE.__dict__, "fax": ""}), first.version)
    with pytest.raises(ConflictError, match="bob changed this practice profile"):
        save_profile(
            alice, PracticeProfileForm(**{**PROFILE.__dict__, "name": "Mine"}), first.version
        )
    current = get_profile(alice)
    assert current is not None and current.name == "Lakeside Spine Center" and current.fax == ""


def test_front_desk_may_read_but_not_edit_the_profile(database: Database) -> None:
    desk = kernel_context.ServiceContext(database, make_actor(Role.FRONT_DESK, "desk"))
    with pytest.raises(PermissionDeniedError):
        save_profile(desk, PROFILE, None)
    assert get_profile(desk) is None


def test_locations_have_unique_names(context: ServiceContext) -> None:
    save_location(context, LocationForm(name="Main office", phone="217-555-0100"))
    with pytest.raises(ValidationError) as caught:
        save_location(context, LocationForm(name="main OFFICE"))
    assert "name" in caught.value.fields


def test_changes_are_audited_with_old_and_new_values(context: ServiceContext) -> None:
    first = save_profile(context, PROFILE, None)
    save_profile(
        context, PracticeProfileForm(**{**PROFILE.__dict__, "fax": "217-555-0188"}), first.version
    )
    with context.reading(None) as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.entity, e.entity_id) for e in entries] == [
        ("create", "practice_profile", "1"),
        ("update", "practice_profile", "1"),
    ]
    assert json.loads(entries[1].details)["changes"] == {
        "fax": {"old": "+12175550143", "new": "+12175550188"}
    }
    assert entries[1].prev_hash == entries[0].hash
    assert entries[0].username == "test.admin"


def test_a_created_record_is_audited_with_its_id(context: ServiceContext) -> None:
    provider = save_provider(context, SURGEON)
    with context.reading(None) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity == "providers")).one()
    values = json.loads(entry.details)["values"]
    assert (entry.action, entry.entity_id) == ("create", str(provider.id))
    assert values["id"] == provider.id
    assert values["last_name"] == "Lindqvist"


def test_first_run_saves_the_location_and_usual_hours_or_nothing(
    context: ServiceContext,
) -> None:
    from frontdesk.services.practice.locations import list_locations
    from frontdesk.services.scheduling.availability import list_availability
    from frontdesk.services.scheduling.usual_hours import UsualHoursForm, has_weekly_hours

    profile = PracticeProfileForm(name="Lakeside Spine Center", main_phone="217-555-0142")
    surgeons = [
        ProviderForm(first_name="Ana", last_name="Lindqvist"),
        ProviderForm(first_name="Seán", last_name="Ó Briain"),
    ]
    with pytest.raises(ValidationError) as refused:
        complete_first_run(
            context,
            profile,
            surgeons,
            LocationForm(name="", phone="555-01"),
            UsualHoursForm(weekdays=(), start="9:00", end="25:00"),
        )
    assert set(refused.value.fields) == {
        "location.name",
        "location.phone",
        "hours.weekdays",
        "hours.end",
    }
    assert needs_first_run(context) and not has_weekly_hours(context)

    complete_first_run(
        context, profile, surgeons, LocationForm(name="Main office"), UsualHoursForm((1, 3))
    )
    [location] = list_locations(context)
    blocks = list_availability(context)
    assert sorted((b.provider_name, b.weekday, b.location_id) for b in blocks) == [
        (name, day, location.id) for name in ("Ana Lindqvist", "Seán Ó Briain") for day in (1, 3)
    ]
    assert all((b.start_minute, b.end_minute, b.type_ids) == (480, 1020, ()) for b in blocks)
    assert has_weekly_hours(context)
