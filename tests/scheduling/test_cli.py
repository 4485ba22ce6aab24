"""`frontdesk appointments book|find|list|cancel` and `schedule export-ics`: output, JSON that
books as-is, names for providers and types, exit codes and one-line refusals; both backends."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from frontdesk.domain.scheduling import AppointmentStatus
from frontdesk.services.practice.forms import ProviderForm
from frontdesk.services.practice.providers import save_provider
from frontdesk.services.scheduling import booking, calendars
from frontdesk.services.scheduling.data import BookingForm
from tests.helpers.cli import frontdesk, one_line
from tests.scheduling.conftest import CHICAGO, Practice, at, next_weekday

MONDAY = next_weekday(0)
THURSDAY = next_weekday(3)


def test_find_json_books_as_is(
    database_url: str, clinic: Practice, capsys: pytest.CaptureFixture[str]
) -> None:
    after = at(MONDAY, 0).isoformat()
    code, out, _ = frontdesk(
        *("appointments", "find", "--type", "new consultation", "--provider", "okafor"),
        *("--after", after, "--limit", "3", "--json"),
        database=database_url,
        capsys=capsys,
    )
    assert code == 0
    slots = json.loads(out)
    assert len(slots) == 3
    first = slots[0]
    assert first["provider"] == "Adaeze Okafor, MD" and first["location"] == "Main office"
    assert datetime.fromisoformat(first["start"]) == at(MONDAY, 8)
    assert first["start"].endswith(("-06:00", "-05:00"))  # with its offset
    code, out, _ = frontdesk(
        *("appointments", "book", "--patient", clinic.patients[0].mrn),
        *("--provider", first["provider"], "--location", first["location"]),
        *("--type", "New consultation", "--start", first["start"], "--json"),
        *("--reason", "Failed fusion"),
        database=database_url,
        capsys=capsys,
    )
    assert code == 0
    booked = json.loads(out)
    assert booked["start"] == first["start"] and booked["end"] == first["end"]
    assert booked["status"] == "booked" and booked["patient"]["mrn"] == clinic.patients[0].mrn
    # The booked time is no longer offered.
    code, out, _ = frontdesk(
        *("appointments", "find", "--type", "New consultation", "--provider", "Okafor"),
        *("--after", after, "--limit", "1", "--json"),
        database=database_url,
        capsys=capsys,
    )
    assert json.loads(out)[0]["start"] != first["start"]


def test_book_reads_a_naive_time_on_the_practice_clock_and_prints_the_appointment(
    database_url: str, clinic: Practice, capsys: pytest.CaptureFixture[str]
) -> None:
    start = f"{THURSDAY.isoformat()}T14:00"
    code, out, _ = frontdesk(
        *("appointments", "book", "--patient", clinic.patients[1].mrn.lower()),
        *("--provider", str(clinic.okafor), "--type", str(clinic.type_id("Follow-up"))),
        *("--start", start),
        database=database_url,
        capsys=capsys,
    )
    assert code == 0
    assert out.startswith("Booked appointment ")
    assert "14:00–14:15 Follow-up with Adaeze Okafor, MD at Second office" in out
    assert "O'Connor, Seán" in out
    (item,) = calendars.day_appointments(clinic.context, THURSDAY)
    assert item.start == datetime.fromisoformat(start).replace(tzinfo=CHICAGO)


def test_a_time_just_booked_is_refused_in_one_line(
    database_url: str, clinic: Practice, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ("appointments", "book", "--provider", "okafor", "--type", "new consultation")
    start = at(MONDAY, 9).isoformat()
    assert (
        frontdesk(
            *base,
            "--patient",
            clinic.patients[0].mrn,
            "--start",
            start,
            database=database_url,
            capsys=capsys,
        )[0]
        == 0
    )
    later = at(MONDAY, 9, 30).isoformat()
    code, out, err = frontdesk(
        *base,
        "--patient",
        clinic.patients[1].mrn,
        "--start",
        later,
        database=database_url,
        capsys=capsys,
    )
    assert code == 1 and out == ""
    assert "just booked" in one_line(err)


def test_outside_availability_needs_overbook(
    database_url: str, clinic: Practice, capsys: pytest.CaptureFixture[str]
) -> None:
    args = (
        *("appointments", "book", "--patient", clinic.patients[0].mrn, "--provider", "Okafor"),
        *("--type", "Follow-up", "--start", f"{MONDAY.isoformat()}T15:00"),
        *("--location", "main office", "--json"),
    )
    code, _, err = frontdesk(*args, database=database_url, capsys=capsys)
    line = one_line(err)
    assert code == 1
    assert "no availability" in line and "--overbook" in line and "?" not in line
    code, out, _ = frontdesk(*args, "--overbook", database=database_url, capsys=capsys)
    assert code == 0 and json.loads(out)["overbooked"] is True


def test_list_a_day_and_cancel_one(
    database_url: str, clinic: Practice, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = [
        booking.book(
            clinic.context,
            BookingForm(
                patient_id=clinic.patients[index].id,
                provider_id=provider,
                type_id=clinic.type_id("Follow-up"),
                start=at(MONDAY, hour),
            ),
        ).id
        for index, provider, hour in [(0, clinic.okafor, 8), (2, clinic.lindqvist, 10)]
    ]
    code, out, _ = frontdesk(
        "appointments", "list", "--date", MONDAY.isoformat(), database=database_url, capsys=capsys
    )
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[-1] == "2 appointments"
    assert "08:00–08:15" in lines[0] and "Núñez-García, María José" in lines[0]
    assert "Nguyễn Thị, Hoa" in lines[1] and "Erik Lindqvist, MD" in lines[1]
    code, out, err = frontdesk(
        *("appointments", "cancel", str(ids[0]), "--reason", "Feeling better", "--by"),
        "practice",
        database=database_url,
        capsys=capsys,
    )
    assert code == 0 and out.startswith(f"Cancelled appointment {ids[0]}:")
    code, out, _ = frontdesk(
        *("appointments", "list", "--date", MONDAY.isoformat(), "--provider", "Okafor"),
        "--json",
        database=database_url,
        capsys=capsys,
    )
    (item,) = json.loads(out)
    assert item["status"] == AppointmentStatus.CANCELLED.value
    assert item["cancelled_by"] == "practice" and item["cancel_reason"] == "Feeling better"
    code, _, err = frontdesk(
        "appointments",
        "cancel",
        str(ids[0]),
        "--reason",
        "again",
        database=database_url,
        capsys=capsys,
    )
    assert code == 1 and "already cancelled" in one_line(err)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--start", "next monday"], 2, "--start"),
        (["--provider", "md"], 2, "matches several providers: Erik Lindqvist, MD (id"),
        (["--provider", "Smith"], 2, "no provider is called 'Smith'"),
        (["--provider", "99"], 2, "no provider with id 99"),
        (["--type", "massage"], 2, "no appointment type is called"),
        (["--location", "Downtown"], 2, "no location is called"),
        (["--start", "+2years"], 2, "years ahead"),
        (["--start", "past"], 2, "that day has passed"),
        (["--patient", "M0999999"], 1, "no patient with MRN M0999999"),
        (["--provider", "Hill"], 1, "no longer active"),
        (["--request", "404"], 1, "no consultation request"),
    ],
)
def test_bad_input_and_refusals_are_one_line(
    database_url: str,
    clinic: Practice,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    save_provider(clinic.context, ProviderForm(first_name="Grace", last_name="Hill", active=False))
    values = {
        "--patient": clinic.patients[0].mrn,
        "--provider": "okafor",
        "--type": "follow-up",
        "--start": at(MONDAY, 8).isoformat(),
    }
    flags = dict(zip(args[::2], args[1::2], strict=True))
    special = {
        "+2years": at(MONDAY + timedelta(days=3 * 366), 8).isoformat(),
        "past": (datetime.now(CHICAGO) - timedelta(days=2)).replace(microsecond=0).isoformat(),
    }
    values.update({key: special.get(value, value) for key, value in flags.items()})
    argv = ["appointments", "book"] + [part for pair in values.items() for part in pair]
    got, out, err = frontdesk(*argv, database=database_url, capsys=capsys)
    assert (got, out) == (code, "")
    assert message.lower() in one_line(err).lower()


def test_export_ics_from_the_command_line(
    database_url: str, clinic: Practice, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    booking.book(
        clinic.context,
        BookingForm(
            patient_id=clinic.patients[0].id,
            provider_id=clinic.okafor,
            type_id=clinic.type_id("New consultation"),
            start=at(MONDAY, 8),
        ),
    )
    target = tmp_path / "okafor.ics"
    code, out, _ = frontdesk(
        *("schedule", "export-ics", "--provider", "Adaeze Okafor, MD"),
        *("--from", MONDAY.isoformat(), "--to", (MONDAY + timedelta(days=6)).isoformat()),
        *("-o", str(target)),
        database=database_url,
        capsys=capsys,
    )
    assert code == 0
    assert "Exported 1 appointment of Adaeze Okafor, MD" in out and "initials only" in out
    (event,) = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "New consultation – M.J.N.G."
    code, _, err = frontdesk(
        *("schedule", "export-ics", "--provider", "okafor", "--from", "2030-01-09"),
        *("--to", "2030-01-08", "-o", str(target)),
        database=database_url,
        capsys=capsys,
    )
    assert code == 2 and "before the first" in one_line(err)


def test_the_installed_command_finds_slots_in_its_own_process(
    database_url: str, clinic: Practice
) -> None:
    result = frontdesk(
        *("appointments", "find", "--type", "Follow-up", "--provider", "lindqvist"),
        *("--limit", "2", "--json"),
        database=database_url,
        env={"QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.code == 0, result.err
    slots = json.loads(result.out)
    assert [slot["provider"] for slot in slots] == ["Erik Lindqvist, MD"] * 2
