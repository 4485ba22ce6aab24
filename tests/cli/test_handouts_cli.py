"""frontdesk handouts list | check | review | folder | render, as a script or a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from frontdesk.cli.main import run
from frontdesk.db import migrate
from frontdesk.db.engine import Database
from frontdesk.services.kernel.context import ServiceContext
from frontdesk.services.practice import profile
from frontdesk.services.practice.forms import PracticeProfileForm
from tests.documents.pdfs import all_text, page_texts

BROKEN = """id: broken
title: Broken
language: en
version: 1
last reviewed: 2026-01-01
reviewer: Test
review due: 2027-01-01
categories: Other
---
Call us at {fax_number}.
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder of this test's own, so practice handouts do not leak between tests."""
    monkeypatch.setenv("FRONTDESK_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_list_json_gives_every_shipped_handout(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["handouts", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 12
    first = rows[0]
    assert set(first) >= {"id", "language", "title", "version", "review_due", "categories"}
    assert {(r["id"], r["language"]) for r in rows} >= {
        ("failed-back-syndrome", "en"),
        ("failed-back-syndrome", "es"),
    }


def test_list_filters_and_prints_a_table(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["handouts", "list", "--lang", "es", "--category", "spinal stenosis"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("spinal-stenosis") and "Estenosis espinal" in line for line in lines)
    assert all(" es " in line for line in lines)
    assert run(["handouts", "list", "--category", "sore back"]) == 2
    assert "unknown category 'sore back'" in capsys.readouterr().err


def test_a_broken_practice_file_is_named_but_the_list_still_works(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = home / "handouts"
    folder.mkdir(parents=True)
    (folder / "broken.en.txt").write_text(BROKEN, encoding="utf-8")
    assert run(["handouts", "list", "--json"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)) == 12
    assert f"warning: {folder / 'broken.en.txt'}, line 10: unknown placeholder" in captured.err


def test_check_passes_the_shipped_files_and_fails_on_a_broken_one(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["handouts", "check"]) == 0
    out = capsys.readouterr().out
    assert "handouts/failed-back-syndrome.en.txt: Flesch-Kincaid grade" in out
    assert "handouts/failed-back-syndrome.es.txt: Fernández-Huerta" in out
    assert "All 12 handout files are fine." in out
    folder = home / "handouts"
    folder.mkdir(parents=True)
    (folder / "broken.en.txt").write_text(BROKEN, encoding="utf-8")
    assert run(["handouts", "check"]) == 1
    err = capsys.readouterr().err
    assert f"problem: {folder / 'broken.en.txt'}, line 10:" in err


def test_folder_creates_the_practice_folder_with_the_guide(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["handouts", "folder"]) == 0
    folder = Path(capsys.readouterr().out.strip())
    assert folder == home / "handouts"
    assert (folder / "HOW-TO-EDIT.md").is_file()


def test_review_lists_each_handouts_recorded_review(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["handouts", "review", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 12
    assert all(set(row) >= {"id", "language", "review_due", "state", "days"} for row in rows)
    assert {row["state"] for row in rows} == {"pending"}  # a file's own claim does not count


def test_record_review_takes_the_draft_mark_off_that_text(
    home: Path,
    context: ServiceContext,
    current_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    save_profile(context)
    review = ["--database", current_url, "handouts", "record-review", "mri-ct-scan"]
    facts = ["--reviewer", "Dr. Ana Lindqvist", "--evidence", "ACR patient guidance 2025"]
    assert run([*review, "--lang", "en", *facts, "--on", "2099-01-01"]) == 2
    assert "a review cannot be in the future" in capsys.readouterr().err
    assert run([*review, "--lang", "en", *facts, "--on", "2026-12-01"]) == 0
    assert "Recorded the review of mri-ct-scan (en, version 1)" in capsys.readouterr().out
    assert run(["--database", current_url, "handouts", "review"]) == 0
    lines = capsys.readouterr().out.splitlines()
    mri = next(line for line in lines if line.startswith("mri-ct-scan") and " en " in line)
    assert "reviewed 2026-12-01 by Dr. Ana Lindqvist" in mri
    out = tmp_path / "mri.pdf"
    render = ["--database", current_url, "handouts", "render", "mri-ct-scan"]
    assert run([*render, "--patient-name", "Zoë", "--date", "2026-12-02", "-o", str(out)]) == 0
    text = all_text(out.read_bytes())
    assert "Draft" not in text and "Reviewed 2026-12-01 by Dr. Ana Lindqvist" in text
    spanish = tmp_path / "rm.pdf"
    assert run([*render, "--patient-name", "Zoë", "--lang", "es", "-o", str(spanish)]) == 0
    assert "Borrador: todavía sin revisar" in all_text(spanish.read_bytes())


@pytest.fixture
def current_url(database_url: str, database: Database) -> str:
    """The shared PostgreSQL test database, stamped with this app's schema again.

    tests/cli/test_db_cli.py stamps it '9999' (a newer schema) and the truncation between
    tests leaves that stamp, so every later command would refuse the database.
    """
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = :head"),
            {"head": migrate.head_revision()},
        )
    return database_url


def save_profile(context: ServiceContext) -> None:
    profile.save_profile(
        context,
        PracticeProfileForm(
            name="Lakeside Spine Center",
            address="100 Main St\nSpringfield, IL 62701",
            main_phone="(217) 555-0142",
            toll_free_phone="1-800-555-0199",
            website="lakeside-spine.example.com",
        ),
        None,
    )


def test_render_saves_a_personalized_pdf(
    home: Path,
    context: ServiceContext,
    current_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    save_profile(context)
    out = tmp_path / "handout.pdf"
    code = run(
        [
            "--database",
            current_url,
            "handouts",
            "render",
            "failed-back-syndrome",
            "--patient-name",
            "O'Connor & Sons <b>",
            "--lang",
            "es",
            "--large-print",
            "--note",
            "Traiga su disco de resonancia.",
            "--date",
            "2026-11-25",
            "-o",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "Saved failed-back-syndrome (es, version 2)" in capsys.readouterr().out
    pdf = out.read_bytes()
    pages = page_texts(pdf)
    text = all_text(pdf)
    assert "O'Connor & Sons <b>" in pages[0]
    assert "(217) 555-0142" in text and "(800) 555-0199" in text
    assert "Traiga su disco de resonancia." in text
    assert f"Página 1 de {len(pages)}" in pages[0]
    assert "25 de noviembre de 2026" in text
    assert list(tmp_path.glob(".handout-*")) == []  # no temporary file left behind


def test_render_falls_back_to_english_when_a_language_is_missing(
    home: Path,
    context: ServiceContext,
    current_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    save_profile(context)
    out = tmp_path / "handout.pdf"
    args = ["--database", current_url, "handouts", "render", "mri-ct-scan"]
    assert run([*args, "--patient-name", "Zoë", "--lang", "vi", "-o", str(out)]) == 0
    assert "has no vi version; printing the en version" in capsys.readouterr().err
    assert "Your MRI or CT scan" in all_text(out.read_bytes())
    assert run([*args[:-1], "no-such-handout", "--patient-name", "Zoë", "-o", str(out)]) == 1
    assert "There is no handout 'no-such-handout'" in capsys.readouterr().err


def test_render_needs_the_practice_profile(
    home: Path, current_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "handout.pdf"
    render = ["--database", current_url, "handouts", "render", "mri-ct-scan"]
    code = run([*render, "--patient-name", "Zoë", "-o", str(out)])
    assert code == 1
    assert "practice profile is not set up yet" in capsys.readouterr().err
    assert not out.exists()


def test_render_refuses_bad_arguments_with_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = str(tmp_path / "x.pdf")
    assert run(["handouts", "render", "mri-ct-scan", "-o", out]) == 2
    assert "--patient-name" in capsys.readouterr().err
    assert (
        run(
            [
                "handouts",
                "render",
                "mri-ct-scan",
                "--patient-name",
                "Z",
                "--date",
                "3/4/2026",
                "-o",
                out,
            ]
        )
        == 2
    )
    assert "not a date" in capsys.readouterr().err
