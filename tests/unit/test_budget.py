"""The work estimate behind the size limits: close to what a run simulates, above it
where it must be cheap, and a grid counted without being walked."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import simulator.decisions.variants
import simulator.scenario.schema
from simulator import budget
from simulator.budget import (
    EXACT_SPAN,
    Ceiling,
    check_grid,
    check_scenarios,
    scenario_work,
    team_agents,
)
from simulator.errors import ScenarioError
from simulator.model.arrivals import arrival_times, expected_counts
from simulator.scenario.loader import load_scenario
from simulator.units import WEEK
from tests.cli.conftest import SMALL

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_are_well_under_the_ceiling(path: Path) -> None:
    scenario = load_scenario(path)
    work = scenario_work(scenario)
    ceiling = Ceiling.of(None)
    assert work.conversations * scenario.replications < ceiling.conversations / 100
    assert work.agents * scenario.replications < ceiling.agents / 100
    check_scenarios([scenario], 100, None, source=path)  # even at 100 replications


def test_conversations_match_what_the_arrivals_draw() -> None:
    scenario = load_scenario(SCENARIOS[-1])  # live chat: profile, rollout, day noise
    (stream,) = scenario.streams.values()
    estimate = scenario_work(scenario).conversations
    rng = np.random.default_rng(5)
    drawn = [arrival_times(stream, scenario.start, scenario.horizon, rng).size for _ in range(40)]
    mean = float(np.mean(drawn))
    assert mean < estimate < 1.1 * mean  # above the mean by the noise margin only
    assert max(drawn) < estimate


def test_repeat_contacts_are_counted_as_if_every_customer_chased() -> None:
    """Each customer comes back at most once: share 0.4 adds at most 40%."""
    scenario = load_scenario(SCENARIOS[-1])
    (name,) = scenario.streams
    repeat = {"after": "1h", "share": 0.4, "delay": {"dist": "fixed", "value": "1min"}}
    chasing = scenario.model_copy(
        update={
            "streams": {
                name: scenario.streams[name].model_copy(
                    update={"repeat": simulator.scenario.schema.Repeat.model_validate(repeat)}
                )
            }
        }
    )
    without = scenario_work(scenario).conversations
    assert scenario_work(chasing).conversations == pytest.approx(1.4 * without)


def test_past_the_exact_span_the_estimate_stays_above_and_close() -> None:
    # 150 weeks and a half: whole weeks at the profile's mean, the part week at its peak.
    scenario = load_scenario(SCENARIOS[-1], ["horizon=1055.5d", "streams.chat.noise.daily_cv=0"])
    (stream,) = scenario.streams.values()
    assert scenario.horizon > EXACT_SPAN
    exact = float(expected_counts(stream, scenario.start, np.array([0.0, scenario.horizon]))[0])
    assert exact <= scenario_work(scenario).conversations < 1.02 * exact


def test_agents_count_every_kind_of_staffing() -> None:
    raw = copy.deepcopy(SMALL)
    raw["teams"]["support"] = {
        "serves": ["chat"],
        "roster": [
            {"start": "09:00", "end": "17:00", "agents": 3},
            {"start": "17:00", "end": "23:00", "agents": 2},
        ],
        "rotation": {"members": 7},
        "backup": [{"start": "09:00", "end": "17:00", "agents": 4, "queue_length": 5}],
    }
    raw["teams"]["other"] = {"agents": 5, "serves": ["chat"]}
    scenario = load_scenario(raw)
    assert team_agents(scenario.teams["support"]) == 3 + 2 + 7 + 4
    assert scenario_work(scenario).agents == 16 + 5


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_a_grid_is_estimated_as_the_sum_over_its_points(tmp_path: Path, monkeypatch) -> None:
    path = _write(tmp_path, SMALL)
    base = load_scenario(path)
    grid = ["streams.chat.per_hour=10..400..10", "teams.support.agents=1..30"]  # 40 x 30
    exact = (
        sum(
            scenario_work(load_scenario(path, [f"streams.chat.per_hour={p}"])).conversations
            for p in range(10, 401, 10)
        )
        * 30
        * base.replications
    )
    agents = 40 * sum(range(1, 31)) * base.replications
    caught = []
    monkeypatch.setattr(budget, "check", lambda request, *a, **k: caught.append(request))
    check_grid(base, path, grid, [], None, None)
    request = caught[-1]
    assert request.runs == 1200
    total = request.each.conversations * request.replications * request.runs
    assert total == pytest.approx(exact, rel=0.02)
    assert request.each.agents * request.replications * request.runs == pytest.approx(agents, 0.02)


def test_a_huge_grid_is_refused_by_its_point_count_alone(tmp_path: Path, monkeypatch) -> None:
    path = _write(tmp_path, SMALL)

    def walked(*args: object, **kwargs: object) -> None:
        raise AssertionError("a grid value was evaluated")

    monkeypatch.setattr(simulator.decisions.variants, "apply_point", walked)
    monkeypatch.setattr(simulator.decisions.variants, "grid_points", walked)
    grid = [f"teams.support.{key}=1..100" for key in ("agents", "concurrency")]
    grid += ["streams.chat.per_hour=1..100", "seed=1..100", "warmup=1..100"]
    with pytest.raises(ScenarioError, match="10,000,000,000 grid points"):
        check_grid(load_scenario(path), path, grid, [], None, None)


@pytest.mark.parametrize("per_hour", [20, 2000], ids=["replications-bound", "conversations-bound"])
def test_the_refusal_names_how_many_replications_fit(per_hour: int) -> None:
    scenario = load_scenario(SMALL, [f"streams.chat.per_hour={per_hour}"])
    with pytest.raises(ScenarioError) as refused:
        check_scenarios([scenario], 10**9, None, source="s.yaml")
    fit = int(refused.value.fix.split("--replications ")[1].split()[0].replace(",", ""))
    check_scenarios([scenario], fit, None, source="s.yaml")  # what it names fits every ceiling
    with pytest.raises(ScenarioError):
        check_scenarios([scenario], fit + 1, None, source="s.yaml")


def test_the_ceilings_move_together() -> None:
    assert Ceiling.of(None) == Ceiling(20_000_000)
    assert (Ceiling.of(None).agents, Ceiling.of(None).replications) == (1_000_000, 20_000)
    assert (Ceiling.of(40_000_000).agents, Ceiling.of(40_000_000).replications) == (
        2_000_000,
        40_000,
    )
    assert WEEK < EXACT_SPAN
