"""The "meets target" line at the top of the terminal table and the report: yes when
the share within each target reaches the service level, per stream when streams have
targets of their own; the rows show each stream's own target."""

from __future__ import annotations

import copy
from typing import Any

import simulator
from simulator.analysis.headline import headline_table, target_verdict


def stat(value: float | None, low: float | None = None, high: float | None = None) -> dict:
    return {"value": value, "ci95": None if low is None else [low, high]}


def block(frt_within: dict, followup_within: dict | None = None) -> dict:
    return {
        "frt_s": {"within_target": frt_within},
        "followup_s": {"within_target": followup_within or stat(None)},
    }


def scenario(targets: dict[str, Any] | None, chat: dict | None = None) -> simulator.Scenario:
    streams: dict[str, Any] = {
        name: {"per_hour": 1, "conversation": {"handle": {"dist": "fixed", "value": "1min"}}}
        for name in ("chat", "inbox")
    }
    if chat is not None:
        streams["chat"]["targets"] = chat
    spec: dict[str, Any] = {
        "name": "verdict",
        "horizon": "1d",
        "streams": streams,
        "teams": {"support": {"agents": 1, "serves": ["chat", "inbox"]}},
    }
    if targets is not None:
        spec["targets"] = targets
    return simulator.load_scenario(spec)


def summary(overall: dict, chat: dict, inbox: dict) -> dict:
    return {
        "scenario": "verdict",
        "seed": 1,
        "replications": 10,
        "overall": overall,
        "by_stream": {"chat": chat, "inbox": inbox},
        "by_team": {
            "support": {
                "per_agent_hour": stat(3.5, 3.0, 4.0),
                "replies_per_agent_hour": stat(9.0, 8.0, 10.0),
                "concurrency_held": stat(1.25, 1.0, 1.5),
            }
        },
    }


SHARES = summary(block(stat(0.83, 0.81, 0.85)), block(stat(0.7)), block(stat(0.95)))


def test_no_targets_no_line() -> None:
    assert target_verdict(SHARES, scenario(None)) == []
    assert "meets target" not in headline_table(SHARES, scenario(None))


def test_yes_and_no_against_the_service_level() -> None:
    met = target_verdict(SHARES, scenario({"frt": "2min", "service_level": 0.8}))
    assert met == ["meets target: yes  (FRT within 2min 83.0% [81.0%, 85.0%], needs 80.0%)"]
    missed = target_verdict(SHARES, scenario({"frt": "2min", "service_level": 0.9}))
    assert missed[0].startswith("meets target: no  (FRT within 2min 83.0%")


def test_an_interval_across_the_level_is_not_settled() -> None:
    lines = target_verdict(SHARES, scenario({"frt": "2min", "service_level": 0.82}))
    assert lines[0].startswith("meets target: yes")
    assert "not settled" in lines[0]


def test_without_a_service_level_the_share_is_shown_with_no_verdict() -> None:
    lines = target_verdict(SHARES, scenario({"frt": "2min"}))
    assert lines[0].startswith("meets target: - (set targets.service_level")
    assert "FRT within 2min 83.0%" in lines[0]


def test_per_stream_targets_give_a_verdict_per_stream() -> None:
    """Chat is held to its own 2 min at 80% (70%: no), the inbox to the scenario's 1 h
    at 80% (95%: yes); the plan meets its targets only if every stream does."""
    chosen = scenario({"frt": "1h", "service_level": 0.8}, chat={"frt": "2min"})
    lines = target_verdict(SHARES, chosen)
    assert lines == [
        "meets target: no",
        "  stream chat: no  (FRT within 2min 70.0%, needs 80.0%)",
        "  stream inbox: yes  (FRT within 1h 95.0%, needs 80.0%)",
    ]
    table = [" ".join(line.split()) for line in headline_table(SHARES, chosen).splitlines()]
    assert table[1:4] == [" ".join(line.split()) for line in lines]
    chat_rows = table[table.index("stream chat") :]
    inbox_rows = table[table.index("stream inbox") :]
    assert "FRT within 2min 70.0%" in chat_rows
    assert "FRT within 1h 95.0%" in inbox_rows
    assert "FRT within target 83.0% [81.0%, 85.0%]" in table  # overall: targets differ


def test_team_throughput_rows() -> None:
    table = [" ".join(line.split()) for line in headline_table(SHARES).splitlines()]
    assert "answered/agent-hour 3.5 [3.0, 4.0]" in table
    assert "replies/agent-hour 9.0 [8.0, 10.0]" in table
    assert "held per agent 1.2 [1.0, 1.5]" in table


def test_a_teams_share_within_target_is_shown_only_where_it_has_one() -> None:
    """A team's share within target (what it picked up and answered, each against its
    stream's own target) gets a row when it has a value; without targets it has none."""
    shares = copy.deepcopy(SHARES)
    shares["by_team"]["support"]["frt_s"] = {"within_target": stat(0.6, 0.55, 0.65)}
    shares["by_team"]["support"]["followup_s"] = {"within_target": {"value": None, "ci95": None}}
    table = [" ".join(line.split()) for line in headline_table(shares).splitlines()]
    team = table[table.index("team support") :]
    assert "FRT within target 60.0% [55.0%, 65.0%]" in team
    assert not any(line.startswith("follow-up within target") for line in team)
    plain = [" ".join(line.split()) for line in headline_table(SHARES).splitlines()]
    assert "FRT within target" not in " ".join(plain[plain.index("team support") :])
