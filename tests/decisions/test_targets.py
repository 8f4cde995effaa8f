"""Reading --target expressions: statistics, short forms, streams, comparisons,
values with units or as shares, and every mistake as a ScenarioError that names
--target, the bad part and the fix. Nothing is evaluated."""

from __future__ import annotations

import pytest

import simulator
from simulator.decisions.targets import METRICS, Kind, check_target, parse_target
from simulator.errors import ScenarioError


@pytest.mark.parametrize(
    ("text", "path", "op", "threshold"),
    [
        ("frt_s.p90<=2min", ("overall", "frt_s", "p90"), "<=", 120.0),
        ("frt.p90<=2min", ("overall", "frt_s", "p90"), "<=", 120.0),
        ("  frt.p90 <= 90s ", ("overall", "frt_s", "p90"), "<=", 90.0),
        ("frt.within_target>=0.8", ("overall", "frt_s", "within_target"), ">=", 0.8),
        ("frt_s.within_target>=80%", ("overall", "frt_s", "within_target"), ">=", 0.8),
        ("abandon_rate<=0.05", ("overall", "abandon_rate"), "<=", 0.05),
        ("abandon_rate<5%", ("overall", "abandon_rate"), "<", 0.05),
        ("queue_wait_s.share_waited<=0.2", ("overall", "queue_wait_s", "share_waited"), "<=", 0.2),
        ("queue_wait.mean<1.5h", ("overall", "queue_wait_s", "mean"), "<", 5400.0),
        ("overall.resolution.p50<=1d", ("overall", "resolution_s", "p50"), "<=", 86400.0),
        ("followup.within_target>0.9", ("overall", "followup_s", "within_target"), ">", 0.9),
        ("counts.abandoned<=10", ("overall", "counts", "abandoned"), "<=", 10.0),
        ("by_stream.chat.frt.p90<=2min", ("by_stream", "chat", "frt_s", "p90"), "<=", 120.0),
        (
            "by_team.live.frt.within_target>=0.8",
            ("by_team", "live", "frt_s", "within_target"),
            ">=",
            0.8,
        ),
        (
            "by_team.live.followup_s.within_target>=90%",
            ("by_team", "live", "followup_s", "within_target"),
            ">=",
            0.9,
        ),
        (
            "by_stream.new.customer.abandon_rate<=0.1",
            ("by_stream", "new.customer", "abandon_rate"),
            "<=",
            0.1,
        ),
    ],
)
def test_valid_targets(text, path, op, threshold):
    target = parse_target(text)
    assert target.path == path
    assert target.op == op
    assert target.threshold == pytest.approx(threshold)
    assert target.text == text.strip()


@pytest.mark.parametrize(
    ("text", "in_message", "in_fix"),
    [
        ("frt.p90<=banana", "'banana' is not a duration", "2min"),
        ("frt.p90<=120", "has no time unit", "'120s'"),
        ("frt.p90<=2m", "unknown time unit 'm'", "2min"),
        ("frt.p99x<=2min", "'frt.p99x' in 'frt.p99x<=2min' is not a statistic", "frt.p99"),
        ("frtt.p90<=2min", "is not a statistic", "did you mean 'frt.p90'"),
        ("occupancy<=0.8", "is not a statistic", "abandon_rate"),
        ("counts.arrived<=5", "does not depend on the number of agents", "frt.p90"),
        ("abandon_rate<=1.5", "not a share between 0 and 1", "80%"),
        ("abandon_rate<=2min", "'2min' in 'abandon_rate<=2min' is not a number", "0.8"),
        ("abandon_rate=0.05", "'=' in 'abandon_rate=0.05' is not a comparison", "<="),
        ("abandon_rate=<0.05", "is not a comparison", "'abandon_rate<=0.05'"),
        ("frt.p90", "has no comparison", "<="),
        ("<=2min", "names no statistic", "frt.p90"),
        ("frt.p90<=", "has no value", "frt.p90"),
        ("", "empty", "frt.p90"),
        ("frt.within_target<=0.8", "more agents raise it", "'frt.within_target>=0.8'"),
        ("frt.p90>=2min", "more agents lower it", "'frt.p90<=2min'"),
        ("by_stream.frt.p90<=2min", "by_stream.STREAM.STATISTIC", "by_stream.chat"),
    ],
)
def test_bad_targets_name_the_option_the_part_and_the_fix(text, in_message, in_fix):
    with pytest.raises(ScenarioError) as caught:
        parse_target(text)
    error = caught.value
    assert error.source == "--target"
    assert in_message in error.message
    assert error.fix and in_fix in error.fix
    assert error.render().startswith("error in --target:")


def test_no_evaluation_happens():
    with pytest.raises(ScenarioError):
        parse_target("__import__('os').system('echo hi')<=1")
    with pytest.raises(ScenarioError):
        parse_target("frt.p90<=__import__('os')")


def test_kinds_cover_every_statistic():
    assert METRICS["frt_s.p90"] is Kind.DURATION
    assert METRICS["abandon_rate"] is Kind.SHARE
    assert METRICS["counts.resolved"] is Kind.COUNT
    assert len(METRICS) == 3 + 6 + 6 + 6 + 5 + 1


def test_meets_and_the_bound_that_counts():
    lower = parse_target("frt.p90<=2min")
    assert lower.meets(120.0) and not lower.meets(120.5) and not lower.meets(None)
    assert lower.bound(100.0, (90.0, 130.0)) == 130.0
    assert lower.bound(100.0, None) == 100.0
    strict = parse_target("frt.p90<2min")
    assert not strict.meets(120.0)
    higher = parse_target("frt.within_target>=0.8")
    assert higher.bound(0.85, (0.79, 0.91)) == 0.79
    assert higher.meets(0.8) and not higher.meets(0.79)
    assert higher.statistic({"overall": {"frt_s": {"within_target": {"value": 0.8}}}}) == {
        "value": 0.8
    }
    assert higher.statistic({"overall": {}}) is None


def _scenario(**targets):
    return simulator.load_scenario(
        {
            "name": "t",
            "horizon": "10h",
            "targets": targets,
            "streams": {
                "chat": {
                    "per_hour": 10,
                    "conversation": {"handle": {"dist": "exponential", "mean": "5min"}},
                }
            },
            "teams": {"support": {"agents": 2, "serves": ["chat"]}},
        }
    )


def test_checks_against_the_scenario():
    scenario = _scenario(frt="2min")
    check_target(parse_target("by_stream.chat.frt.p90<=2min"), scenario)
    check_target(parse_target("frt.within_target>=0.8"), scenario)
    with pytest.raises(ScenarioError, match="stream 'chta'") as caught:
        check_target(parse_target("by_stream.chta.frt.p90<=2min"), scenario)
    assert "did you mean 'chat'" in caught.value.fix
    with pytest.raises(ScenarioError, match="followup target") as caught:
        check_target(parse_target("followup.within_target>=0.8"), scenario)
    assert "--set targets.followup=2min" in caught.value.fix
    with pytest.raises(ScenarioError, match="frt target"):
        check_target(parse_target("frt.within_target>=0.8"), _scenario())
