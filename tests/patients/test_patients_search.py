"""Patient search: forgiving names in any order, birth dates, phones, MRNs, and stable pages."""

from __future__ import annotations

from dataclasses import replace

import pytest

from frontdesk.domain.errors import PermissionDeniedError, ValidationError
from frontdesk.domain.names import tokens_match_words
from frontdesk.domain.permissions import Role
from frontdesk.domain.search_query import QueryKind
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient, update_patient
from frontdesk.services.patients.forms import PatientData, PatientForm, SearchPage
from frontdesk.services.patients.merge import merge_patients
from frontdesk.services.patients.search import best_matches, search
from tests.conftest import make_actor

PEOPLE = [
    PatientForm("María José", "Núñez-García", "1961-03-04", mobile_phone="(217) 555-0142"),
    PatientForm("Maria", "Nunez", "1961-04-03", home_phone="312-555-0177"),
    PatientForm("Seán", "O'Connor", "1958-09-17", work_phone="+44 20 7946 0958"),
    PatientForm("Garcia", "Marquez", "1970-01-01"),
    PatientForm("王", "小明", "1980-02-02"),
    PatientForm("Иван", "Петров", "1975-05-05"),
    PatientForm("Bob", "Smith", "1990-06-06", preferred_name="Robert"),
]


@pytest.fixture
def people(context: ServiceContext) -> dict[str, PatientData]:
    charts = {}
    for form in PEOPLE:
        chart = create_patient(context, form, allow_duplicates=True)
        charts[form.last_name] = chart
    return charts


def names(page: SearchPage) -> list[str]:
    return [item.display_name for item in page.items]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nunez", ["Nunez, Maria", "Núñez-García, María José"]),
        ("NÚÑEZ", ["Nunez, Maria", "Núñez-García, María José"]),
        ("oconnor", ["O'Connor, Seán"]),
        ("o'con", ["O'Connor, Seán"]),
        ("connor", ["O'Connor, Seán"]),
        ("sean", ["O'Connor, Seán"]),
        ("garc mar", ["Marquez, Garcia", "Núñez-García, María José"]),
        ("maria garcia", ["Núñez-García, María José"]),
        ("garcia maria", ["Núñez-García, María José"]),
        ("nunez mar", ["Nunez, Maria", "Núñez-García, María José"]),
        ("m j n", ["Núñez-García, María José"]),
        ("mar mar", []),  # two words need two names starting with them
        ("marq gar", ["Marquez, Garcia"]),
        ("王", ["小明, 王"]),
        ("wang", ["小明, 王"]),
        ("петр", ["Петров, Иван"]),
        ("ivan", ["Петров, Иван"]),
        ("robert", ["Smith, Bob"]),
        ("zzz", []),
    ],
)
def test_names_in_any_order_ignoring_case_accents_and_script(
    context: ServiceContext, people: dict[str, PatientData], text: str, expected: list[str]
) -> None:
    page = search(context, text)
    assert page.kind is QueryKind.NAME
    assert sorted(names(page)) == sorted(expected)


@pytest.mark.parametrize(
    "text", ["3/4/1961", "03-04-1961", "1961-03-04", "03/04/1961", "03041961", "3/4/61"]
)
def test_birth_date_in_common_formats(
    context: ServiceContext, people: dict[str, PatientData], text: str
) -> None:
    assert names(search(context, text)) == ["Núñez-García, María José"]


def test_birth_date_with_a_name(context: ServiceContext, people: dict[str, PatientData]) -> None:
    assert names(search(context, "nunez 4/3/1961")) == ["Nunez, Maria"]
    assert names(search(context, "smith 4/3/1961")) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(217) 555-0142", "Núñez-García, María José"),
        ("2175550142", "Núñez-García, María José"),
        ("+1 217 555 0142", "Núñez-García, María José"),
        ("0142", "Núñez-García, María José"),
        ("555-0177", "Nunez, Maria"),
        ("0177", "Nunez, Maria"),
        ("+44 20 7946 0958", "O'Connor, Seán"),
        ("0958", "O'Connor, Seán"),
    ],
)
def test_phone_in_any_format_or_its_last_digits(
    context: ServiceContext, people: dict[str, PatientData], text: str, expected: str
) -> None:
    assert names(search(context, text)) == [expected]


def test_mrn(context: ServiceContext, people: dict[str, PatientData]) -> None:
    chart = people["O'Connor"]
    number = int(chart.mrn[1:])
    for text in (chart.mrn, chart.mrn.lower(), f"m{number}", f"{number:04d}"):
        assert names(search(context, text))[:1] == ["O'Connor, Seán"], text


def test_hints_instead_of_results(context: ServiceContext) -> None:
    page = search(context, "12")
    assert page.kind is QueryKind.INVALID and "4 digits" in page.interpretation
    page = search(context, "2/30/1961")
    assert page.kind is QueryKind.INVALID and "not a real date" in page.interpretation
    assert search(context, "   ").items == ()


def test_results_follow_edits_and_json_has_the_fields_scripts_need(
    context: ServiceContext, people: dict[str, PatientData]
) -> None:
    chart = people["O'Connor"]
    update_patient(context, chart.id, replace(chart.form(), last_name="Ó Conchúir"), chart.version)
    assert names(search(context, "oconnor")) == []
    (item,) = search(context, "conchuir sean").items
    assert item.to_json() == {
        "id": chart.id,
        "mrn": chart.mrn,
        "first_name": "Seán",
        "middle_name": "",
        "last_name": "Ó Conchúir",
        "preferred_name": "",
        "date_of_birth": "1958-09-17",
        "phone": "+442079460958",
    }


def _all_pages(context: ServiceContext, text: str, size: int) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = search(context, text, limit=size, cursor=cursor)
        pages.append([item.id for item in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages


@pytest.mark.parametrize("text", ["s", "smi", "sm jo", "4321"])
def test_pages_never_repeat_or_skip(context: ServiceContext, text: str) -> None:
    # Many people sharing names and phone endings, some matching one word twice
    # ("Sam Smith"), so de-duplication and page boundaries are exercised.
    firsts = ["Sam", "John", "Joan", "Sara", "Jo"]
    lasts = ["Smith", "Smithers", "Jones", "Smith-Jones", "Stone"]
    expected = set()
    for index in range(60):
        first, last = firsts[index % 5], lasts[(index // 5) % 5]
        chart = create_patient(
            context,
            PatientForm(
                first, last, f"1970-01-{index % 28 + 1:02d}", mobile_phone=f"217-{200 + index}-4321"
            ),
            allow_duplicates=True,
        )
        tokens = f"{first} {last}".lower().replace("-", " ").split()
        if text.isdigit() or tokens_match_words(tokens, text.split()):
            expected.add(chart.id)
    everything = [pid for page in _all_pages(context, text, 500) for pid in page]
    paged = [pid for page in _all_pages(context, text, 7) for pid in page]
    assert paged == everything  # same order, nothing repeated, nothing skipped
    assert len(set(paged)) == len(paged)
    assert set(paged) == expected


def test_a_foreign_cursor_is_refused(context: ServiceContext) -> None:
    with pytest.raises(ValidationError):
        search(context, "smith", cursor="not-a-cursor!")


def test_search_needs_permission_to_view_patients(context: ServiceContext) -> None:
    # Every role may view patients today; an actor whose role lacks it would be refused.
    desk = context.as_actor(make_actor(Role.FRONT_DESK, "desk"))
    assert search(desk, "smith").kind is QueryKind.NAME
    with pytest.raises(PermissionDeniedError):
        merge_patients(desk, 1, 2)


def test_best_matches_put_a_first_name_before_a_middle_name(context: ServiceContext) -> None:
    # Issue #16: "seán o'connor" listed Ciarán Seán O'Connor first (his middle name), so
    # Enter in the quick search opened the wrong chart.
    for first, middle in [("Ciarán", "Seán"), ("Seán", "Patrick"), ("Aoife", "")]:
        create_patient(
            context,
            PatientForm(first, "O'Connor", "1960-01-01", middle_name=middle),
            allow_duplicates=True,
        )
    page = best_matches(context, "seán o'connor")
    assert names(page) == ["O'Connor, Seán Patrick", "O'Connor, Ciarán Seán"]
    assert names(best_matches(context, "o'connor"))[0] == "O'Connor, Aoife"  # equals: A to Z
    assert best_matches(context, "o'connor", window=2).next_cursor is not None


def test_a_chart_found_by_a_phone_shows_the_phone_that_matched(context: ServiceContext) -> None:
    # Issue #16: "4027" listed (331) 336-7812, his mobile; the home phone had matched.
    create_patient(
        context,
        PatientForm(
            "Tomás", "Reyes", "1970-02-02", mobile_phone="331-336-7812", home_phone="331-555-4027"
        ),
    )
    [found] = search(context, "4027").items
    assert found.phone == "+13315554027"
    assert search(context, "7812").items[0].phone == "+13313367812"
    assert search(context, "reyes").items[0].phone == "+13313367812"  # by name: the first one
