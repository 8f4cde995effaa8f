"""Small CSV files a scenario names (staffing by date, an arrivals trace), read
defensively: they are untrusted input, so size and row count are bounded and
every problem is a ``ValueError`` naming the file, the row and the column.

The scenario's validators raise these as ``ValueError`` so that the loader
adds the field path (``teams.support.staffing.file``) in front.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

MAX_CSV_BYTES = 50_000_000
"""Larger is not a staffing plan or a trace a scenario should replay."""
MAX_CSV_ROWS = 1_000_000
"""About 28 years of 15-minute intervals, or a million contacts."""


def csv_rows(
    path: str, columns: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """``(row number, {column: text})`` for each data row of ``path`` (the header
    is row 1), holding only ``columns`` and those of ``optional`` it has; other
    columns are ignored."""
    text = _read(Path(path))
    reader = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(reader, [])]
    missing = [name for name in columns if name not in header]
    if missing:
        raise ValueError(
            f"{path}, row 1 (the header): no column '{missing[0]}' "
            f"(columns: {', '.join(header)[:200] or 'none'}); fix: "
            f"give the file a header row naming {', '.join(columns)}"
        )
    where = {name: header.index(name) for name in columns + optional if name in header}
    try:
        for number, row in enumerate(reader, start=2):
            if number - 1 > MAX_CSV_ROWS:
                raise ValueError(f"{path}: more than {MAX_CSV_ROWS:,} rows; fix: shorten the file")
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            yield number, {name: row[index].strip() for name, index in where.items()}
    except csv.Error as error:
        raise ValueError(
            f"{path}, row {reader.line_num}: not readable CSV ({error}); fix: save it "
            "as comma-separated UTF-8 text"
        ) from None


def aware_time(text: str, path: str, number: int, column: str) -> datetime:
    """An ISO 8601 date and time with its UTC offset, as written in one cell."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        shown = text[:40] or "(empty)"
        raise ValueError(
            f"{path}, row {number}, column '{column}': '{shown}' is not an ISO 8601 date "
            "and time with an offset; fix: write it like 2026-01-05T09:00:00+00:00"
        )
    return value


def _read(path: Path) -> str:
    if not path.is_file():
        kind = "not a regular file" if path.exists() else "no such file"
        raise ValueError(f"{path}: {kind}; fix: name a CSV file (relative to the scenario)")
    try:
        with path.open("rb") as file:
            data = file.read(MAX_CSV_BYTES + 1)
    except OSError as error:
        raise ValueError(f"{path}: cannot read the file ({error.strerror})") from None
    if len(data) > MAX_CSV_BYTES:
        raise ValueError(
            f"{path}: larger than {MAX_CSV_BYTES:,} bytes; fix: check that this is the right file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text; fix: save it as UTF-8 CSV") from None
