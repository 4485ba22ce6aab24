"""frontdesk handouts list | check | review | record-review | folder | render."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from frontdesk.cli.common import Parser, UsageError, print_json, service_context
from frontdesk.domain.errors import RefusedError
from frontdesk.domain.plurals import counted
from frontdesk.domain.request_categories import RequestCategory
from frontdesk.services.handouts import handout_prints, packet_visit, reviews
from frontdesk.services.handouts import library as handouts
from frontdesk.services.kernel import clock as practice_clock
from frontdesk.services.patients.lookup import find_by_mrn
from frontdesk.services.practice.profile import get_profile


def register(subparsers: argparse._SubParsersAction[Parser]) -> None:
    group = subparsers.add_parser("handouts", help="the patient handout library")
    sub = group.add_subparsers(dest="handouts_command", required=True, parser_class=Parser)

    listing = sub.add_parser("list", help="list the handouts (broken files are named on stderr)")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.add_argument("--lang", metavar="CODE", help="only this language, e.g. es")
    listing.add_argument(
        "--category", metavar="NAME", help="only handouts for this request category"
    )
    listing.add_argument("--search", metavar="WORDS", default="", help="words to look for")
    listing.set_defaults(handler=run_list)

    check = sub.add_parser(
        "check", help="check every handout file and its reading level; exit 1 on a problem"
    )
    check.set_defaults(handler=run_check)

    review = sub.add_parser(
        "review", help="each handout's recorded review; those not reviewed print as drafts"
    )
    review.add_argument("--json", action="store_true", help="print JSON for scripts")
    review.set_defaults(handler=run_review)

    record = sub.add_parser(
        "record-review",
        help="record that a clinician reviewed the current text of a handout (admins)",
    )
    record.add_argument("handout_id", metavar="ID", help="the handout id (see 'handouts list')")
    record.add_argument("--lang", required=True, metavar="CODE", help="its language, e.g. es")
    record.add_argument("--reviewer", required=True, metavar="NAME", help="who reviewed it")
    record.add_argument(
        "--on", required=True, metavar="DATE", help="the day of the review, e.g. 2026-12-01"
    )
    record.add_argument(
        "--evidence", required=True, metavar="TEXT", help="what it was checked against"
    )
    record.set_defaults(handler=run_record_review)

    folder = sub.add_parser("folder", help="create and print the practice's own handout folder")
    folder.set_defaults(handler=run_folder)

    render = sub.add_parser(
        "render",
        help="save a handout personalized for a patient as PDF (with --patient, it is "
        "recorded in the chart's handouts given)",
    )
    render.add_argument("handout_id", metavar="ID", help="the handout id (see 'handouts list')")
    who = render.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--patient", metavar="MRN", help="the patient's chart; the handout is logged as given"
    )
    who.add_argument(
        "--patient-name", metavar="NAME", help="a name only: nothing is logged (no chart)"
    )
    render.add_argument("--lang", default="en", metavar="CODE", help="language (default en)")
    size = render.add_mutually_exclusive_group()
    size.add_argument(
        "--large-print",
        dest="large_print",
        action="store_const",
        const=True,
        default=None,
        help="16 pt body text (default with --patient: as the chart says)",
    )
    size.add_argument(
        "--regular-print",
        dest="large_print",
        action="store_const",
        const=False,
        help="regular text even when the chart says large print",
    )
    render.add_argument(
        "--page-size", choices=["letter", "a4"], default=None, help="default: the practice's"
    )
    render.add_argument(
        "--appointment",
        type=int,
        metavar="ID",
        help="print this appointment (date, time, provider, location) on the handout",
    )
    render.add_argument("--note", default="", help="a personal note printed under the name")
    render.add_argument(
        "--date", type=_date, default=None, metavar="YYYY-MM-DD", help="date printed (today)"
    )
    render.add_argument("-o", "--output", required=True, metavar="FILE.pdf", type=Path)
    render.set_defaults(handler=run_render)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def _warn_problems(library: handouts.HandoutLibrary) -> None:
    for problem in library.problems:
        print(f"warning: {problem}", file=sys.stderr)


def run_list(args: argparse.Namespace) -> int:
    library = handouts.load_library()
    try:
        category = RequestCategory.parse(args.category) if args.category else None
    except ValueError as error:
        raise UsageError(str(error)) from None
    rows = handouts.list_handouts(
        library, args.search, language=args.lang or None, category=category
    )
    _warn_problems(library)
    if args.json:
        print_json([asdict(row) for row in rows])
        return 0
    if not rows:
        print("No handouts match.")
        return 0
    for row in rows:
        where = "" if row.origin == "shipped" else f"  [{row.origin}]"
        print(
            f"{row.id:<28} {row.language:<3} v{row.version:<5} review due "
            f"{row.review_due.isoformat()}  {row.title}{where}"
        )
    return 0


def run_check(args: argparse.Namespace) -> int:
    library = handouts.load_library()
    # A review is overdue by the practice's day, not the computer's (another zone, a server).
    with service_context(args) as context:
        today = practice_clock.today(context)
    report = handouts.check(library, today)
    for file_check in report.files:
        level = file_check.readability.describe() if file_check.readability else "no formula"
        print(f"{file_check.file}: {level}")
    for note in report.notes:
        print(f"note: {note}")
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    count = len(report.files)
    if report.ok:
        print(f"All {count} handout files are fine.")
        return 0
    print(f"{counted(len(report.problems), 'problem')} in the handout files.", file=sys.stderr)
    return 1


def run_review(args: argparse.Namespace) -> int:
    library = handouts.load_library()
    with service_context(args) as context:
        standings = reviews.list_standings(context, library)
        today = practice_clock.today(context)
    _warn_problems(library)
    if args.json:
        print_json(
            [
                {
                    "id": s.handout_id,
                    "language": s.language,
                    "title": s.title,
                    "version": s.version,
                    "sha256": s.handout_sha256,
                    "state": s.status.value,
                    "reviewed_on": s.review.reviewed_on if s.review else None,
                    "reviewer": s.review.reviewer if s.review else "",
                    "evidence": s.review.evidence if s.review else "",
                    "review_due": s.due_on,
                    "days": (s.due_on - today).days if s.due_on else None,
                }
                for s in standings
            ]
        )
        return 0
    for s in standings:
        if s.review is None:
            how = "not reviewed: prints as a draft"
        else:
            how = (
                f"reviewed {s.review.reviewed_on.isoformat()} by {s.review.reviewer}"
                f"{', overdue: prints as a draft' if s.is_draft else ''}"
            )
        print(f"{s.handout_id:<28} {s.language:<3} v{s.version:<5} {how}  {s.title}")
    return 0


def run_record_review(args: argparse.Namespace) -> int:
    handout = handouts.load_library().get(args.handout_id, args.lang)
    with service_context(args) as context:
        record = reviews.record_review(
            context, handout, reviews.ReviewForm(args.reviewer, args.on, args.evidence)
        )
    print(
        f"Recorded the review of {record.handout_id} ({record.language}, version "
        f"{record.version}) on {record.reviewed_on.isoformat()} by {record.reviewer}"
    )
    return 0


def run_folder(args: argparse.Namespace) -> int:
    print(handouts.create_practice_folder())
    return 0


def _write_atomically(path: Path, data: bytes) -> None:
    """Write next to the target and rename, so a failed write never leaves half a PDF."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=".handout-", suffix=".pdf", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_render(args: argparse.Namespace) -> int:
    if args.patient is not None:
        return _render_for_chart(args)
    # ReportLab loads only for the command that prints (keeps every other command quick).
    from frontdesk.documents import handout_pdf
    from frontdesk.documents.letterhead import PracticeDetails

    library = handouts.load_library()
    entry = library.pick(args.handout_id, args.lang)
    if entry.handout.language != args.lang:
        print(
            f"note: '{args.handout_id}' has no {args.lang} version; "
            f"printing the {entry.handout.language} version",
            file=sys.stderr,
        )
    with service_context(args) as context:
        day = args.date or practice_clock.today(context)
        profile = get_profile(context)
        mark, treatment = reviews.print_terms(context, entry.handout, day)
        page_size = args.page_size or handout_prints.practice_page_size(context)
        appointment = (
            packet_visit.appointment_for_handout(context, args.appointment)
            if args.appointment is not None
            else None
        )
    if profile is None:
        raise RefusedError(
            "The practice profile is not set up yet: add the practice's name and phone "
            "in Admin first (handouts print them)"
        )
    pdf = handout_pdf.render(
        entry.handout,
        PracticeDetails.from_profile(profile),
        args.patient_name,
        day,
        appointment=appointment,
        note=args.note,
        large_print=bool(args.large_print),
        page_size=page_size,  # type: ignore[arg-type]
        review=mark,
        treatment=treatment,
    )
    try:
        _write_atomically(args.output, pdf)
    except OSError as error:
        raise RefusedError(f"Cannot write {args.output}: {error.strerror or error}") from None
    print(
        f"Saved {entry.handout.id} ({entry.handout.language}, version "
        f"{entry.handout.version}) to {args.output}"
    )
    return 0


def _render_for_chart(args: argparse.Namespace) -> int:
    """Render for the chart with this MRN, save, and log it as given ("saved: FILE")."""
    library = handouts.load_library()
    with service_context(args) as context:
        patient_id = find_by_mrn(context, args.patient)
        appointment = (
            packet_visit.appointment_for_handout(context, args.appointment, patient_id)
            if args.appointment is not None
            else None
        )
        rendered = handout_prints.prepare(
            context,
            args.handout_id,
            args.lang,
            patient_id,
            appointment=appointment,
            note=args.note,
            large_print=args.large_print,
            page_size=args.page_size,
            library=library,
            today=args.date,
        )
        if rendered.fallback:
            print(
                f"note: '{args.handout_id}' has no {args.lang} version; "
                f"saving the {rendered.language} version",
                file=sys.stderr,
            )
        record = handout_prints.save_given(context, rendered, args.output, sanitize=False)
    print(
        f"Saved {record.handout_id} ({record.language}, version {record.version}) to "
        f"{args.output}; recorded as given in {record.patient_name}'s chart "
        f"(print log #{record.id})"
    )
    return 0
