"""Per-replication statistics and intervals on hand-made records with known answers."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simulator.recording import ReplicationRecord
from simulator.scenario.schema import Scenario
from simulator.statistics.intervals import mean_ci, paired_difference
from simulator.statistics.metrics import replication_metrics, summarise

NAN = math.nan
HORIZON, WARMUP = 1000.0, 100.0

# conversation, stream, arrived, picked up, first reply, ended, outcome
ROWS = [
    (0, "chat", 50, 60, 70, 200, "resolved"),  # before warmup: left out
    (1, "chat", 100, 100, 130, 400, "resolved"),  # wait 0, frt 30, resolution 300
    (2, "chat", 200, 260, 300, 700, "resolved"),  # wait 60, frt 100, resolution 500
    (3, "chat", 300, NAN, NAN, 320, "deflected"),  # never reached a queue
    (4, "chat", 400, NAN, NAN, 450, "abandoned"),  # wait 50, a miss
    (5, "email", 500, 520, 540, NAN, "open"),  # wait 20, frt 40, still open
    (6, "email", 800, NAN, NAN, NAN, "open"),  # wait censored at 200, past target: miss
    (7, "email", 970, NAN, NAN, NAN, "open"),  # wait censored at 30, cannot be judged
]
# conversation, response_s
FOLLOWUPS = [(0, 5.0), (1, 10.0), (1, 50.0), (5, 20.0)]


def scenario(targets: dict | None = None) -> Scenario:
    stream = {"per_hour": 1, "conversation": {"handle": {"dist": "fixed", "value": "1min"}}}
    return Scenario.model_validate(
        {
            "name": "tiny",
            "horizon": f"{HORIZON:g}s",
            "warmup": f"{WARMUP:g}s",
            "targets": {"frt": "60s", "followup": "30s"} if targets is None else targets,
            "streams": {"chat": stream, "email": stream, "sms": stream},
            "teams": {
                "a": {"agents": 1, "serves": ["chat"]},
                "b": {"agents": 1, "serves": ["email"]},
                "c": {"agents": 1, "serves": ["sms"]},
            },
        }
    )


def record(categorical: bool = True, shift: float = 0.0, replication: int = 0) -> ReplicationRecord:
    """The ROWS as a record; ``shift`` delays every pick-up, reply and end after warmup."""
    frame = pd.DataFrame(
        ROWS,
        columns=[
            "conversation",
            "stream",
            "arrived_at",
            "picked_up_at",
            "first_reply_at",
            "ended_at",
            "outcome",
        ],
    )
    for column in ("picked_up_at", "first_reply_at", "ended_at"):
        frame.loc[frame["arrived_at"] >= WARMUP, column] += shift
    frame["queue"] = frame["stream"]
    frame["team"] = frame["stream"].map({"chat": "a", "email": "b"})
    frame["agent"] = frame["team"] + "-1"
    for column in ("exchanges", "handbacks", "reassignments"):
        frame[column] = 0
    if categorical:
        for column in ("stream", "queue", "team", "agent", "outcome"):
            frame[column] = frame[column].astype("category")
    frame.index = frame.index + 100  # the metrics must not rely on a default index
    followups = pd.DataFrame(FOLLOWUPS, columns=["conversation", "response_s"])
    followups["asked_at"] = 0.0
    followups["answered_at"] = followups["response_s"]
    followups["after_handback"] = False
    teams = pd.DataFrame(
        {
            "team": ["a", "b"],
            "on_shift_s": [3600.0, 0.0],
            "busy_s": [1800.0, 0.0],
            "overtime_s": [1800.0, 0.0],
            "handbacks": [2, 0],
            "reread_s": [0.0, 0.0],
            "agent_shifts": [1, 0],
            "cutoff_s": [900.0, 0.0],
            "first_replies": [3, 0],
            "replies": [5, 0],
            "held_s": [5400.0, 0.0],
        }
    )
    return ReplicationRecord(replication, frame, followups, teams)


@pytest.fixture(params=[True, False], ids=["categorical", "strings"])
def metrics(request: pytest.FixtureRequest) -> dict:
    return replication_metrics(record(categorical=request.param), scenario())


def test_counts_leave_out_warmup(metrics: dict) -> None:
    assert metrics["overall"]["counts"] == {
        "arrived": 7,
        "deflected": 1,
        "abandoned": 1,
        "resolved": 2,
        "open": 3,
    }
    assert metrics["by_stream"]["chat"]["counts"] == {
        "arrived": 4,
        "deflected": 1,
        "abandoned": 1,
        "resolved": 2,
        "open": 0,
    }


def test_abandon_rate_over_conversations_that_reached_a_queue(metrics: dict) -> None:
    assert metrics["overall"]["abandon_rate"] == pytest.approx(1 / 6)
    assert metrics["by_stream"]["chat"]["abandon_rate"] == pytest.approx(1 / 3)
    assert metrics["by_stream"]["email"]["abandon_rate"] == 0.0


def test_queue_wait_censors_open_conversations_at_the_horizon(metrics: dict) -> None:
    waits = [0, 60, 50, 20, 200, 30]
    wait = metrics["overall"]["queue_wait_s"]
    assert wait["mean"] == pytest.approx(60.0)
    assert wait["p50"] == pytest.approx(40.0)
    assert wait["p90"] == pytest.approx(130.0)
    for p in (95, 99):
        assert wait[f"p{p}"] == pytest.approx(np.percentile(waits, p))
    assert wait["share_waited"] == pytest.approx(5 / 6)
    assert metrics["by_stream"]["email"]["queue_wait_s"]["mean"] == pytest.approx(250 / 3)


def test_frt_over_answered_and_within_target_leaves_out_undecided(metrics: dict) -> None:
    frt = metrics["overall"]["frt_s"]
    assert frt["mean"] == pytest.approx(170 / 3)
    assert frt["p50"] == pytest.approx(40.0)
    # met: 30 and 40; judged: six reached a queue, less conversation 7 (arrived 30s
    # before the horizon, unanswered). Abandoned 4 and long-open 6 are misses.
    assert frt["within_target"] == pytest.approx(2 / 5)
    assert metrics["by_stream"]["chat"]["frt_s"]["within_target"] == pytest.approx(1 / 3)
    assert metrics["by_stream"]["email"]["frt_s"]["within_target"] == pytest.approx(1 / 2)


def test_followups_of_counted_conversations_only(metrics: dict) -> None:
    followup = metrics["overall"]["followup_s"]
    assert followup["mean"] == pytest.approx(80 / 3)
    assert followup["within_target"] == pytest.approx(2 / 3)
    assert metrics["by_stream"]["chat"]["followup_s"]["within_target"] == pytest.approx(1 / 2)
    assert metrics["by_stream"]["email"]["followup_s"]["p99"] == pytest.approx(20.0)


def test_resolution_over_resolved(metrics: dict) -> None:
    resolution = metrics["overall"]["resolution_s"]
    assert resolution == pytest.approx(
        {"mean": 400.0, "p50": 400.0, "p90": 480.0, "p95": 490.0, "p99": 498.0}
    )
    assert all(v is None for v in metrics["by_stream"]["email"]["resolution_s"].values())


def test_stream_without_arrivals_has_zero_counts_and_no_statistics(metrics: dict) -> None:
    sms = metrics["by_stream"]["sms"]
    assert set(sms["counts"].values()) == {0}
    assert sms["abandon_rate"] is None
    for block in ("queue_wait_s", "frt_s", "followup_s", "resolution_s"):
        assert all(v is None for v in sms[block].values()), block


def test_within_target_is_none_without_a_target() -> None:
    overall = replication_metrics(record(), scenario(targets={}))["overall"]
    assert overall["frt_s"]["within_target"] is None
    assert overall["followup_s"]["within_target"] is None
    assert overall["frt_s"]["mean"] == pytest.approx(170 / 3)


def test_team_statistics(metrics: dict) -> None:
    teams = metrics["by_team"]
    assert teams["a"]["intake_cutoff_h"] == 0.25
    assert metrics["overall"]["intake_cutoff_h"] == 0.25
    assert metrics["overall"]["overtime_h"] == 0.5
    keys = ("occupancy", "overtime_h", "handbacks")
    assert {k: teams["a"][k] for k in keys} == {
        "occupancy": 0.5,
        "overtime_h": 0.5,
        "handbacks": 2.0,
    }
    assert {k: teams["b"][k] for k in keys} == {
        "occupancy": None,
        "overtime_h": 0.0,
        "handbacks": 0.0,
    }
    assert {k: teams["c"][k] for k in keys} == {
        "occupancy": None,
        "overtime_h": None,
        "handbacks": None,
    }
    # a: 3 first replies, 5 replies and 1.5 conversation-hours held in 1 agent-hour on shift
    throughput = ("per_agent_hour", "replies_per_agent_hour", "concurrency_held")
    assert {k: teams["a"][k] for k in throughput} == {
        "per_agent_hour": 3.0,
        "replies_per_agent_hour": 5.0,
        "concurrency_held": 1.5,
    }
    assert {k: teams["b"][k] for k in throughput} == dict.fromkeys(throughput)
    assert {k: teams["c"][k] for k in throughput} == dict.fromkeys(throughput)
    assert teams["c"]["handed_back"] == {
        "conversations": 0,
        "wait_s": {"mean": None, "p50": None, "p90": None},
    }


def test_mean_ci_is_student_t() -> None:
    values = [3.0, 5.0, 4.0, 8.0]
    half = stats.t.ppf(0.975, 3) * np.std(values, ddof=1) / 2
    result = mean_ci(values)
    assert result["value"] == pytest.approx(5.0)
    assert result["ci95"] == pytest.approx([5.0 - half, 5.0 + half])


def test_mean_ci_skips_missing_values() -> None:
    assert mean_ci([None, None]) == {"value": None, "ci95": None}
    assert mean_ci([2.0, None, NAN]) == {"value": 2.0, "ci95": None}
    assert mean_ci([1.0, None, 3.0])["ci95"] == pytest.approx(mean_ci([1.0, 3.0])["ci95"])
    assert mean_ci([7.0, 7.0]) == {"value": 7.0, "ci95": [7.0, 7.0]}


def test_summary_has_the_interface_shape_and_is_json() -> None:
    records = [record(shift=s, replication=i) for i, s in enumerate((0.0, 10.0, 30.0))]
    summary = summarise(records, scenario(), seed=7)
    assert list(summary) == ["scenario", "seed", "replications", "overall", "by_stream", "by_team"]
    assert (summary["scenario"], summary["seed"], summary["replications"]) == ("tiny", 7, 3)
    assert list(summary["by_stream"]) == ["chat", "email", "sms"]
    assert list(summary["by_team"]) == ["a", "b", "c"]
    assert list(summary["overall"]["counts"]) == [
        "arrived",
        "deflected",
        "abandoned",
        "resolved",
        "open",
    ]
    json.dumps(summary, allow_nan=False)
    # resolution times are 300+s and 500+s: means 400, 410, 430
    resolution = summary["overall"]["resolution_s"]["mean"]
    assert resolution["value"] == pytest.approx(1240 / 3)
    assert resolution["ci95"] == pytest.approx(mean_ci([400.0, 410.0, 430.0])["ci95"])
    assert summary["overall"]["counts"]["arrived"] == {"value": 7.0, "ci95": [7.0, 7.0]}
    assert summary["by_stream"]["sms"]["frt_s"]["mean"] == {"value": None, "ci95": None}


def test_one_replication_has_no_interval() -> None:
    summary = summarise([record()], scenario(), seed=1)
    assert summary["overall"]["abandon_rate"]["ci95"] is None
    assert summary["overall"]["abandon_rate"]["value"] == pytest.approx(1 / 6)
    json.dumps(summary, allow_nan=False)


def test_paired_difference_of_identical_inputs_is_zero() -> None:
    values = [1.0, 4.0, 2.5, 9.0]
    result = paired_difference(values, values)
    assert result["diff"] == 0.0
    assert result["ci95"] == pytest.approx([0.0, 0.0])
    assert result["significant"] is False


def test_pairing_narrows_the_interval_for_correlated_inputs() -> None:
    rng = np.random.default_rng(3)
    baseline = rng.normal(100.0, 20.0, size=10)
    variant = baseline + 2.0 + rng.normal(0.0, 0.5, size=10)
    result = paired_difference(list(baseline), list(variant))
    assert result["diff"] == pytest.approx(float(np.mean(variant - baseline)))
    paired_width = result["ci95"][1] - result["ci95"][0]
    unpaired_width = result["unpaired_ci95"][1] - result["unpaired_ci95"][0]
    assert paired_width < unpaired_width / 10
    assert result["significant"] is True
    welch = stats.ttest_ind(variant, baseline, equal_var=False).confidence_interval(0.95)
    assert result["unpaired_ci95"] == pytest.approx([welch.low, welch.high])
    json.dumps(result, allow_nan=False)
