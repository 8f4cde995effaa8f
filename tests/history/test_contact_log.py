"""The contact log reader: columns, time zones, and bad rows named, never guessed at."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.errors import ScenarioError
from simulator.history.contact_log import parse_columns, read_contact_log

HEADER = "arrived_at,answered_at,ended_at,outcome,agent,stream,priority\n"


def write(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "log.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def test_naive_times_take_the_zone_and_offsets_are_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "2026-07-01T09:00:00,2026-07-01T09:01:00,2026-07-01T09:05:00,answered,ann,chat,1\n"
        "2026-07-01T09:00:00Z,,2026-07-01T09:02:00Z,abandoned,,chat,\n"
        "2026-07-01T10:00:00+01:00,,,deflected,,chat,2\n",
    )
    log = read_contact_log(path, tz="Europe/Dublin")
    epoch = pd.Timestamp("2026-07-01T08:00:00Z").timestamp()  # 09:00 Dublin summer time
    contacts = log.contacts.set_index("row")
    assert contacts.loc[2, "arrived"] == epoch
    assert contacts.loc[3, "arrived"] == epoch + 3600
    assert contacts.loc[4, "arrived"] == epoch + 3600
    assert contacts.loc[2, "answered"] - contacts.loc[2, "arrived"] == 60
    assert contacts.loc[3, "ended"] - contacts.loc[3, "arrived"] == 120
    assert contacts.loc[2, "agent"] == "ann" and pd.isna(contacts.loc[3, "agent"])
    assert list(contacts["priority"].fillna(0)) == [1, 0, 2]


def test_columns_are_renamed_and_defaults_fill_in(tmp_path: Path) -> None:
    path = write(tmp_path, "2026-07-01T09:00:00Z,deflected\n", header="q_start,result\n")
    log = read_contact_log(path, columns="arrived_at=q_start,outcome=result")
    assert log.contacts["stream"].tolist() == ["contacts"]
    assert not log.has_agent
    assert parse_columns("agent = who") == {"who": "agent"}
    with pytest.raises(ScenarioError, match="not a contact log column"):
        parse_columns("arrival=q_start")


@pytest.mark.parametrize(
    ("body", "row", "column"),
    [
        (
            "2026-07-01T09:00:00Z,,,deflected,,chat,\nyesterday,,,deflected,,chat,\n",
            3,
            "arrived_at",
        ),
        (
            "2026-07-01T09:00:00Z,2026-07-01T08:00:00Z,2026-07-01T09:05:00Z,answered,a,c,\n",
            2,
            "answered_at",
        ),
        (
            "2026-07-01T09:00:00Z,2026-07-01T09:01:00Z,2026-07-01T09:00:30Z,answered,a,c,\n",
            2,
            "ended_at",
        ),
        ("2026-07-01T09:00:00Z,,,picked,,chat,\n", 2, "outcome"),
        ("2026-07-01T09:00:00Z,,,abandoned,,chat,\n", 2, "ended_at"),
        ("2026-07-01T09:00:00Z,,,deflected,,chat,high\n", 2, "priority"),
    ],
)
def test_a_bad_row_is_an_error_naming_row_and_column(
    tmp_path: Path, body: str, row: int, column: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        read_contact_log(write(tmp_path, body))
    assert f"row {row}, column '{column}'" in str(caught.value)
    assert "--skip-bad-rows" in str(caught.value)


def test_bad_rows_allowed_are_counted_by_reason(tmp_path: Path) -> None:
    good = "2026-07-01T09:00:00Z,,,deflected,,chat,\n"
    path = write(tmp_path, good + "nope,,,deflected,,chat,\n" * 7 + good)
    log = read_contact_log(path, allow_bad_rows=True)
    assert len(log.contacts) == 2
    assert log.bad_count == 7
    (line,) = log.bad_lines()
    assert "7 rows" in line and "rows 3, 4, 5, 6, 7, ..." in line


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        (HEADER, "no contacts"),
        ("arrived_at,stream\n2026-07-01T09:00:00Z,chat\n", "no column 'outcome'"),
    ],
)
def test_unusable_files_are_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "log.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        read_contact_log(path)


def test_no_usable_row_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "nope,,,deflected,,chat,\n")
    with pytest.raises(ScenarioError, match="no usable contact"):
        read_contact_log(path, allow_bad_rows=True)


def test_forty_thousand_rows_parse_in_well_under_two_seconds(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    n = 40_000
    arrived = pd.Timestamp("2026-03-02", tz="UTC") + pd.to_timedelta(
        np.sort(rng.integers(0, 28 * 86400, n)), unit="s"
    )
    answered = arrived + pd.to_timedelta(rng.integers(0, 120, n), unit="s")
    ended = answered + pd.to_timedelta(rng.integers(1, 900, n), unit="s")
    iso = "%Y-%m-%dT%H:%M:%S%z"
    pd.DataFrame(
        {
            "arrived_at": arrived.strftime(iso),
            "answered_at": answered.strftime(iso),
            "ended_at": ended.strftime(iso),
            "outcome": "answered",
            "agent": rng.choice(["a", "b", "c"], n),
        }
    ).to_csv(tmp_path / "big.csv", index=False)
    began = time.perf_counter()
    log = read_contact_log(tmp_path / "big.csv")
    assert time.perf_counter() - began < 2.0
    assert len(log.contacts) == n
