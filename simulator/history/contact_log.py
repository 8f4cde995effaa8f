"""A contact log: one row per customer contact, as a help desk exports it.

Required columns: ``arrived_at`` and ``outcome`` (``answered``, ``abandoned``
or ``deflected``); answered contacts also need ``answered_at`` and
``ended_at``, abandoned ones ``ended_at`` (when the customer left: without it
their patience cannot be measured). Optional: ``agent``, ``stream``,
``priority`` (an integer, higher served first). Times are ISO 8601; those
without an offset are read on ``tz``'s wall clock.

A row that cannot be used (an unreadable time, an unknown outcome, a contact
answered before it arrived or ending before it was answered) is never guessed
at and never dropped silently: it is an error naming its row and column,
unless the caller allows bad rows, in which case it is left out and counted
by reason with its first row numbers. Parsing works on whole columns, so a
log of 40,000 rows reads in a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from simulator.errors import ScenarioError

REQUIRED = ("arrived_at", "outcome")
OPTIONAL = ("answered_at", "ended_at", "agent", "stream", "priority")
OUTCOMES = ("answered", "abandoned", "deflected")
DEFAULT_STREAM = "contacts"
"""The stream of every contact when the log has no ``stream`` column."""
FIRST_ROWS = 5
"""Row numbers kept per reason of a bad row."""

_OFFSET = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"


@dataclass
class BadRows:
    """Rows left out for one reason: how many, the column at fault, the first few."""

    column: str
    count: int
    rows: list[int]


@dataclass
class ContactLog:
    """The usable contacts of a log, times as UTC epoch seconds (NaN where absent).

    ``contacts`` columns: ``row`` (line number in the file, the header being 1),
    ``arrived``, ``answered``, ``ended``, ``outcome``, ``agent`` (missing when
    absent), ``stream``, ``priority`` (NaN when absent). ``bad`` maps each
    reason a row was left out to its :class:`BadRows`.
    """

    source: str
    tz: str
    contacts: pd.DataFrame
    bad: dict[str, BadRows] = field(default_factory=dict)
    has_agent: bool = False
    has_priority: bool = False

    @property
    def bad_count(self) -> int:
        return sum(entry.count for entry in self.bad.values())

    def bad_lines(self) -> list[str]:
        """One line per reason: count, column and first row numbers."""
        lines = []
        for reason, entry in self.bad.items():
            plural = "s" * (entry.count != 1)
            first = ", ".join(map(str, entry.rows)) + (
                ", ..." if entry.count > len(entry.rows) else ""
            )
            lines.append(
                f"{entry.count} row{plural} {reason} (column '{entry.column}'; row{plural} {first})"
            )
        return lines


def parse_columns(text: str | None) -> dict[str, str]:
    """``arrived_at=q_start,outcome=result`` as {log's name for it: our name}."""
    if not text:
        return {}
    renames: dict[str, str] = {}
    for part in text.split(","):
        ours, sep, theirs = part.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not ours or not theirs:
            raise ScenarioError(
                f"'{part}' is not NAME=COLUMN",
                source="--columns",
                fix="write it like --columns arrived_at=q_start,outcome=result",
            )
        if ours not in REQUIRED + OPTIONAL:
            raise ScenarioError(
                f"'{ours}' is not a contact log column",
                source="--columns",
                fix=f"rename one of: {', '.join(REQUIRED + OPTIONAL)}",
            )
        renames[theirs] = ours
    return renames


def read_contact_log(
    path: Path | str,
    *,
    tz: str = "UTC",
    columns: dict[str, str] | str | None = None,
    allow_bad_rows: bool = False,
) -> ContactLog:
    """Read and check a contact log CSV (see the module docstring).

    ``columns`` renames the log's columns to ours ({theirs: ours}, or the
    ``--columns`` text). With ``allow_bad_rows`` unusable rows are left out and
    reported in ``bad``; without it the first one is a :class:`ScenarioError`.
    """
    path = Path(path)
    source = str(path)
    wall_clock = zone(tz)
    renames = columns if isinstance(columns, dict) else parse_columns(columns)
    raw = _read_csv(path, source)
    raw = raw.rename(columns={c: c.strip() for c in raw.columns}).rename(columns=renames or {})
    for name in REQUIRED:
        if name not in raw.columns:
            theirs = [k for k, v in (renames or {}).items() if v == name]
            raise ScenarioError(
                f"the log has no column '{theirs[0] if theirs else name}'"
                f" (columns: {', '.join(map(str, raw.columns))})",
                source=f"{source}, row 1 (the header), column '{theirs[0] if theirs else name}'",
                fix=f"add the column, or map yours: --columns {name}=YOUR_COLUMN",
            )
    if raw.empty:
        raise ScenarioError(
            "the log has a header but no contacts", source=source, fix="export a log with rows"
        )
    rows = np.arange(2, len(raw) + 2)
    problems: list[tuple[str, str, np.ndarray]] = []

    def text(name: str) -> pd.Series:
        if name not in raw.columns:
            return pd.Series([""] * len(raw), index=raw.index, dtype=object)
        return raw[name].fillna("").astype(str).str.strip()

    arrived, bad_arrived = _epoch(text("arrived_at"), wall_clock)
    problems.append(("with an unreadable or empty arrived_at", "arrived_at", bad_arrived))
    outcome = text("outcome").str.lower()
    problems.append(
        (
            f"with an outcome other than {', '.join(OUTCOMES)}",
            "outcome",
            ~outcome.isin(OUTCOMES).to_numpy(),
        )
    )
    answered_row = (outcome == "answered").to_numpy()
    abandoned_row = (outcome == "abandoned").to_numpy()
    answered, bad_answered = _epoch(text("answered_at"), wall_clock)
    ended, bad_ended = _epoch(text("ended_at"), wall_clock)
    blank_ended = (text("ended_at") == "").to_numpy()
    problems += [
        ("answered without a readable answered_at", "answered_at", answered_row & bad_answered),
        ("answered without a readable ended_at", "ended_at", answered_row & bad_ended),
        (
            "abandoned without a readable ended_at (when the customer left)",
            "ended_at",
            abandoned_row & bad_ended,
        ),
        ("with an unreadable ended_at", "ended_at", ~answered_row & ~blank_ended & bad_ended),
    ]
    with np.errstate(invalid="ignore"):
        problems += [
            ("answered before they arrived", "answered_at", answered_row & (answered < arrived)),
            ("ending before they were answered", "ended_at", answered_row & (ended < answered)),
            ("ending before they arrived", "ended_at", ~answered_row & (ended < arrived)),
        ]
    priority = np.full(len(raw), np.nan)
    if "priority" in raw.columns:
        given = text("priority")
        number = pd.to_numeric(given, errors="coerce").to_numpy(dtype=float)
        bad_priority = (given != "").to_numpy() & ~(np.isfinite(number) & (number % 1 == 0))
        problems.append(("with a priority that is not an integer", "priority", bad_priority))
        priority = np.where(bad_priority, np.nan, number)
    stream = text("stream") if "stream" in raw.columns else None
    if stream is not None:
        problems.append(("with an empty stream", "stream", (stream == "").to_numpy()))

    bad: dict[str, BadRows] = {}
    unusable = np.zeros(len(raw), dtype=bool)
    for reason, column, mask in problems:
        mask = mask & ~unusable  # each row counted once, under its first fault
        if mask.any():
            bad[reason] = BadRows(column, int(mask.sum()), rows[mask][:FIRST_ROWS].tolist())
            unusable |= mask
    if bad and not allow_bad_rows:
        reason, entry = next(iter(bad.items()))
        others = f"; {len(unusable.nonzero()[0]) - 1} more bad rows" if unusable.sum() > 1 else ""
        raise ScenarioError(
            f"a contact {reason}{others}",
            source=f"{source}, row {entry.rows[0]}, column '{entry.column}'",
            fix="correct the row, or pass --skip-bad-rows to leave unusable rows out "
            "(they are counted by reason in the report)",
        )
    keep = ~unusable
    if not keep.any():
        raise ScenarioError(
            f"no usable contact in {len(raw)} rows",
            source=source,
            fix="check the columns and formats: " + "; ".join(_lines(bad)),
        )
    agent = text("agent").to_numpy(dtype=object)
    agent = np.where(agent == "", None, agent)
    streams = stream.to_numpy() if stream is not None else np.full(len(raw), DEFAULT_STREAM)
    contacts = pd.DataFrame(
        {
            "row": rows[keep],
            "arrived": arrived[keep],
            "answered": np.where(answered_row, answered, np.nan)[keep],
            "ended": ended[keep],
            "outcome": pd.Categorical(outcome.to_numpy()[keep], categories=OUTCOMES),
            "agent": np.where(answered_row, agent, None)[keep],
            "stream": streams[keep],
            "priority": priority[keep],
        }
    )
    contacts = contacts.sort_values("arrived", kind="stable").reset_index(drop=True)
    return ContactLog(
        source=source,
        tz=tz,
        contacts=contacts,
        bad=bad,
        has_agent="agent" in raw.columns,
        has_priority="priority" in raw.columns,
    )


def _lines(bad: dict[str, BadRows]) -> list[str]:
    return ContactLog("", "UTC", pd.DataFrame(), bad).bad_lines()


def zone(tz: str, option: str = "--tz") -> ZoneInfo:
    """The time zone named ``tz``; a bad name is the user's error on ``option``."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScenarioError(
            f"unknown time zone '{tz}'",
            source=option,
            fix="use a name from the time zone database such as 'Europe/Dublin' or 'UTC'",
        ) from None


def _read_csv(path: Path, source: str) -> pd.DataFrame:
    if not path.is_file():
        raise ScenarioError("no such file", source=source, fix="check the path of the log")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise ScenarioError(
            "the file is empty", source=source, fix="export the log again with its header"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ScenarioError(
            f"not a readable CSV file ({str(error).strip().splitlines()[-1]})",
            source=source,
            fix="save the log as comma-separated UTF-8 text with a header row",
        ) from None


def _epoch(values: pd.Series, zone: ZoneInfo) -> tuple[np.ndarray, np.ndarray]:
    """ISO 8601 texts as UTC epoch seconds, and which could not be read (or are empty).

    Texts with an offset keep it; the rest are wall-clock times on ``zone``
    (times that do not exist or occur twice at a clock change are unreadable).
    """
    seconds = np.full(len(values), np.nan)
    aware = values.str.contains(_OFFSET, regex=True).to_numpy()
    blank = (values == "").to_numpy()
    if aware.any():
        parsed = pd.to_datetime(values[aware], format="ISO8601", utc=True, errors="coerce")
        seconds[aware] = _seconds(parsed)
    naive = ~aware & ~blank
    if naive.any():
        parsed = pd.to_datetime(values[naive], format="ISO8601", errors="coerce")
        parsed = parsed.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
        seconds[naive] = _seconds(parsed)
    return seconds, np.isnan(seconds)


def _seconds(stamps: pd.Series) -> np.ndarray:
    """Datetimes (possibly NaT) as float epoch seconds (NaN)."""
    nat = stamps.isna().to_numpy()
    ns = stamps.dt.tz_convert("UTC").dt.tz_localize(None).astype("datetime64[ns]")
    out = ns.to_numpy().astype("int64").astype(float) / 1e9
    out[nat] = np.nan
    return out
