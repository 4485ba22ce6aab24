"""Pre-visit packets: 100 appointments in one day (goal: all 100 packets in under 10 s).

Half the appointments are new consultations (their packets carry the surgeon's history
summary), half have a consultation request (letter, personal list and the category's
handouts), a third of the patients read Spanish. Measured on SQLite: the work is rendering.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.harness import Bench
from frontdesk.domain.actor import Actor
from frontdesk.domain.history_records import ImagingForm
from frontdesk.domain.permissions import Role
from frontdesk.domain.request_states import RequestState
from frontdesk.services.handouts import library as handouts
from frontdesk.services.handouts import packets
from frontdesk.services.handouts.packet_data import PacketOptions
from frontdesk.services.history.imaging import add_imaging
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.edit import create_patient
from frontdesk.services.patients.forms import PatientForm
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.practice.forms import LocationForm, PracticeProfileForm, ProviderForm
from frontdesk.services.practice.locations import save_location
from frontdesk.services.practice.profile import get_profile, save_profile
from frontdesk.services.practice.providers import save_provider
from frontdesk.services.requests import intake, states
from frontdesk.services.requests.data import IntakeForm
from frontdesk.services.scheduling import appointment_types, availability, booking
from frontdesk.services.scheduling.data import AvailabilityForm, BookingForm

ACTOR = Actor(username="bench", role=Role.ADMIN, workstation="bench", display_name="bench")
ZONE = ZoneInfo("America/Chicago")
PACKETS = 100
PROVIDERS = 5
CATEGORIES = ("failed_back", "spinal_stenosis", "second_opinion", "herniated_disc")


def _day() -> dt.date:
    start = dt.datetime.now(ZONE).date() + dt.timedelta(days=14)
    return start + dt.timedelta(days=(0 - start.weekday()) % 7)  # a Monday


def _setup(context: ServiceContext, day: dt.date) -> None:
    save_profile(
        context,
        PracticeProfileForm(
            name="Lakeside Spine Center",
            address="100 Main St\nSpringfield, IL 62701",
            main_phone="(217) 555-0142",
            toll_free_phone="1-800-555-0199",
            website="lakeside-spine.example.com",
            time_zone="America/Chicago",
        ),
        None,
    )
    location = save_location(context, LocationForm(name="Main office"))
    appointment_types.install_default_types(context)
    types = {row.name: row.id for row in appointment_types.list_appointment_types(context)}
    providers = []
    for number in range(PROVIDERS):
        provider = save_provider(
            context,
            ProviderForm(first_name="Surgeon", last_name=f"Number{number}", credentials="MD"),
        )
        availability.save_availability(
            context, AvailabilityForm(provider.id, location.id, 0, "6:00", "20:00")
        )
        providers.append(provider.id)
    slots: dict[int, dt.datetime] = {
        pid: dt.datetime.combine(day, dt.time(6, 0), tzinfo=ZONE) for pid in providers
    }
    for index in range(PACKETS):
        spanish = index % 3 == 0
        patient = create_patient(
            context,
            PatientForm(
                first_name="María José" if spanish else "Seán",
                last_name=f"Núñez-García {index}" if spanish else f"O'Connor {index}",
                date_of_birth="3/4/1961",
                mobile_phone="(217) 555-0188",
                preferred_language="Spanish" if spanish else "",
                address_line1=f"{index} Oak St",
                city="Springfield",
                state="IL",
                postal_code="62701",
            ),
            allow_duplicates=True,
        )
        if index % 4 != 3:
            add_imaging(
                context,
                patient.id,
                ImagingForm(modality="mri", regions=("lumbar",), date="May 2024"),
            )
        request_id = None
        if index % 2 == 0:
            request = intake.create_request(
                context,
                IntakeForm(
                    patient_id=patient.id,
                    phone="(217) 555-0188",
                    reason="Back pain",
                    category=CATEGORIES[index % len(CATEGORIES)],
                    prior_surgery=True,
                    prior_surgery_count=1,
                    prior_surgery_last_year=2019,
                ),
            )
            states.transition(
                context, request.id, RequestState.READY_TO_SCHEDULE, override_reason="bench"
            )
            request_id = request.id
        provider = providers[index % PROVIDERS]
        kind = "New consultation" if index % 2 == 1 else "Follow-up"
        appointment = booking.book(
            context,
            BookingForm(patient.id, provider, types[kind], slots[provider], request_id=request_id),
        )
        slots[provider] = appointment.end


def run(bench: Bench) -> None:
    day = _day()
    library = handouts.load_library(include_practice=False)
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-packets-") as folder:
        database, _copy = open_for_use(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        try:
            context = make_context(database, ACTOR)
            _setup(context, day)
            batch = packets.build_packets(context, day, library=library)
            if len(batch.packets) != PACKETS:
                raise RuntimeError(f"expected {PACKETS} packets, built {len(batch.packets)}")
            pages = sum(packet.pdf.count(b"/Type /Page\n") for packet in batch.packets)
            bench.record("packets: pages in 100 packets", pages, "pages")
            # The same run's yardstick: one personalized two-page handout (bench_handouts'
            # figure; the machine's load moves both alike).
            from frontdesk.documents import handout_pdf
            from frontdesk.documents.letterhead import PracticeDetails

            profile = get_profile(context)
            assert profile is not None
            bench.measure(
                "packets: yardstick, one 2-page handout",
                lambda: handout_pdf.render(
                    library.get("failed-back-syndrome", "en"),
                    PracticeDetails.from_profile(profile),
                    "Nguyễn Thị Hoa",
                    day,
                ),
                repeat=10,
                warmup=2,
            )
            cpu_seconds: list[float] = []

            def build_and_count_cpu() -> None:
                started = time.process_time()
                packets.build_packets(context, day, library=library)
                cpu_seconds.append(time.process_time() - started)

            per_patient = bench.measure(
                "packets: 100 packets, one PDF each (goal < 10 s)",
                build_and_count_cpu,
                repeat=3,
                warmup=0,
                baseline="packets: yardstick, one 2-page handout",
            )
            bench.record("packets: throughput", PACKETS / per_patient.median, "packets/s")
            # The process's own CPU time: other processes on a shared machine move the
            # wall-clock figure far more than this one.
            for seconds in cpu_seconds:
                bench.record("packets: CPU time per packet", seconds / PACKETS * 1000, "ms")
            bench.measure(
                "packets: 100 packets in one combined PDF",
                lambda: packets.build_packets(
                    context, day, options=PacketOptions(combined=True), library=library
                ),
                repeat=3,
                warmup=0,
                baseline="packets: 100 packets, one PDF each (goal < 10 s)",
            )
            out = Path(folder) / "out"
            counter = iter(range(1000))
            bench.measure(
                "packets: save 100 files and log every handout",
                lambda: packets.save_packets(context, batch, out / str(next(counter))),
                repeat=3,
                warmup=0,
            )
        finally:
            database.dispose()
