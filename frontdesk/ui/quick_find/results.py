"""One quick search: a few charts, each with its next visit, open requests and alerts.

Three reads, each bounded by the few charts weighed (the search's best matches, then the
next visit and the open requests of those charts only), run together off the UI thread; the
best matched come first, then whoever is expected today or has a request open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from frontdesk.domain.search_query import QueryKind, SearchQuery, parse_search
from frontdesk.services.kernel.clock import practice_zone, today_in
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.forms import PatientSummary
from frontdesk.services.patients.search import best_matches, match_rank, ranks_matches
from frontdesk.services.requests.data import OpenRequests
from frontdesk.services.requests.reading import open_requests_for
from frontdesk.services.scheduling.data import AppointmentData
from frontdesk.services.scheduling.upcoming import next_appointments
from frontdesk.ui.patients.display import birth_date_text, phone_text

# One screenful: the desk narrows the search by typing rather than scrolling.
QUICK_FIND_LIMIT = 12
# The screenful is the best of this many matches (each then costs its visit and requests).
QUICK_FIND_WINDOW = 50


@dataclass(frozen=True)
class QuickFindResult:
    patient: PatientSummary
    next_appointment: AppointmentData | None
    open_requests: OpenRequests | None

    def alerts(self) -> list[str]:
        """What the desk must notice before speaking to this patient (also said in words)."""
        alerts = []
        if self.patient.interpreter_needed:
            language = self.patient.preferred_language or "language not recorded"
            alerts.append(f"Interpreter needed ({language})")
        if self.open_requests is not None and self.open_requests.red_flag:
            alerts.append("Red flag on an open request")
        return alerts

    def lines(self, zone: tzinfo) -> tuple[str, str]:
        """Who it is, then the next visit, open requests and alerts (plain text)."""
        patient = self.patient
        who = [patient.display_name, patient.mrn, f"born {birth_date_text(patient.date_of_birth)}"]
        if patient.phone:
            who.append(phone_text(patient.phone))
        facts = []
        visit = self.next_appointment
        if visit is None:
            facts.append("No visit booked")
        else:
            facts.append(
                f"Next: {visit.start.astimezone(zone):%a %m/%d/%Y %H:%M} with "
                f"{visit.provider_name} ({visit.type_name})"
            )
        requests = self.open_requests
        if requests is None:
            facts.append("no open request")
        else:
            if requests.count == 1:
                facts.append(f"1 open request ({requests.newest_state.label})")
            else:
                facts.append(f"{requests.count} open requests: {requests.states_text()}")
        facts.extend(f"⚠ {alert}" for alert in self.alerts())
        return " · ".join(who), " · ".join(facts)


@dataclass(frozen=True)
class QuickFindPage:
    text: str
    items: tuple[QuickFindResult, ...]
    # What the text was understood as, or why it finds nothing ("type at least ...").
    message: str
    # False when the text was empty or not searchable (the message says why).
    searched: bool
    # More charts match than are shown: type more to narrow it down.
    more: bool
    zone: tzinfo


def quick_find(context: ServiceContext, text: str, limit: int = QUICK_FIND_LIMIT) -> QuickFindPage:
    """Runs off the UI thread (through the Runner): the search's first page and, for those
    charts only, their next visit and open requests."""
    page = best_matches(context, text, window=max(limit, QUICK_FIND_WINDOW))
    ids = [item.id for item in page.items]
    visits = next_appointments(context, ids) if ids else {}
    requests = open_requests_for(context, ids) if ids else {}
    zone = practice_zone(context)
    found = [
        QuickFindResult(item, visits.get(item.id), requests.get(item.id)) for item in page.items
    ]
    today = today_in(zone)
    query = parse_search(text, today=today)
    if ranks_matches(query):
        # Equally well named (or sharing the phone ending): the one expected today, then the
        # one with a request open, is most likely the caller (sorted() keeps the search's
        # order among true equals).
        found.sort(key=lambda result: _likely_caller(result, query, today, zone))
    return QuickFindPage(
        text=text,
        items=tuple(found[:limit]),
        message=page.interpretation,
        searched=page.kind not in (QueryKind.EMPTY, QueryKind.INVALID),
        more=len(found) > limit or page.next_cursor is not None,
        zone=zone,
    )


def _likely_caller(
    result: QuickFindResult, query: SearchQuery, today: date, zone: tzinfo
) -> tuple[tuple[int, int, int], bool, bool]:
    visit = result.next_appointment
    visit_today = visit is not None and visit.start.astimezone(zone).date() == today
    return match_rank(result.patient, query), not visit_today, result.open_requests is None
