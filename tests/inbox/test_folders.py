"""Watched folders: complete files taken once, moved after the commit, refusals noted."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from frontdesk.db.engine import Database
from frontdesk.demo.faxes import mri_lines, referral_lines, text_pdf
from frontdesk.services.inbox import folders, listing
from frontdesk.services.inbox.folders import FolderWatch
from frontdesk.services.kernel.context import ServiceContext
from tests.inbox.conftest import JOHN, MARIA


@pytest.fixture
def faxes(tmp_path: Path) -> Path:
    """The fax server's folder (the test's own folder also holds the SQLite database)."""
    folder = tmp_path / "faxes"
    folder.mkdir()
    return folder


def drop(folder: Path, name: str, data: bytes, *, age_s: float = 0) -> Path:
    path = folder / name
    path.write_bytes(data)
    if age_s:
        old = path.stat().st_mtime - age_s
        os.utime(path, (old, old))
    return path


def test_a_file_still_being_written_waits_for_the_next_look(
    front_desk: ServiceContext, faxes: Path
) -> None:
    path = drop(faxes, "fax1.pdf", text_pdf(mri_lines(MARIA)))
    watch = FolderWatch(faxes)
    assert folders.sweep(front_desk, watch) == []  # seen once, just written
    assert path.exists()
    arrivals = folders.sweep(front_desk, watch)  # unchanged since: complete
    assert [arrival.outcome for arrival in arrivals] == ["new"]
    assert not path.exists()
    assert (faxes / "imported" / "fax1.pdf").exists()
    assert [row.file_name for row in listing.unfiled(front_desk)] == ["fax1.pdf"]


def test_hidden_and_temporary_files_are_left_alone(front_desk: ServiceContext, faxes: Path) -> None:
    for name in (".fax.pdf", "~fax.pdf", "fax.pdf.part", "fax.tmp"):
        drop(faxes, name, text_pdf(mri_lines(MARIA)), age_s=60)
    assert folders.sweep(front_desk, FolderWatch(faxes)) == []


def test_a_refused_file_stays_with_a_note_and_is_not_tried_again_until_it_changes(
    database: Database, front_desk: ServiceContext, faxes: Path
) -> None:
    path = drop(faxes, "broken.pdf", b"%PDF-1.4 cut off", age_s=60)
    watch = FolderWatch(faxes)
    [arrival] = folders.sweep(front_desk, watch)
    assert arrival.refused and path.exists()
    note = faxes / "broken.pdf.why.txt"
    assert "damaged" in note.read_text(encoding="utf-8")
    assert folders.sweep(front_desk, watch) == []  # noted, unchanged
    now = note.stat().st_mtime
    os.utime(note, (now - 100, now - 100))
    drop(faxes, "broken.pdf", text_pdf(mri_lines(MARIA)), age_s=50)  # sent again, whole
    assert [a.outcome for a in folders.sweep(front_desk, FolderWatch(faxes))] == ["new"]
    assert not note.exists()


def test_two_workstations_watching_one_folder_take_each_file_once(
    front_desk: ServiceContext, faxes: Path
) -> None:
    for index in range(6):
        lines = [*referral_lines(JOHN), f"fax {index}"]
        drop(faxes, f"fax{index}.pdf", text_pdf(lines), age_s=60)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def workstation() -> None:
        start.wait()
        outcomes.extend(a.outcome for a in folders.sweep(front_desk, FolderWatch(faxes)))

    threads = [threading.Thread(target=workstation) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = listing.unfiled(front_desk)
    assert len(rows) == 6
    assert all(row.arrivals == 1 for row in rows)
    assert outcomes.count("new") == 6
    assert sorted(p.name for p in (faxes / "imported").iterdir()) == [
        f"fax{index}.pdf" for index in range(6)
    ]
    assert [p.name for p in faxes.iterdir() if p.is_file()] == []


def test_a_file_taken_by_another_workstation_mid_read_leaves_no_note(
    front_desk: ServiceContext, faxes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the two-workstation test hits now and then, made certain: this desk saw the
    file, the other desk moved it to imported/ before this one read it."""
    drop(faxes, "fax7.pdf", text_pdf(referral_lines(JOHN)), age_s=60)
    receive = folders.receive_file

    def taken_first(context: ServiceContext, path: Path, **kwargs: object) -> folders.Arrival:
        (faxes / "imported").mkdir(exist_ok=True)
        os.replace(path, faxes / "imported" / path.name)  # the other workstation
        return receive(context, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(folders, "receive_file", taken_first)
    [arrival] = folders.sweep(front_desk, FolderWatch(faxes))
    assert arrival.outcome == "taken"
    assert [p.name for p in faxes.iterdir() if p.is_file()] == []
