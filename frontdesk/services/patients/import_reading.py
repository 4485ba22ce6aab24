"""CSV import, step 1: reading the file (encoding, delimiter, records with their line numbers).

Decodes the file (UTF-8 with or without BOM; Windows-1252 only as a reported fallback) and
splits it into records, each with the line it starts on (the header is line 1). A file that
cannot be read as CSV is refused with one clear sentence.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from frontdesk.domain.contact import clean_text
from frontdesk.domain.errors import ValidationError

MAX_FILE_BYTES = 256 * 1024 * 1024


MAX_ROWS = 1_000_000


MAX_COLUMNS = 300


class ImportFileError(ValidationError):
    """The file cannot be read as a CSV of patients (exit 2); nothing was imported."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": message}, message)


@dataclass(frozen=True)
class CsvRecord:
    line: int  # the line the record starts on; the header is line 1
    cells: tuple[str, ...]


@dataclass(frozen=True)
class CsvTable:
    """A CSV file read into memory: its header, its records, and how it was decoded."""

    file_name: str
    headers: tuple[str, ...]
    records: tuple[CsvRecord, ...] = field(repr=False)
    encoding: str
    # Said to the user before importing (a fallback encoding was used), else "".
    notice: str = ""

    def examples(self, column: int, count: int = 3) -> list[str]:
        """The first few non-empty values of a column (to help choose the mapping)."""
        found: list[str] = []
        for record in self.records:
            if column < len(record.cells) and (value := clean_text(record.cells[column])):
                found.append(value)
                if len(found) == count:
                    break
        return found


ENCODINGS = ("auto", "utf-8", "cp1252")


_ENCODING_LABELS = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}


def read_csv_file(path: Path | str, *, encoding: str = "auto") -> CsvTable:
    """Read a CSV file of patients; ImportFileError says in one sentence why it cannot be."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ImportFileError(f"{path.name} is a folder, not a CSV file")
        if size > MAX_FILE_BYTES:
            raise ImportFileError(
                f"{path.name} is {size / 1_048_576:,.0f} MB; the most one import takes is "
                f"{MAX_FILE_BYTES // 1_048_576} MB. Split the file and import the parts."
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"There is no file {path}") from None
    except PermissionError:
        raise ImportFileError(f"This computer's login may not read {path}") from None
    except OSError as error:
        raise ImportFileError(f"{path} cannot be read ({error.strerror or error})") from None
    return read_csv_bytes(data, path.name, encoding=encoding)


def read_csv_bytes(data: bytes, file_name: str, *, encoding: str = "auto") -> CsvTable:
    if encoding not in ENCODINGS:
        raise ImportFileError(f"unknown encoding {encoding!r}: use {', '.join(ENCODINGS)}")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            f"{file_name} is too large for one import (over {MAX_FILE_BYTES // 1_048_576} MB)"
        )
    content, label, notice = _decode(data, file_name, encoding)
    return _parse(content, file_name, label, notice)


def _decode(data: bytes, file_name: str, encoding: str) -> tuple[str, str, str]:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            f"{file_name} is a spreadsheet workbook, not a CSV file: in the spreadsheet choose "
            '"Save as" and the type "CSV UTF-8", then import that file'
        )
    for bom, codec, label in (
        (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec), label, ""
            except UnicodeDecodeError:
                raise ImportFileError(f"{file_name} is not valid UTF-16 text") from None
    label = "UTF-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        label = "UTF-8 with BOM"
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ImportFileError(
            f"{file_name} does not look like a text CSV file (line {line} has a NUL byte); "
            'export it from the old system or spreadsheet as "CSV UTF-8"'
        )
    if encoding == "cp1252":
        try:
            return data.decode("cp1252"), "Windows-1252", ""
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise ImportFileError(
                f"{file_name} is not Windows-1252 text either (line {line})"
            ) from None
    try:
        return data.decode("utf-8"), label, ""
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        advice = (
            'In the spreadsheet, save it again as "CSV UTF-8"'
            "; if it came from an older Windows program, import it as Windows-1252."
        )
        if encoding == "utf-8":
            raise ImportFileError(
                f"{file_name} is not UTF-8 text (line {line} has bytes UTF-8 does not allow). "
                + advice
            ) from None
        try:
            content = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError(
                f"{file_name} is not UTF-8 text (line {line} has bytes UTF-8 does not allow), "
                "and not Windows-1252 either. " + advice
            ) from None
        notice = (
            f"{file_name} is not UTF-8 (line {line} is the first that is not), so it was read "
            "as Windows-1252 (Western European). Check that accented names such as "
            '"Núñez" look right below before importing.'
        )
        return content, "Windows-1252", notice


def _delimiter(first_line: str) -> str:
    # Spreadsheets in many countries write ";" (the comma is their decimal mark); some
    # programs write tabs. The header line decides, outside quoted text.
    counts = dict.fromkeys(",;\t", 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda char: counts[char])
    return best if counts[best] else ","


def _parse(content: str, file_name: str, label: str, notice: str) -> CsvTable:
    first_line = content.split("\n", 1)[0]
    reader = csv.reader(
        io.StringIO(content, newline=""), delimiter=_delimiter(first_line), strict=True
    )
    records: list[CsvRecord] = []
    headers: tuple[str, ...] | None = None
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if headers is None:
                if not any(cell.strip() for cell in cells):  # cheaper than clean_text per cell
                    continue  # blank lines before the header
                headers = tuple(cells)
                if len(headers) > MAX_COLUMNS:
                    raise ImportFileError(
                        f"{file_name} has {len(headers):,} columns; at most {MAX_COLUMNS} "
                        "are supported. Is it a CSV file of patients?"
                    )
                continue
            if len(records) >= MAX_ROWS:
                raise ImportFileError(
                    f"{file_name} has more than {MAX_ROWS:,} rows; split it and import the "
                    "parts one after the other"
                )
            records.append(CsvRecord(line, tuple(cells)))
    except csv.Error as error:
        reason = str(error)
        if "field larger than field limit" in reason:
            reason = (
                f"a value starting on line {start} is longer than {csv.field_size_limit():,} "
                "characters; is a closing quotation mark missing?"
            )
        elif "unexpected end of data" in reason:
            reason = (
                f"a quoted value that starts on line {start} is never closed; "
                "a closing quotation mark is missing"
            )
        elif "expected after" in reason:
            reason = (
                f"line {reader.line_num} has a quotation mark in the middle of a value; "
                'quote the whole value and double the inner quotes ("")'
            )
        else:
            reason = f"line {reader.line_num} cannot be read as CSV ({reason})"
        raise ImportFileError(f"{file_name}: {reason}. Nothing was imported.") from None
    if headers is None:
        raise ImportFileError(f"{file_name} is empty: there is no header row and no patient")
    if not any(clean_text(header) for header in headers):
        raise ImportFileError(f"{file_name}: the first line should name the columns")
    if not records:
        raise ImportFileError(f"{file_name} has a header row but no patients")
    return CsvTable(file_name, headers, tuple(records), label, notice)
