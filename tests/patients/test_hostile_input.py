"""Hostile text in search and charts: stored exactly or refused with a message, never executed."""

from __future__ import annotations

import pytest

from frontdesk.domain.errors import ValidationError
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients import charts as patients
from frontdesk.services.patients.charts import PatientForm

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
    patients.create_patient(
        context, PatientForm(first_name="Seán", last_name="O'Connor", date_of_birth="1950-02-01")
    )
    try:
        page = patients.search(context, text)
    except ValidationError as error:  # a clear refusal is fine too
        assert str(error)
    else:
        assert list(page.items) == []
    assert [row.last_name for row in patients.search(context, "oconnor").items] == ["O'Connor"]


def test_markup_and_sql_in_names_are_stored_exactly(context: ServiceContext) -> None:
    form = PatientForm(
        first_name="<img src=x onerror=alert(1)>",
        last_name="Robert'); DROP TABLE patients;--",
        date_of_birth="3/4/1961",
        notes="n" * 10_000,
    )
    created = patients.create_patient(context, form)
    loaded = patients.get_patient(context, created.id)
    assert loaded.first_name == "<img src=x onerror=alert(1)>"
    assert loaded.last_name == "Robert'); DROP TABLE patients;--"
    assert loaded.notes == "n" * 10_000
    assert [row.id for row in patients.search(context, "robert").items] == [created.id]


def test_control_characters_are_removed_and_spaces_trimmed(context: ServiceContext) -> None:
    created = patients.create_patient(
        context,
        PatientForm(
            first_name="  Zoë\x00\x07 ", last_name=" Nguyễn\x1b ", date_of_birth="1990-01-02"
        ),
    )
    assert (created.first_name, created.last_name) == ("Zoë", "Nguyễn")
