"""The Requests work queue with 100,000 requests on SQLite and PostgreSQL: opening it (first
page and counts per state) and each filter change, against the goal of 100 ms.

A demo practice of 5,000 charts gets 100,000 requests (with their transitions, checklists
and contact attempts; one in seven assigned to a user). Baseline of each filter change: the
same filter's first page without the counts. PostgreSQL: a throwaway database on
FRONTDESK_BENCH_PG_URL, dropped afterwards.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from sqlalchemy import select, text, update

from bench.harness import Bench
from bench.scratch import on_sqlite_and_postgres
from frontdesk.db.models import User
from frontdesk.db.models_patients import Patient, Referrer
from frontdesk.db.models_requests import ConsultationRequest
from frontdesk.demo import generator as demo
from frontdesk.demo.requests import generate_requests
from frontdesk.domain.actor import Actor
from frontdesk.domain.permissions import Permission, Role
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.domain.request_states import RequestState, Urgency
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.platform.bootstrap import make_context, open_for_use
from frontdesk.services.requests import reading, work_queue
from frontdesk.services.requests.data import QueueFilter

ACTOR = Actor(username="bench", role=Role.ADMIN, workstation="bench")
PATIENTS = 5_000
REQUESTS = 100_000


def _fill(context: ServiceContext) -> tuple[int, int]:
    demo.generate(context, patients=PATIENTS, seed=5)
    with context.writing(Permission.EDIT_PRACTICE) as uow:
        connection = uow.session.connection()
        first = int(connection.scalar(select(Patient.id).order_by(Patient.id).limit(1)))
        referrers = list(connection.scalars(select(Referrer.id)))
        generate_requests(
            connection,
            first_patient_id=first,
            patients=PATIENTS,
            seed=11,
            today=date.today(),
            username="bench",
            referrer_ids=referrers,
            count=REQUESTS,
        )
        user = User(username="desk.bench", display_name="Desk Bench", role="front_desk")
        uow.session.add(user)
        uow.session.flush()
        connection.execute(
            update(ConsultationRequest)
            .where(ConsultationRequest.id % 7 == 0)
            .values(assignee_id=user.id)
        )
        uow.commit()
    # Fresh statistics and (PostgreSQL) a visibility map, as autovacuum leaves them soon after
    # a bulk load: the planners pick the indexes and counts can read the indexes alone.
    statement = "ANALYZE" if context.database.is_sqlite else "VACUUM ANALYZE"
    with context.database.write_engine.connect().execution_options(
        isolation_level="AUTOCOMMIT"
    ) as connection:
        connection.execute(text(statement))
    return user.id, referrers[0]


def _measure(bench: Bench, label: str, context: ServiceContext) -> None:
    started = time.perf_counter()
    user_id, referrer_id = _fill(context)
    bench.record(
        f"requests {label}: fill {REQUESTS:,} requests", time.perf_counter() - started, "s"
    )
    total = sum(work_queue.state_counts(context).values())
    bench.record(f"requests {label}: requests in the database", total, "requests")
    today = date.today()
    filters = {
        "open (default)": QueueFilter(open_only=True),
        "all states": QueueFilter(),
        "state awaiting records": QueueFilter(state=RequestState.AWAITING_RECORDS),
        "state seen": QueueFilter(state=RequestState.SEEN),
        "urgent": QueueFilter(urgency=Urgency.URGENT),
        "category failed back": QueueFilter(category=RequestCategory.FAILED_BACK),
        "assignee": QueueFilter(assignee_id=user_id),
        "referrer": QueueFilter(referrer_id=referrer_id),
        "received last 30 days": QueueFilter(received_from=today - timedelta(days=30)),
        "open + urgent + category": QueueFilter(
            open_only=True, urgency=Urgency.URGENT, category=RequestCategory.SPINAL_STENOSIS
        ),
    }
    for name, queue_filter in filters.items():
        page_only = f"requests {label}: first page only, {name}"
        bench.measure(
            page_only, lambda f=queue_filter: work_queue.queue(context, f), repeat=15, warmup=2
        )
        bench.measure(
            f"requests {label}: queue open / filter change, {name} (goal < 100 ms)",
            lambda f=queue_filter: work_queue.open_queue(context, f),
            repeat=15,
            warmup=2,
            baseline=page_only,
        )
    cursor = work_queue.queue(context, QueueFilter()).next_cursor
    bench.measure(
        f"requests {label}: next page (keyset), all states",
        lambda: work_queue.queue(context, QueueFilter(), cursor=cursor),
        repeat=15,
        warmup=2,
    )
    first = work_queue.queue(context, QueueFilter(open_only=True)).rows[0].id
    bench.measure(
        f"requests {label}: open one request (details)",
        lambda: reading.get_request(context, first),
        repeat=20,
        warmup=2,
    )


def _run(bench: Bench, label: str, url: str) -> None:
    database, _copy = open_for_use(url)
    try:
        _measure(bench, label, make_context(database, ACTOR))
    finally:
        database.dispose()


def run(bench: Bench) -> None:
    on_sqlite_and_postgres(bench, "frontdesk-bench-requests-", _run)
