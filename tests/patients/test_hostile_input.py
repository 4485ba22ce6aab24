"""Hostile text in search and charts: stored exactly or refused with a message, never executed."""

from __future__ import annotations

import pytest

from frontdesk.domain.errors import ValidationError
from frontdesk.domain.permissions import Role
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import referrers
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.patients.lookup import get_patient
from frontdesk.services.patients.referrers import ReferrerForm
from frontdesk.services.patients.search import search
from frontdesk.services.practice.forms import NewUserForm, ProviderForm
from frontdesk.services.practice.providers import save_provider
from frontdesk.services.practice.users import create_user

HOSTILE_SEARCHES = [
    "'; DROP TABLE patients; --",
    "%",
    "_",
    "\\",
    "a%b_c\\",
    "O'Connor\" OR 1=1 --",
    "\x00\x07\x1b[31m",
    "x" * 100_000,
    "\udcff\udcfe",  # invalid UTF-8 from a terminal, as Python hands it over
    "🙂 ✓ ∑",
]


@pytest.mark.parametrize("text", HOSTILE_SEARCHES, ids=range(len(HOSTILE_SEARCHES)))
def test_hostile_search_text_finds_nothing_and_breaks_nothing(
    context: ServiceContext, text: str
) -> None:
    create_patient(
        context, PatientForm(first_name="Seán", last_name="O'Connor", date_of_birth="1950-02-01")
    )
    try:
        page = search(context, text)
    except ValidationError as error:  # a clear refusal is fine too
        assert str(error)
    else:
        assert list(page.items) == []
    assert [row.last_name for row in search(context, "oconnor").items] == ["O'Connor"]


def test_markup_and_sql_in_names_are_stored_exactly(context: ServiceContext) -> None:
    form = PatientForm(
        first_name="<img src=x onerror=alert(1)>",
        last_name="Robert'); DROP TABLE patients;--",
        date_of_birth="3/4/1961",
        notes="n" * 10_000,
    )
    created = create_patient(context, form)
    loaded = get_patient(context, created.id)
    assert loaded.first_name == "<img src=x onerror=alert(1)>"
    assert loaded.last_name == "Robert'); DROP TABLE patients;--"
    assert loaded.notes == "n" * 10_000
    assert [row.id for row in search(context, "robert").items] == [created.id]


def test_control_characters_are_removed_and_spaces_trimmed(context: ServiceContext) -> None:
    created = create_patient(
        context,
        PatientForm(
            first_name="  Zoë\x00\x07 ", last_name=" Nguyễn\x1b ", date_of_birth="1990-01-02"
        ),
    )
    assert (created.first_name, created.last_name) == ("Zoë", "Nguyễn")


RIGHT_TO_LEFT_OVERRIDE = "\u202e"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_name", f"Smith{RIGHT_TO_LEFT_OVERRIDE}nosnhoJ", "text-direction"),
        ("first_name", "Ana\u2066Maria", "text-direction"),
        ("first_name", "Ana\nMaria", "one line"),
        ("middle_name", "Lu\u2028z", "one line"),
        ("emergency_contact_name", "Pat\r\nLee", "one line"),
        ("notes", f"calls back {RIGHT_TO_LEFT_OVERRIDE}gninrom", "text-direction"),
    ],
)
def test_direction_controls_and_line_breaks_in_names_are_refused_next_to_the_field(
    context: ServiceContext, field: str, value: str, message: str
) -> None:
    values = {"first_name": "Ana", "last_name": "Reyes", "date_of_birth": "1970-01-02"}
    with pytest.raises(ValidationError) as refused:
        create_patient(context, PatientForm(**{**values, field: value}))
    assert list(refused.value.fields) == [field]
    assert message in refused.value.fields[field]
    assert not search(context, "reyes").items


def test_notes_keep_their_line_breaks(context: ServiceContext) -> None:
    form = PatientForm("Ana", "Reyes", "1970-01-02", notes="prefers mornings\nbring MRI disc")
    created = create_patient(context, form)
    assert get_patient(context, created.id).notes == "prefers mornings\nbring MRI disc"


def test_other_people_s_names_refuse_direction_controls_too(context: ServiceContext) -> None:
    with pytest.raises(ValidationError) as referrer:
        referrers.save_referrer(context, ReferrerForm(last_name=f"Patel{RIGHT_TO_LEFT_OVERRIDE}"))
    assert "text-direction" in referrer.value.fields["last_name"]
    with pytest.raises(ValidationError) as provider:
        save_provider(context, ProviderForm(first_name="Ana\nB", last_name="Lee"))
    assert "one line" in provider.value.fields["first_name"]
    with pytest.raises(ValidationError) as user:
        create_user(
            context,
            NewUserForm(
                "desk.two",
                "a long enough passphrase 7",
                Role.FRONT_DESK,
                f"Desk{RIGHT_TO_LEFT_OVERRIDE}",
            ),
        )
    assert "text-direction" in user.value.fields["display_name"]
