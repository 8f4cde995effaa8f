"""Invariants that hold for every valid scenario, checked on generated ones.

Each test draws small scenarios (see ``scenario_strategies``) and checks one
promise of the model on what a replication records: every conversation is
accounted for once, times run forwards, nobody picks up off shift, nobody
holds more than ``concurrency``, runs are reproducible, and staffing or policy
never changes the customers (common random numbers). The scenarios include the
launch organisation (bots, routing, triage, overflow, rotation pools, on-call
backups, shrinkage, escalation to tickets), so the invariants are stated for it:
``team`` and ``agent`` name who picked a conversation up first (a misrouted one
may be reassigned and answered elsewhere), ``queue`` the stream's own queue.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scenario_strategies import scenario_dicts

import simulator
from simulator.model.engine import simulate
from simulator.recording import CONVERSATION_COLUMNS, FOLLOWUP_COLUMNS, ReplicationRecord
from simulator.scenario.schema import Policy, Scenario
from simulator.scenario.shift_calendar import merged, shift_intervals, team_schedules
from tests.unit.timeline import simulate_at

OUTCOMES = {"resolved", "abandoned", "deflected", "open"}
TOLERANCE = 1e-6  # seconds; event times are sums of floats

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
seeds = st.integers(0, 2**32 - 1)


def times(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype=float, na_value=np.nan)


def present(frame: pd.DataFrame, column: str) -> np.ndarray:
    return ~np.isnan(times(frame, column))


def replicate(raw: dict[str, Any], seed: int) -> tuple[Scenario, ReplicationRecord]:
    scenario = simulator.load_scenario(raw)
    return scenario, simulate(scenario, seed, 0)


# -- 1. conservation --------------------------------------------------------------


@settings(SETTINGS, max_examples=30)
@given(raw=scenario_dicts(max_horizon_h=24), seed=seeds)
def test_every_conversation_has_one_outcome_and_the_counts_add_up(raw: dict, seed: int) -> None:
    scenario = simulator.load_scenario(raw)
    result = simulator.run(scenario, replications=2, seed=seed)
    for record in result.records:
        conversations = record.conversations
        assert list(conversations.columns) == list(CONVERSATION_COLUMNS)
        assert list(record.followups.columns) == list(FOLLOWUP_COLUMNS)
        assert conversations["conversation"].tolist() == list(range(len(conversations)))
        assert conversations["outcome"].notna().all()
        assert set(conversations["outcome"].astype(str)) <= OUTCOMES
        assert set(conversations["stream"].astype(str)) <= set(scenario.streams)
        by_outcome = conversations["outcome"].astype(str).value_counts()
        assert int(by_outcome.sum()) == len(conversations)
        # A repeat contact chases an earlier conversation of its own stream.
        repeats = conversations[conversations["repeat_of"].notna()]
        originals = conversations.loc[repeats["repeat_of"].astype(int)]
        assert (originals["stream"].to_numpy() == repeats["stream"].to_numpy()).all()
        assert (originals["arrived_at"].to_numpy() <= repeats["arrived_at"].to_numpy()).all()
        assert (originals["outcome"] != "deflected").all()

    for group, names in [
        ("overall", list(scenario.streams)),
        *[(name, [name]) for name in scenario.streams],
    ]:
        counts = (
            result.summary["overall"] if group == "overall" else result.summary["by_stream"][group]
        )["counts"]
        value = {key: counts[key]["value"] for key in counts}
        assert value["arrived"] == pytest.approx(
            value["deflected"] + value["abandoned"] + value["resolved"] + value["open"]
        )
        # The summary counts are the means of what the records hold after warmup.
        expected: dict[str, list[int]] = {key: [] for key in counts}
        for record in result.records:
            rows = record.conversations
            counted = rows[
                (times(rows, "arrived_at") >= scenario.warmup)
                & rows["stream"].isin(names).to_numpy()
            ]
            expected["arrived"].append(len(counted))
            for outcome in OUTCOMES:
                expected[outcome].append(int((counted["outcome"] == outcome).sum()))
            if "repeats" in expected:
                expected["repeats"].append(int(counted["repeat_of"].notna().sum()))
        for key, per_replication in expected.items():
            assert value[key] == pytest.approx(np.mean(per_replication)), (group, key)


# -- 2. time order ----------------------------------------------------------------


def fixed_exchanges(scenario: Scenario) -> dict[str, int]:
    """Streams whose conversations all need the same number of replies (an escalated
    conversation needs one more after the exchange that raised its ticket, so streams
    with escalation are left out)."""
    return {
        name: stream.conversation.exchanges.value
        for name, stream in scenario.streams.items()
        if stream.conversation.exchanges.dist == "fixed" and stream.escalation is None
    }


@SETTINGS
@given(raw=scenario_dicts(), seed=seeds)
def test_times_run_forwards_within_the_horizon(raw: dict, seed: int) -> None:
    scenario, record = replicate(raw, seed)
    rows = record.conversations
    horizon = scenario.horizon
    arrived, picked = times(rows, "arrived_at"), times(rows, "picked_up_at")
    first, ended = times(rows, "first_reply_at"), times(rows, "ended_at")
    outcome = rows["outcome"].astype(str).to_numpy()
    exchanges = rows["exchanges"].to_numpy()

    assert np.all(np.diff(arrived) >= 0), "rows are in arrival order"
    for column in (arrived, picked, first, ended):
        seen = column[~np.isnan(column)]
        assert np.all((seen >= 0) & (seen <= horizon + TOLERANCE))
    # arrived <= picked up <= first reply <= ended, wherever both are present.
    chain = [arrived, picked, first, ended]
    for i, earlier in enumerate(chain):
        for later in chain[i + 1 :]:
            both = ~np.isnan(earlier) & ~np.isnan(later)
            assert np.all(earlier[both] <= later[both] + TOLERANCE)

    # Who picked it up is known exactly when it was picked up.
    assert np.array_equal(~np.isnan(picked), rows["agent"].notna().to_numpy())
    assert np.array_equal(~np.isnan(picked), rows["team"].notna().to_numpy())
    # A first reply needs a pick-up; replies sent count exactly the first reply onwards.
    assert np.all(~np.isnan(picked[~np.isnan(first)]))
    assert np.array_equal(~np.isnan(first), exchanges >= 1)

    resolved, abandoned, is_open = (
        outcome == "resolved",
        outcome == "abandoned",
        outcome == "open",
    )
    assert np.all(exchanges[resolved] >= 1)
    assert not np.isnan(ended[resolved]).any()
    assert not np.isnan(first[resolved]).any()
    assert np.isnan(picked[abandoned]).all() and np.isnan(first[abandoned]).all()
    assert not np.isnan(ended[abandoned]).any()
    assert np.all(exchanges[abandoned] == 0)
    assert np.isnan(ended[is_open]).all()
    assert np.all(rows["handbacks"].to_numpy() >= 0)
    stream = rows["stream"].astype(str).to_numpy()
    for name, needed in fixed_exchanges(scenario).items():
        mine = stream == name
        assert np.all(exchanges[mine & resolved] == needed)
        assert np.all(exchanges[mine & ~resolved] < needed)
    # Abandoning needs patience.
    for name, spec in scenario.streams.items():
        if spec.conversation.patience is None:
            assert not np.any(abandoned & (stream == name))

    # Deflected conversations end in the bot: never picked up, never answered.
    deflected = outcome == "deflected"
    assert np.isnan(picked[deflected]).all() and np.isnan(first[deflected]).all()
    assert not np.isnan(ended[deflected]).any()
    assert np.all(exchanges[deflected] == 0)
    for name, spec in scenario.streams.items():
        if spec.bot is None or spec.bot.deflection == 0:
            assert not np.any(deflected & (stream == name))
    # A misrouted conversation is reassigned at most once (to its own queue), and only
    # a stream with routing can land anywhere but its own queue.
    reassignments = rows["reassignments"].to_numpy()
    assert np.all((reassignments == 0) | (reassignments == 1))
    for name, spec in scenario.streams.items():
        if spec.routing is None:
            assert not np.any((reassignments > 0) & (stream == name))

    tickets = record.tickets
    assert np.all(tickets["resolution_s"].to_numpy() >= 0)
    ticket_of = tickets["conversation"].to_numpy()
    assert len(set(ticket_of)) == len(ticket_of), "one ticket per conversation at most"
    assert np.all(resolved[ticket_of]), "a resolved ticket resolves its conversation"
    for name, spec in scenario.streams.items():
        if spec.escalation is None:
            assert not np.any(stream[ticket_of] == name)

    followups = record.followups
    assert np.all(followups["response_s"].to_numpy() >= 0)
    asked, answered = times(followups, "asked_at"), times(followups, "answered_at")
    assert np.all(answered <= horizon + TOLERANCE)
    which = followups["conversation"].to_numpy()
    assert np.all(asked >= first[which] - TOLERANCE), "a follow-up comes after the first reply"
    done = resolved[which]
    assert np.all(answered[done] <= ended[which][done] + TOLERANCE)
    # Every reply after the first answers one follow-up message, or resolves a ticket.
    per_conversation = np.bincount(which, minlength=len(rows))
    answered_tickets = np.bincount(ticket_of, minlength=len(rows))
    assert np.array_equal(per_conversation + answered_tickets, np.maximum(exchanges - 1, 0))


# -- 3. pick-ups only on shift --------------------------------------------------------


def intake_windows(
    scenario: Scenario,
) -> tuple[dict[str, list[tuple[float, float]]], dict[str, str]]:
    """Per agent, the intervals in which it may pick up (shift start to shift end less
    the ownership intake cutoff, from time 0 on), and each agent's team. A backup
    agent may pick up only inside its on-call windows, less the same cutoff."""
    windows: dict[str, list[tuple[float, float]]] = {}
    teams_of: dict[str, str] = {}
    for name, spec in scenario.teams.items():
        handoff = scenario.team_handoff(name)
        cutoff = handoff.intake_cutoff if handoff.policy is Policy.OWNERSHIP else 0.0
        for schedule in team_schedules(name, spec, scenario.start, scenario.horizon):
            windows[schedule.name] = [
                (max(begin, 0.0), end - cutoff) for begin, end in schedule.shifts
            ]
            teams_of[schedule.name] = name
        for number, entry in enumerate(spec.backup, start=1):
            on_call = [
                (max(begin, 0.0), end - cutoff)
                for begin, end in merged(shift_intervals(entry, scenario.start, scenario.horizon))
            ]
            for k in range(entry.agents):
                agent = f"{name}.{entry.label or f'backup{number}'}.{k + 1}"
                windows[agent] = on_call
                teams_of[agent] = name
    return windows, teams_of


def landing_queues(scenario: Scenario, stream: str) -> set[str]:
    """Every queue a conversation of ``stream`` can first land in."""
    spec = scenario.streams[stream]
    queues = {scenario.home_queue(stream)}
    if spec.routing is not None:
        queues |= {
            spec.routing.fallback or scenario.home_queue(stream),
            *spec.routing.false_positives,
        }
    return queues


@SETTINGS
@given(raw=scenario_dicts(), seed=seeds)
def test_nobody_picks_up_off_shift_or_after_the_intake_cutoff(raw: dict, seed: int) -> None:
    scenario = simulator.load_scenario(raw)
    windows, teams_of = intake_windows(scenario)
    # A shift no longer than its intake cutoff has an empty window: no pick-ups at all.
    record = simulate(scenario, seed, 0)
    rows = record.conversations
    picked = rows[present(rows, "picked_up_at")]
    for agent, team, at in zip(
        picked["agent"].astype(str),
        picked["team"].astype(str),
        times(picked, "picked_up_at"),
        strict=True,
    ):
        assert teams_of[agent] == team
        assert any(begin - TOLERANCE <= at <= end + TOLERANCE for begin, end in windows[agent]), (
            f"{agent} picked up at {at:.1f}s outside its intake windows {windows[agent]}"
        )
    # A conversation is first picked up from a queue it can land in that the team
    # serves, or takes from under an overflow rule.
    for stream, team in zip(picked["stream"].astype(str), picked["team"].astype(str), strict=True):
        spec = scenario.teams[team]
        taken_from = {*spec.serves, *(rule.queue for rule in spec.overflow)}
        assert landing_queues(scenario, stream) & taken_from, (stream, team)


# -- 4. concurrency cap ----------------------------------------------------------------


def peak_held(held: pd.DataFrame) -> int:
    """The most of these (begin, end) spells open at once; at equal times a release
    (-1) comes before a pick-up (+1)."""
    events = sorted(
        [(b, 1) for b in held["begin"]] + [(e, -1) for e in held["end"]],
        key=lambda event: (event[0], event[1]),
    )
    level = peak = 0
    for _, step in events:
        level += step
        peak = max(peak, level)
    return peak


@SETTINGS
@given(raw=scenario_dicts(), seed=seeds)
def test_no_agent_holds_more_than_its_concurrency(raw: dict, seed: int) -> None:
    scenario, record = replicate(raw, seed)
    rows = record.conversations
    # A conversation never handed back, never reassigned and of a stream without
    # tickets (which leave the agent for a back-office team) is held by its agent from
    # pick-up until it ends (longer with wrap-up; to the horizon if open): a lower
    # bound on what is held.
    escalating = [name for name, spec in scenario.streams.items() if spec.escalation]
    kept = rows[
        present(rows, "picked_up_at")
        & (rows["handbacks"].to_numpy() == 0)
        & (rows["reassignments"].to_numpy() == 0)
        & ~rows["stream"].isin(escalating).to_numpy()
    ]
    ends = np.nan_to_num(times(kept, "ended_at"), nan=math.inf)
    frame = pd.DataFrame(
        {
            "agent": kept["agent"].astype(str).to_numpy(),
            "team": kept["team"].astype(str).to_numpy(),
            "begin": times(kept, "picked_up_at"),
            "end": ends,
        }
    )
    for (agent, team), held in frame.groupby(["agent", "team"]):
        peak = peak_held(held)
        assert peak <= scenario.teams[team].concurrency, (agent, peak)
    # Caps per queue, over streams without routing (their queue is the stream's own).
    routed = [name for name, spec in scenario.streams.items() if spec.routing is not None]
    frame["queue"] = kept["queue"].astype(str).to_numpy()
    frame = frame[~kept["stream"].isin(routed).to_numpy()]
    for (agent, team, queue), held in frame.groupby(["agent", "team", "queue"]):
        cap = scenario.teams[team].per_queue.get(queue)
        if cap is not None:
            assert peak_held(held) <= cap, (agent, queue)


# -- 5. determinism --------------------------------------------------------------------


@settings(SETTINGS, max_examples=25)
@given(raw=scenario_dicts(max_horizon_h=24), seed=seeds)
def test_same_seed_same_records(raw: dict, seed: int) -> None:
    scenario = simulator.load_scenario(raw)
    first, second = simulate(scenario, seed, 1), simulate(scenario, seed, 1)
    pd.testing.assert_frame_equal(first.conversations, second.conversations)
    pd.testing.assert_frame_equal(first.followups, second.followups)
    pd.testing.assert_frame_equal(first.teams, second.teams)


def without_seed(summary: dict) -> dict:
    return {key: value for key, value in summary.items() if key != "seed"}


@settings(SETTINGS, max_examples=25)
@given(raw=scenario_dicts(max_horizon_h=24), seed=seeds)
def test_a_different_seed_gives_a_different_summary(raw: dict, seed: int) -> None:
    scenario = simulator.load_scenario(raw)
    one = simulator.run(scenario, replications=1, seed=seed)
    other = simulator.run(scenario, replications=1, seed=seed + 1)
    assume(len(one.conversations) > 0 and len(other.conversations) > 0)
    assert without_seed(one.summary) != without_seed(other.summary)


@pytest.mark.slow
@settings(SETTINGS, max_examples=8)
@given(raw=scenario_dicts(max_horizon_h=24), seed=seeds)
def test_parallel_runs_equal_serial_runs(raw: dict, seed: int) -> None:
    scenario = simulator.load_scenario(raw)
    serial = simulator.run(scenario, replications=3, seed=seed, jobs=1)
    parallel = simulator.run(scenario, replications=3, seed=seed, jobs=2)
    assert parallel.summary == serial.summary
    pd.testing.assert_frame_equal(parallel.conversations, serial.conversations)


# -- 6. common random numbers ------------------------------------------------------------


def restaffed(raw: dict, change: int) -> dict:
    """The scenario with ``change`` more (or fewer, at least one) agents per team, shift
    or on-call entry; a rotation pool grows to fill the roster's slots."""
    variant = copy.deepcopy(raw)
    for team in variant["teams"].values():
        if "agents" in team:
            team["agents"] = max(1, team["agents"] + change)
        for entry in [*team.get("roster", []), *team.get("backup", [])]:
            entry["agents"] = max(1, entry["agents"] + change)
        if "rotation" in team:
            members = team["rotation"]["members"]
            slots = sum(entry["agents"] for entry in team["roster"])
            if isinstance(members, int):
                team["rotation"]["members"] = max(members, slots)
            else:
                members += [f"extra{k + 1}" for k in range(slots - len(members))]
    return variant


def other_policy(raw: dict) -> dict:
    """The scenario with every handoff policy flipped (ownership with a cutoff)."""
    variant = copy.deepcopy(raw)
    blocks = [
        variant["handoff"],
        *[t["handoff"] for t in variant["teams"].values() if "handoff" in t],
    ]
    for block in blocks:
        if block["policy"] == "handback":
            block.update(
                policy="ownership",
                intake_cutoff="15min",
                max_overtime="30min",
                leftover="wait_for_owner",
            )
        else:
            for key in ("intake_cutoff", "max_overtime", "leftover"):
                block.pop(key, None)
            block["policy"] = "handback"
    return variant


@settings(SETTINGS, max_examples=25)
@given(raw=scenario_dicts(max_horizon_h=24), seed=seeds, change=st.sampled_from([-2, -1, 1, 3]))
def test_staffing_and_policy_leave_the_customers_unchanged(
    raw: dict, seed: int, change: int
) -> None:
    _, base = replicate(raw, seed)
    customers = ["stream", "queue", "arrived_at"]
    # Repeat contacts depend on the service the first contact got (and, arriving in
    # between, renumber the rows); the drawn customers, in their order, do not.
    drawn = base.conversations[base.conversations["repeat_of"].isna()].reset_index(drop=True)
    for variant in (restaffed(raw, change), other_policy(raw)):
        _, record = replicate(variant, seed)
        rows = record.conversations
        conversations = rows[rows["repeat_of"].isna()].reset_index(drop=True)
        pd.testing.assert_frame_equal(conversations[customers], drawn[customers])
        # The bot deflects the same customers, at the same moments.
        deflected = drawn["outcome"] == "deflected"
        pd.testing.assert_series_equal(conversations["outcome"] == "deflected", deflected)
        pd.testing.assert_series_equal(
            conversations["ended_at"][deflected], drawn["ended_at"][deflected]
        )


# -- 7. time tallies ----------------------------------------------------------------------


def scheduled_seconds(scenario: Scenario, team: str) -> float:
    """Agent time rostered for ``team`` between warmup and the horizon."""
    total = 0.0
    for schedule in team_schedules(team, scenario.teams[team], scenario.start, scenario.horizon):
        for begin, end in schedule.shifts:
            total += max(0.0, min(end, scenario.horizon) - max(begin, scenario.warmup))
    return total


@SETTINGS
@given(raw=scenario_dicts(), seed=seeds)
def test_team_time_tallies_are_consistent(raw: dict, seed: int) -> None:
    scenario, record = replicate(raw, seed)
    teams = record.teams.set_index("team")
    assert list(teams.index) == list(scenario.teams)
    for name, row in teams.iterrows():
        # Agents are present at least for their whole shifts (overtime comes on top).
        assert row["on_shift_s"] >= scheduled_seconds(scenario, str(name)) - TOLERANCE
        assert 0 <= row["busy_s"] <= row["on_shift_s"] + TOLERANCE
        assert 0 <= row["overtime_s"] <= row["on_shift_s"] + TOLERANCE
        assert row["handbacks"] >= 0 and row["reread_s"] >= 0
        spec = scenario.teams[str(name)]
        if spec.roster is None and not spec.backup:
            assert row["overtime_s"] == 0 and row["handbacks"] == 0
    if scenario.warmup == 0:
        assert teams["handbacks"].sum() == record.conversations["handbacks"].sum()


# -- regressions: minimal scenarios of bugs these properties found -----------------------


def one_stream_one_rostered_agent(shift: dict, handoff: dict, handle: str, horizon: str) -> dict:
    return {
        "name": "minimal",
        "horizon": horizon,
        "streams": {
            "chat": {"per_hour": 30, "conversation": {"handle": {"dist": "fixed", "value": handle}}}
        },
        "teams": {"support": {"serves": ["chat"], "roster": [{**shift, "agents": 1}]}},
        "handoff": handoff,
    }


def test_no_pick_up_when_the_intake_cutoff_covers_the_whole_shift() -> None:
    # 02:00-02:30 UTC with a 1h intake cutoff: no time at all is open for intake.
    raw = one_stream_one_rostered_agent(
        {"start": "02:00", "end": "02:30"},
        {"policy": "ownership", "intake_cutoff": "1h"},
        handle="60s",
        horizon="6h",
    )
    _, record = replicate(raw, 1)
    picked = times(record.conversations, "picked_up_at")
    assert np.isnan(picked).all(), f"picked up at {picked[~np.isnan(picked)]}"


def test_an_agent_still_typing_at_its_next_shift_works_that_shift() -> None:
    # Daily 00:00-23:30 UTC, 90min replies: the reply being typed at 23:30 ends after
    # midnight, when the next shift has begun; the agent then leaves for the whole day.
    raw = one_stream_one_rostered_agent(
        {"start": "00:00", "end": "23:30"}, {"policy": "handback"}, handle="90min", horizon="48h"
    )
    scenario, record = replicate(raw, 0)
    picked = times(record.conversations, "picked_up_at")
    assert np.any(picked > 24 * 3600), "no pick-up during the second shift"
    assert record.teams["on_shift_s"].iloc[0] >= scheduled_seconds(scenario, "support")


# -- regressions: on-call backup bugs these properties found ---------------------------


def one_agent_and_a_backup(handle: str, **backup: Any) -> dict:
    return {
        "name": "minimal",
        "horizon": "4h",
        "streams": {
            "chat": {"per_hour": 1, "conversation": {"handle": {"dist": "fixed", "value": handle}}}
        },
        "teams": {
            "support": {
                "agents": 1,
                "serves": ["chat"],
                "backup": [
                    {"label": "oncall", "start": "00:00", "end": "24:00", "agents": 1, **backup}
                ],
            }
        },
    }


@pytest.mark.timeout(10)
def test_backup_stand_down_wait_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """The primary is busy 0-1000; the customer of 535.383 s triggers the backup (queue
    length 1), who takes it at once: the queue is empty from 535.383 s, so the backup
    stands down 30 min later, at 2335.383 s."""
    raw = one_agent_and_a_backup("1000s", queue_length=1, stand_down="30min")
    record = simulate_at(monkeypatch, raw, {"chat": [0.0, 535.383]})
    agents = record.agents.set_index("agent")
    assert agents.loc["support.oncall.1", "on_shift_s"] == pytest.approx(1800)


@pytest.mark.timeout(10)
def test_backup_without_stand_down_time_does_not_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The customer of 100 s triggers the backup, who takes it and so clears the
    queue at once: with no stand-down time it stands down at 100 s, but finishes
    the conversation (until 400 s) instead of handing it back, which used to call
    it straight back in, endlessly, at one instant."""
    raw = one_agent_and_a_backup("300s", queue_length=1, stand_down="0s")
    raw["teams"]["support"]["attention"] = "shared"
    record = simulate_at(monkeypatch, raw, {"chat": [0.0, 100.0]})
    rows = record.conversations
    assert rows["outcome"].astype(str).tolist() == ["resolved", "resolved"]
    assert rows["agent"].astype(str).tolist() == ["support.1", "support.oncall.1"]
    assert rows["handbacks"].tolist() == [0, 0]
    backup = record.agents.set_index("agent").loc["support.oncall.1"]
    assert (backup["activations"], backup["on_shift_s"]) == (1, pytest.approx(300))


@pytest.mark.timeout(10)
def test_backup_agents_respect_the_intake_cutoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The primary is busy 0-5000 and 5000-10000. Two conversations wait from 9100 s,
    which would trigger the backup; but its window ends at 03:00 (10800 s) and the
    ownership intake cutoff is 1 h, so it may not pick up after 7200 s: it is not
    called in at all."""
    raw = one_agent_and_a_backup("5000s", queue_length=2, stand_down="10min")
    raw["teams"]["support"]["backup"][0]["end"] = "03:00"
    raw["handoff"] = {"policy": "ownership", "intake_cutoff": "1h", "max_overtime": "0s"}
    record = simulate_at(monkeypatch, raw, {"chat": [0.0, 4000.0, 9000.0, 9100.0]})
    rows = record.conversations
    assert "support.oncall.1" not in set(rows["agent"].astype(str)), rows
    assert record.agents.set_index("agent").loc["support.oncall.1", "activations"] == 0
