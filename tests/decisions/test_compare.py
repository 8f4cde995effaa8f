"""``staffsim compare`` and ``simulator.compare``: common random numbers, paired
differences, the compare.json contract, the figure, and bad input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import simulator
from simulator.decisions.compare import OVERALL_METRICS, compare_table, headline_metrics
from tests.conftest import written

DIFFERENCE_KEYS = {
    "metric",
    "title",
    "variant",
    "baseline",
    "diff",
    "ci95",
    "unpaired_ci95",
    "significant",
    "none",
}


def _width(interval: list[float]) -> float:
    return interval[1] - interval[0]


def test_a_scenario_against_itself_differs_by_exactly_nothing(queue: dict[str, Any]) -> None:
    result = simulator.compare({"a": queue, "b": copy.deepcopy(queue)}, replications=4, seed=3)
    assert result.variants == ["a", "b"]
    assert result.differences, "nothing compared"
    assert {d["metric"] for d in result.differences} >= {
        "frt_s.mean",
        "frt_s.p90",
        "frt_s.within_target",
        "queue_wait_s.mean",
        "abandon_rate",
        "by_team.support.occupancy",
    }
    for entry in result.differences:
        assert entry["diff"] == 0.0, entry
        low, high = entry["ci95"]
        assert low <= 0.0 <= high, entry
        assert entry["significant"] is False, entry
        low, high = entry["unpaired_ci95"]
        assert low <= 0.0 <= high, entry
    # Pairing removed all the noise; independent runs would still show some.
    widths = {
        d["metric"]: (_width(d["ci95"]), _width(d["unpaired_ci95"])) for d in result.differences
    }
    assert widths["frt_s.mean"][0] == 0.0 < widths["frt_s.mean"][1]
    assert result.summaries["a"] == {**result.summaries["b"]}


def test_one_more_agent_is_a_significant_improvement_and_pairing_pays(
    queue: dict[str, Any],
) -> None:
    queue.update(horizon="50h", warmup="5h")
    result = simulator.compare(queue, vary="teams.support.agents=4,5", replications=10, seed=11)
    assert result.variants == ["teams.support.agents=4", "teams.support.agents=5"]
    table = result.table.set_index("metric")
    wait = table.loc["queue_wait_s.mean"]
    assert wait["diff"] < 0 and wait["ci95_high"] < 0 and bool(wait["significant"])
    assert table.loc["abandon_rate", "diff"] < 0 and bool(table.loc["abandon_rate", "significant"])
    assert table.loc["frt_s.within_target", "diff"] > 0
    ratios = {
        metric: table.loc[metric, "paired_width"] / table.loc[metric, "unpaired_width"]
        for metric in ("frt_s.mean", "queue_wait_s.mean")
    }
    assert min(ratios.values()) < 0.5, ratios
    assert all(ratio < 1 for ratio in ratios.values()), ratios


def test_every_variant_sees_the_same_customers(queue: dict[str, Any]) -> None:
    result = simulator.compare(queue, vary="teams.support.agents=3,6", replications=2, seed=4)
    first, second = (run.conversations for run in result.results)
    assert first["arrived_at"].tolist() == second["arrived_at"].tolist()
    assert (first["first_reply_at"] != second["first_reply_at"]).any()


def test_results_do_not_depend_on_jobs(queue: dict[str, Any]) -> None:
    serial = simulator.compare(queue, vary="teams.support.agents=4,5", replications=3, seed=2)
    parallel = simulator.compare(
        queue, vary="teams.support.agents=4,5", replications=3, seed=2, jobs=3
    )
    assert parallel.differences == serial.differences
    assert parallel.summaries == serial.summaries


def test_three_variants_each_against_the_first(queue: dict[str, Any]) -> None:
    result = simulator.compare(queue, vary="teams.support.agents=4..6", replications=2, seed=1)
    assert result.baseline == "teams.support.agents=4"
    pairs = {(d["variant"], d["baseline"]) for d in result.differences}
    assert pairs == {
        ("teams.support.agents=5", "teams.support.agents=4"),
        ("teams.support.agents=6", "teams.support.agents=4"),
    }
    text = compare_table(result)
    assert "teams.support.agents=6  vs  baseline teams.support.agents=4" in text


def test_headline_metrics_cover_common_streams_and_teams(queue: dict[str, Any]) -> None:
    other = copy.deepcopy(queue)
    other["streams"]["email"] = {
        "per_hour": 1,
        "conversation": {"handle": {"dist": "fixed", "value": "5min"}},
    }
    other["teams"]["support"]["serves"] = ["chat", "email"]
    base, variant = simulator.load_scenario(queue), simulator.load_scenario(other)
    metrics = headline_metrics(base, variant)
    assert metrics[: len(OVERALL_METRICS)] == list(OVERALL_METRICS)
    assert "by_stream.chat.frt_s.p90" in metrics
    assert not any(m.startswith("by_stream.email") for m in metrics)
    assert "by_team.support.occupancy" in metrics


def test_compare_writes_the_contract(
    write_scenario, invoke, workdir: Path, queue: dict[str, Any]
) -> None:
    handback = write_scenario(queue, "handback.yaml")
    queue["handoff"] = {"policy": "ownership"}
    queue["teams"]["support"]["agents"] = 5
    ownership = write_scenario(queue, "ownership.yaml")
    out = workdir / "out"
    result = invoke(
        "compare",
        handback,
        ownership,
        "--replications",
        "3",
        "--seed",
        "2",
        "--out",
        out,
        "--set",
        "streams.chat.per_hour=30",
    )
    assert result.exit_code == 0, (result.stderr, result.exception)

    document = json.loads((out / "compare.json").read_text())
    assert document["variants"] == ["handback", "ownership"]
    assert document["baseline"] == "handback"
    assert (document["seed"], document["replications"]) == (2, 3)
    metrics = [d["metric"] for d in document["differences"]]
    assert len(metrics) == len(set(metrics))  # one entry per metric for the one variant
    for metric in (
        "frt_s.mean",
        "frt_s.p50",
        "frt_s.p90",
        "frt_s.within_target",
        "resolution_s.p90",
        "queue_wait_s.mean",
        "abandon_rate",
    ):
        assert metric in metrics
    for entry in document["differences"]:
        assert set(entry) == DIFFERENCE_KEYS
        assert (entry["variant"], entry["baseline"]) == ("ownership", "handback")
        assert isinstance(entry["significant"], bool)
        assert len(entry["ci95"]) == 2 and len(entry["unpaired_ci95"]) == 2
    assert set(document["summaries"]) == {"handback", "ownership"}
    assert document["summaries"]["ownership"]["replications"] == 3

    assert (out / "figures" / "compare.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in (out / "scenarios").iterdir()) == [
        "1-handback.yaml",
        "2-ownership.yaml",
    ]
    saved = simulator.load_scenario(out / "scenarios" / "2-ownership.yaml")
    assert saved.streams["chat"].per_hour == 30  # --set applied to every variant
    info = json.loads((out / "run.json").read_text())
    assert info["command"][0] == "staffsim" and info["variants"] == ["handback", "ownership"]
    assert "FRT p90" in result.stdout and "unpaired 95%" in result.stdout
    assert f"results: {out}" in result.stdout
    assert [p.name for p in workdir.iterdir() if p.name.startswith(".staffsim-")] == []


def test_vary_labels_and_default_out(write_scenario, invoke, workdir: Path) -> None:
    path = write_scenario()
    result = invoke("compare", path, "--vary", "teams.support.agents=4,5", "-r", "2", "-q")
    assert result.exit_code == 0, (result.stderr, result.exception)
    out = workdir / "results" / "compare-queue"
    assert result.stdout.strip() == "results: results/compare-queue"
    document = json.loads((out / "compare.json").read_text())
    assert document["variants"] == ["teams.support.agents=4", "teams.support.agents=5"]

    again = invoke("compare", path, "--vary", "teams.support.agents=5,4", "-r", "2", "-q")
    assert again.exit_code == 0, again.stderr  # a compare folder may be replaced
    document = json.loads((out / "compare.json").read_text())
    assert document["baseline"] == "teams.support.agents=5"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{path}"], "needs at least two variants"),
        (["{path}", "--vary", "teams.support.agents=4"], "needs at least two variants"),
        (["{path}", "{path}", "--vary", "teams.support.agents=4,5"], "--vary takes one scenario"),
        (
            ["{path}", "--vary", "teams.support.agents=4,5", "--vary", "handoff.policy=ownership"],
            "varies one key at a time",
        ),
        (["{path}", "--vary", "nonsense"], "is not KEY=V1,V2"),
        (["{path}", "--vary", "teams.support.agents=-1,4"], "at least 0"),
        (["{path}", "--vary", "teams.suport.agents=4,5"], "no team 'suport'"),
        (["{path}", "--vary", "teams.support.agents=4,5", "--set", "horizon=soon"], "horizon"),
        (["{path}", "missing.yaml"], "no such file"),
        (["{path}", "--vary", "teams.support.agents=4,5", "-r", "1"], "--replications"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    write_scenario, invoke, workdir: Path, args: list[str], message: str
) -> None:
    path = write_scenario()
    result = invoke("compare", *[a.format(path=path) for a in args])
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert written(workdir) == []


def test_a_policy_only_comparison_says_which_settings_it_kept() -> None:
    from simulator.decisions.compare import policy_note
    from simulator.scenario.loader import load_scenario

    base = {
        "name": "p",
        "horizon": "1h",
        "streams": {
            "chat": {"per_hour": 1, "conversation": {"handle": {"dist": "fixed", "value": "1min"}}}
        },
        "teams": {"live": {"agents": 1, "serves": ["chat"]}},
    }
    handback = load_scenario({**base, "handoff": {"policy": "handback"}})
    ownership = load_scenario({**base, "handoff": {"policy": "ownership"}})
    note = policy_note([handback, ownership])
    assert note is not None and "intake_cutoff 0s" in note and "team live" in note
    tuned = load_scenario({**base, "handoff": {"policy": "ownership", "intake_cutoff": "15min"}})
    assert policy_note([handback, tuned]) is None
    assert policy_note([handback, handback]) is None
    kept = {"leftover": "wait_for_owner", "continue_in": "chat"}
    note = policy_note(
        [
            load_scenario({**base, "handoff": {"policy": "handback", **kept}}),
            load_scenario({**base, "handoff": {"policy": "ownership", **kept}}),
        ]
    )
    assert note is not None and "leftover wait_for_owner in chat," in note


def _shift_scenario(policy: str) -> dict[str, Any]:
    """Two 4-hour shifts a day of two agents, busy enough that chats are open at each
    shift end: handback hands them back, ownership finishes them in overtime."""
    return {
        "name": policy,
        "horizon": "12h",
        "warmup": "1h",
        "streams": {
            "chat": {
                "per_hour": 20,
                "conversation": {
                    "handle": {"dist": "exponential", "mean": "2min"},
                    "exchanges": 3,
                    "reply_delay": {"dist": "fixed", "value": "2min"},
                },
            }
        },
        "teams": {
            "live": {
                "concurrency": 2,
                "serves": ["chat"],
                "roster": [
                    {
                        "label": f"s{h}",
                        "days": "daily",
                        "start": f"{h:02d}:00",
                        "end": f"{h + 4:02d}:00",
                        "agents": 2,
                    }
                    for h in (0, 4, 8, 12)
                ],
            }
        },
        "handoff": {"policy": policy, "max_overtime": "2h"},
    }


def test_a_wait_of_hand_backs_one_side_never_had_reads_none_everywhere() -> None:
    """Ownership hands nothing back: its hand-back wait is "none" (not a blank row) in
    compare.json, the terminal table and the figure alike."""
    from simulator.analysis.compare_figures import compare_figure

    result = simulator.compare(
        {"handback": _shift_scenario("handback"), "ownership": _shift_scenario("ownership")},
        replications=3,
        seed=5,
    )
    entries = {d["metric"]: d for d in result.differences}
    assert entries["handed_back.conversations"]["diff"] < 0  # handback did hand some back
    wait = entries["handed_back.wait_s.p90"]
    assert wait["none"] == ["ownership"] and wait["diff"] is None
    assert entries["handed_back.conversations"]["none"] == []  # a count is 0, not none
    assert all(d["none"] == [] for m, d in entries.items() if not m.startswith("handed_back"))
    row = next(
        line for line in compare_table(result).splitlines() if "handed back: wait p90" in line
    )
    baseline_value, variant_value, *difference = row.split()[4:]
    assert variant_value == "none" and baseline_value != "none"
    assert difference == ["none", "on", "one", "side", "-"]
    table = result.table.set_index("metric")
    assert table.loc["handed_back.wait_s.p90", "variant_none"]
    assert not table.loc["handed_back.wait_s.p90", "baseline_none"]
    figure = compare_figure(result.response_times(), result.table)
    texts = [text.get_text() for ax in figure.axes for text in ax.texts]
    assert any("none in ownership" in text for text in texts)
    figure.canvas.draw()  # every panel title lies inside the figure, none runs off it
    renderer = figure.canvas.get_renderer()
    for ax in figure.axes:
        box = ax.title.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= figure.bbox.x1, ax.get_title()


def test_varying_the_policy_prints_the_preset_it_applied(queue: dict[str, Any]) -> None:
    result = simulator.compare(queue, vary="handoff.policy=handback,ownership", replications=2)
    assert result.presets == {
        "handoff.policy=ownership": {
            "handoff.intake_cutoff": "15min",
            "handoff.max_overtime": "1h",
            "handoff.leftover": "wait_for_owner",
        }
    }
    assert result.to_dict()["presets"] == result.presets
    assert result.results[1].scenario.handoff.intake_cutoff == 900  # what actually ran
    lines = [line for line in compare_table(result).splitlines() if "preset" in line]
    assert len(lines) == 1
    assert "handoff.policy=ownership also set handoff.intake_cutoff=15min" in lines[0]
    assert "note: the variants differ only in handoff.policy" not in compare_table(result)


def _live_and_inbox() -> dict[str, Any]:
    """A live chat held to 2 min and an inbox to the scenario's 30 min, served by one
    team; a second team serves the inbox alone."""
    shape = {"handle": {"dist": "exponential", "mean": "3min"}}
    return {
        "name": "two-targets",
        "horizon": "1d",
        "targets": {"frt": "30min"},
        "streams": {
            "chat": {"per_hour": 10, "targets": {"frt": "2min"}, "conversation": shape},
            "inbox": {"per_hour": 4, "conversation": shape},
        },
        "teams": {
            "live": {"agents": 2, "serves": ["chat", "inbox"]},
            "mail": {"agents": 1, "serves": ["inbox"]},
        },
    }


def test_rows_name_each_streams_target_where_targets_differ() -> None:
    """Per-stream targets differ: every within-target row says which target it is read
    against, in compare.json, the terminal table and the figure; other rows keep their
    names, and a scenario with one target for all keeps every name."""
    from simulator.analysis.compare_figures import compare_figure
    from simulator.decisions.compare import row_title

    result = simulator.compare(
        _live_and_inbox(), vary="teams.live.agents=2,3", replications=2, seed=1
    )
    titles = {entry["metric"]: entry["title"] for entry in result.differences}
    assert titles["frt_s.within_target"] == "FRT within target (chat 2min, inbox 30min)"
    assert titles["by_stream.chat.frt_s.within_target"] == "stream chat: FRT within target (2min)"
    assert titles["by_stream.inbox.frt_s.within_target"] == (
        "stream inbox: FRT within target (30min)"
    )
    assert titles["frt_s.p90"] == "FRT p90"
    table = compare_table(result)
    for title in titles.values():
        assert f"  {title} " in table, title
    figure = compare_figure(result.response_times(), result.table)
    ticks = [label.get_text() for ax in figure.axes for label in ax.get_yticklabels()]
    assert any(tick.startswith("FRT within target (chat 2min, inbox 30min)") for tick in ticks)
    figure.canvas.draw()  # the longer labels still lie inside the figure
    renderer = figure.canvas.get_renderer()
    for ax in figure.axes:
        for label in ax.get_yticklabels():
            assert label.get_window_extent(renderer).x0 >= 0, label.get_text()

    scenario = simulator.load_scenario(_live_and_inbox())
    assert row_title("by_team.live.frt_s.within_target", scenario) == (
        "team live: FRT within target (chat 2min, inbox 30min)"
    )
    assert row_title("by_team.mail.frt_s.within_target", scenario) == (
        "team mail: FRT within target (30min)"
    )
    shared = _live_and_inbox()
    del shared["streams"]["chat"]["targets"]
    same = simulator.load_scenario(shared)
    assert row_title("by_stream.chat.frt_s.within_target", same) == (
        "stream chat: FRT within target"
    )
