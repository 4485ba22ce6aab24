"""`frontdesk requests letter ID -o DIR`: one letter per holder, each recorded; bad input is
one line on stderr and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.cli.main import run
from frontdesk.db.models import AuditEntry
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.patients.referrers import ReferrerData
from frontdesk.services.requests import intake
from tests.documents.pdfs import all_text
from tests.requests.conftest import maria_intake


def test_a_letter_per_holder_is_saved_and_recorded(
    database_url: str,
    context: ServiceContext,
    patel: ReferrerData,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = intake.create_request(context, maria_intake(referrer_id=patel.id))
    argv = ["--database", database_url, "requests", "letter", str(data.id), "-o", str(tmp_path)]
    assert run(argv) == 0
    out = capsys.readouterr().out
    assert "to Valley Imaging Center (2 records)" in out and "to Dr. Anil Patel" in out
    assert "2 letters saved" in out
    files = sorted(p.name for p in tmp_path.glob("records-request-*.pdf"))
    assert files == [
        f"records-request-{data.id}-dr-anil-patel.pdf",
        f"records-request-{data.id}-valley-imaging-center.pdf",
    ]
    imaging = " ".join(all_text((tmp_path / files[1]).read_bytes()).split())
    assert "Report: May 2024; MRI lumbar" in imaging and "Operative report" not in imaging
    with context.reading(None) as session:
        details = session.scalars(
            select(AuditEntry.details).where(AuditEntry.entity == "records_request_letter")
        ).all()
    assert sorted(f"file {name}" in d for d in details for name in files).count(True) == 2
    # A second run asks again: the records are requested but still missing.
    assert run(argv) == 0


@pytest.mark.parametrize(
    ("request_id", "folder", "message"),
    [
        ("twelve", "", "is not a request id"),
        ("0", "", "is not a request id"),
        ("{id}", "/no/such/folder", "there is no folder /no/such/folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    database_url: str,
    context: ServiceContext,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    request_id: str,
    folder: str,
    message: str,
) -> None:
    data = intake.create_request(context, maria_intake())
    argv = [
        "--database",
        database_url,
        "requests",
        "letter",
        request_id.format(id=data.id),
        "-o",
        folder or str(tmp_path),
    ]
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not list(tmp_path.glob("*.pdf"))


def test_a_request_with_nothing_missing_is_refused(
    database_url: str,
    context: ServiceContext,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = intake.create_request(
        context, maria_intake(prior_surgery=False, imaging_modality="", imaging_when="")
    )
    argv = ["--database", database_url, "requests", "letter", str(data.id), "-o", str(tmp_path)]
    assert run(argv) == 1
    assert "nothing to ask for" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.pdf"))
