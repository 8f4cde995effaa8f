"""The run report: every figure is drawn for a small run, report.html is one
self-contained page with every figure embedded, and ``staffsim run`` writes it
inside its atomic results folder."""

from __future__ import annotations

import base64
import dataclasses
import html
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import Result

import simulator.analysis.report as report_module
import simulator.results_writer as output
from simulator import processes
from simulator.analysis import figures, tables
from simulator.analysis.hourly import hourly_table, week_grid
from simulator.analysis.report import (
    COSTLIEST_FIRST,
    REPORT_FILE,
    ReportFigure,
    ZygoteFailed,
    build_figures,
    drawing,
    drawing_zygote,
    write_report,
)
from simulator.analysis.tables import shift_end_table
from simulator.experiment import RunResult, run
from simulator.results_writer import REPORT_FILES, RESULT_FILES, write_results
from simulator.scenario.loader import load_scenario
from simulator.statistics.metrics import summarise
from tests.conftest import scenario_writer, written

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGURES = (
    "headline",
    "response_times",
    "heatmap_arrivals",
    "heatmap_agents",
    "heatmap_frt_p90",
    "heatmap_within_target",
    "queue_over_time",
    "occupancy",
    "shift_ends",
    "shift_ends_week",
)

# Two streams, a tiger team on a roster under ownership and generalists under
# handback, a non-UTC start: every figure has something to draw in a short run.
SCENARIO: dict[str, Any] = {
    "name": "report <check> & co",
    "start": "2026-03-02T00:00:00+01:00",
    "horizon": "1d",
    "warmup": "2h",
    "seed": 4,
    "targets": {"frt": "2min", "followup": "5min"},
    "streams": {
        "launch": {
            "per_hour": 10,
            "conversation": {
                "handle": {"dist": "exponential", "mean": "3min"},
                "exchanges": 2,
                "reply_delay": {"dist": "exponential", "mean": "1min"},
                "patience": {"dist": "exponential", "mean": "10min"},
            },
        },
        "general": {
            "per_hour": 6,
            "conversation": {"handle": {"dist": "exponential", "mean": "4min"}},
        },
    },
    "teams": {
        "tiger": {
            "serves": ["launch"],
            "concurrency": 2,
            "roster": [
                {
                    "region": "Europe/Dublin",
                    "days": "Mon-Fri",
                    "start": "08:00",
                    "end": "17:00",
                    "agents": 2,
                }
            ],
            "handoff": {"policy": "ownership", "max_overtime": "30min"},
        },
        "generalists": {"serves": ["general", "launch"], "agents": 2},
    },
    "handoff": {"policy": "handback", "reread": {"base": "1min", "per_exchange": "20s"}},
}


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run(load_scenario(SCENARIO), replications=2)


@pytest.fixture(scope="module")
def made(result: RunResult) -> list[ReportFigure]:
    return build_figures(result)


@pytest.fixture(scope="module")
def folder(result: RunResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report drawn by two worker processes, whatever this machine's cores."""
    folder = tmp_path_factory.mktemp("report")
    with drawing(result, workers=2) as drawn:
        assert write_report(result, folder, drawn) == folder / REPORT_FILE
    return folder


def test_workers_draw_the_same_bytes_as_drawing_here(
    folder: Path, made: list[ReportFigure]
) -> None:
    for item in made:
        drawn_here = figures.png_bytes(item.figure)
        assert (folder / "figures" / f"{item.name}.png").read_bytes() == drawn_here, item.name


def test_the_zygote_draws_the_same_bytes_as_drawing_here(
    result: RunResult, made: list[ReportFigure]
) -> None:
    with drawing_zygote(workers=2) as zygote:
        assert zygote is not None and zygote.pid is not None
        with drawing(result, zygote=zygote) as drawn:
            by_zygote = {item.name: item.png for item in drawn}
    assert processes.start_token(zygote.pid) is None  # stopped and reaped with the block
    assert by_zygote == {item.name: figures.png_bytes(item.figure) for item in made}


def test_a_dead_zygote_leaves_the_drawing_to_a_pool(result: RunResult) -> None:
    with drawing_zygote(workers=2) as zygote:
        assert zygote is not None and zygote.pid is not None
        os.kill(zygote.pid, signal.SIGKILL)
        while processes.start_token(zygote.pid):  # dead (a zombie) before it is sent the run
            time.sleep(0.01)
        with drawing(result, workers=1, zygote=zygote) as drawn:
            assert [item.name for item in drawn] == list(FIGURES)


def test_a_zygote_that_never_gets_ready_leaves_the_drawing_here(
    result: RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stuck(*args: Any) -> None:
        time.sleep(600)

    monkeypatch.setattr(report_module, "_zygote_main", stuck)  # forked after the patch
    monkeypatch.setattr(report_module, "READY_TIMEOUT_S", 0.5)
    monkeypatch.setattr(report_module, "FIGURES", report_module.FIGURES[:1])
    with drawing_zygote(workers=2) as zygote:
        assert zygote is not None and zygote.pid is not None
        began = time.monotonic()
        with drawing(result, workers=1, zygote=zygote) as drawn:
            assert [item.name for item in drawn] == ["headline"]
        assert time.monotonic() - began < 30
        assert processes.start_token(zygote.pid) is None  # stopped and reaped


def test_a_failure_in_the_zygote_is_raised_here(
    result: RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(data: Any) -> Any:
        raise ValueError("no axes")

    # forked after the patch, the zygote draws with it
    monkeypatch.setattr(report_module, "FIGURES", (("headline", "Headline", broken),))
    with (
        drawing_zygote(workers=2) as zygote,
        pytest.raises(ZygoteFailed, match="no axes"),
        drawing(result, zygote=zygote) as drawn,
    ):
        list(drawn)


def test_captions_in_the_page_are_those_of_the_figures(
    folder: Path, made: list[ReportFigure]
) -> None:
    text = (folder / REPORT_FILE).read_text(encoding="utf-8")
    shown = re.findall(r"<figcaption>(.*?)</figcaption>", text, flags=re.S)
    assert shown == [html.escape(item.caption) for item in made]


def test_every_figure_is_handed_to_the_workers() -> None:
    assert sorted(COSTLIEST_FIRST) == sorted(name for name, _, _ in report_module.FIGURES)


def test_the_parent_draws_nothing_until_asked_with_one_worker(result: RunResult) -> None:
    """With one core the figures are drawn lazily, one as each is asked for."""
    calls: list[str] = []
    real = report_module.draw_figure

    def counting(data: report_module.ReportData, name: str) -> report_module.DrawnFigure:
        calls.append(name)
        return real(data, name)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(report_module, "draw_figure", counting)
        with drawing(result, workers=1) as drawn:
            assert calls == []
            first = next(iter(drawn))
    assert calls == ["headline"] and first.png.startswith(PNG_SIGNATURE)


def test_every_figure_is_a_non_empty_png(folder: Path) -> None:
    written = sorted(p.name for p in (folder / "figures").iterdir())
    assert written == sorted(f"{name}.png" for name in FIGURES)
    for name in FIGURES:
        data = (folder / "figures" / f"{name}.png").read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width >= 600 and height >= 150, (name, width, height)
        assert len(data) > 10_000, name  # a blank canvas compresses to far less


def test_report_is_self_contained(folder: Path) -> None:
    text = (folder / REPORT_FILE).read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    assert not re.search(r"<(script|link|iframe)\b", text)
    sources = re.findall(r'\bsrc="([^"]*)"', text)
    assert len(sources) == len(FIGURES)
    assert all(source.startswith("data:image/png;base64,") for source in sources)
    # The embedded images are the PNG files, in the report's order.
    for name, source in zip(FIGURES, sources, strict=True):
        embedded = base64.b64decode(source.removeprefix("data:image/png;base64,"))
        assert embedded == (folder / "figures" / f"{name}.png").read_bytes(), name


def test_report_names_the_run_and_shows_the_headline_table(folder: Path, result: RunResult) -> None:
    text = (folder / REPORT_FILE).read_text(encoding="utf-8")
    assert "report &lt;check&gt; &amp; co" in text and "<check>" not in text  # escaped
    assert f"seed {result.seed}" in text and "2 replications" in text
    assert "95% interval" in text
    for label in (
        "first reply: 90% within",
        "first reply within target",
        "occupancy",
        "Stream launch",
        "Stream general",
        "Team tiger",
        "Team generalists",
    ):
        assert label in text, label
    assert text.count("<figcaption>") == len(FIGURES)


def test_figures_have_titles_and_captions(made: list[ReportFigure]) -> None:
    assert [item.name for item in made] == list(FIGURES)
    for item in made:
        titles = [ax.get_title(loc="left") for ax in item.figure.axes]
        suptitle = item.figure.get_suptitle()
        assert suptitle or any(titles), item.name
        assert item.caption and item.heading


def test_frt_rows_pool_to_the_summary_share(result: RunResult) -> None:
    """With one replication the share of judged first responses within target is
    exactly the summary's within_target."""
    single = RunResult(result.scenario, result.seed, 1, result.records[:1], {}, 0.0)
    summary = summarise(single.records, single.scenario, single.seed)
    times = tables.response_times(single)
    frt = times[(times["measure"] == "frt").to_numpy()]
    share = float(np.mean(frt["seconds"].to_numpy() <= 120.0))
    assert share == pytest.approx(summary["overall"]["frt_s"]["within_target"]["value"])
    resolved = (times["measure"] == "resolution").sum()
    assert resolved == summary["overall"]["counts"]["resolved"]["value"]


def test_handoff_followup_p90_per_team_and_handback(result: RunResult) -> None:
    """The table's follow-up p90s are the mean over replications of each one's 90th
    percentile of the team's follow-ups, split by whether the conversation was handed back."""
    table = tables.handoff_table(result).set_index(["team", "measure"])
    conversations = result.conversations
    counted = conversations[conversations["arrived_at"].to_numpy() >= result.scenario.warmup]
    followups = result.followups.merge(
        counted[["replication", "conversation", "team"]], on=["replication", "conversation"]
    )
    checked = 0
    for team in result.scenario.teams:
        for label, handed in (("handed_back", True), ("kept", False)):
            p90s = [
                np.percentile(rows["response_s"], 90)
                for _, rows in followups[
                    (followups["team"] == team).to_numpy()
                    & (followups["after_handback"].to_numpy() == handed)
                ].groupby("replication")
            ]
            value = table.loc[(team, f"followup_p90_{label}_s"), "value"]
            if len(p90s) == len(result.records):
                assert value == pytest.approx(np.mean(p90s), rel=1e-12)
                checked += 1
    assert checked >= 2  # both teams' kept follow-ups at least


def test_shift_end_week_bars_stand_on_zero_at_their_heights() -> None:
    """Each kind's bars are one artist: a bar per shift end of its height, none for a
    shift end without that kind, and the count axis starting at 0."""
    table = pd.DataFrame(
        {
            "weekday": [0, 0, 2],
            "clock": ["08:00", "17:00", "08:00"],
            "kind": ["handed_back", "handed_back", "waiting_for_owner"],
            "per_end": [2.0, 5.0, 3.0],
            "wait_mean_h": [0.5, 1.0, 2.0],
            "wait_p90_h": [1.0, 2.0, 3.0],
        }
    )
    figure = figures.shift_end_week_figure(table, "handback")
    count_ax = figure.axes[0]
    handed, waiting = count_ax.collections
    tops = [
        [float(np.max(path.vertices[:, 1])) for path in bars.get_paths()]
        for bars in (handed, waiting)
    ]
    assert tops[0][:2] == [2.0, 5.0] and np.isnan(tops[0][2])
    assert np.isnan(tops[1][:2]).all() and tops[1][2] == 3.0
    assert count_ax.get_ylim()[0] == 0.0
    assert [text.get_text() for text in count_ax.get_legend().get_texts()] == [
        "handed back",
        "waiting for the owner",
    ]
    assert figures.png_bytes(figure).startswith(PNG_SIGNATURE)


def test_queue_series_in_the_scenario_order_with_unnamed_queues_last(result: RunResult) -> None:
    states = result.states.astype({"name": str})
    extra = states[(states["kind"] == "queue").to_numpy()].head(3).assign(name="aa-unnamed")
    fake = SimpleNamespace(states=pd.concat([extra, states]), scenario=result.scenario)
    queues = tables.queue_over_time(fake)  # type: ignore[arg-type]
    assert list(queues["queue"].cat.categories) == [*result.scenario.queues(), "aa-unnamed"]
    assert (queues["queue"] == "aa-unnamed").sum() >= 1
    assert queues["queue"].notna().all()


def test_png_is_the_whole_figure_whatever_the_callers_settings() -> None:
    import matplotlib

    figure = figures.arrivals_heatmap(week_grid(np.arange(168.0)), zone="UTC")
    plain = figures.png_bytes(figure)
    with matplotlib.rc_context({"savefig.bbox": "tight", "text.hinting": "auto"}):
        assert figures.png_bytes(figure) == plain
        assert matplotlib.rcParams["text.hinting"] == "auto"  # left as the caller set it
    assert plain.startswith(PNG_SIGNATURE)


def test_heatmap_marks_unobserved_hours_and_labels_only_the_extreme_cell() -> None:
    values = np.full(168, np.nan)
    values[:3] = [1.0, 3.0, 2.0]
    figure = figures.arrivals_heatmap(week_grid(values), zone="UTC+01:00")
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert "highest 3.0" in texts  # Mon 01:00, outlined
    outline = figure.axes[0].patches[0]
    assert (outline.get_x(), outline.get_y()) == (0.5, -0.5)
    assert any("grey" in t for t in texts)
    assert len(texts) == 2  # no label in each of the 168 cells
    assert figures.png_bytes(figure).startswith(PNG_SIGNATURE)


# --------------------------------------------------------------------------- staffsim run


RUN_SCENARIO: dict[str, Any] = {
    "name": "tiny",
    "horizon": "4h",
    "warmup": "30min",
    "streams": {
        "chat": {
            "per_hour": 20,
            "conversation": {"handle": {"dist": "exponential", "mean": "4min"}},
        }
    },
    "teams": {"support": {"agents": 2, "serves": ["chat"]}},
}


@pytest.fixture
def one_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    """Draw only the headline figure: the wiring is tested here, the figures above."""
    monkeypatch.setattr(report_module, "FIGURES", report_module.FIGURES[:1])


def test_staffsim_run_writes_the_report(
    one_figure: None, invoke: Callable[..., Result], tmp_path: Path
) -> None:
    scenario = scenario_writer(tmp_path, RUN_SCENARIO, "s.yaml")()
    out = tmp_path / "out"
    done = invoke("run", scenario, "-r", "2", "--seed", "1", "--out", out, "-q")
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES + REPORT_FILES)
    assert (out / "figures" / "headline.png").read_bytes().startswith(PNG_SIGNATURE)
    assert "data:image/png;base64," in (out / REPORT_FILE).read_text(encoding="utf-8")
    assert written(tmp_path) == ["out"]  # no temporary folder left behind

    done = invoke("run", scenario, "-r", "2", "--out", out, "-q", "--no-report")
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == sorted(RESULT_FILES)


def test_a_failing_report_leaves_no_folder(
    result: RunResult, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(result: RunResult, folder: Path, drawn: Any = None) -> Path:
        (Path(folder) / "report.html").write_text("half", encoding="utf-8")
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(report_module, "write_report", broken)
    with pytest.raises(RuntimeError, match="drawing failed"):
        write_results(result, tmp_path / "out", report=True)
    assert list(tmp_path.iterdir()) == []
    assert output.REPORT_FILES == ("report.html", "figures")


def test_shift_end_table_counts_spells_per_weekly_shift_end() -> None:
    """Two replications, one weekly shift end (Mon 15:00 UTC) letting go of three
    conversations in all: 1.5 per occurrence, waits 1 h, 2 h and 3 h."""
    scenario = load_scenario(
        {
            "name": "ends",
            "horizon": "1d",
            "streams": {
                "chat": {
                    "per_hour": 1,
                    "conversation": {"handle": {"dist": "fixed", "value": "1min"}},
                }
            },
            "teams": {"support": {"agents": 1, "serves": ["chat"]}},
        }
    )
    end = 15 * 3600.0

    def record(replication: int, waits: list[float]) -> Any:
        unowned = pd.DataFrame(
            {
                "conversation": range(len(waits)),
                "kind": pd.Categorical(["handed_back"] * len(waits)),
                "agent": 0,
                "since": end,
                "until": [end + w * 3600 for w in waits],
                "shift_end": end,
            }
        )
        return SimpleNamespace(replication=replication, unowned=unowned)

    result = SimpleNamespace(scenario=scenario, records=[record(0, [1, 2]), record(1, [3])])
    table = shift_end_table(result)  # type: ignore[arg-type]
    assert table[["weekday", "clock", "kind"]].values.tolist() == [[0, "15:00", "handed_back"]]
    assert table["per_end"].tolist() == [1.5]
    assert table["wait_mean_h"].tolist() == [2.0]


def test_report_opens_with_whether_each_stream_meets_its_target(result: RunResult) -> None:
    spec = {
        **SCENARIO,
        "targets": {**SCENARIO["targets"], "service_level": 0.8},
        "streams": {
            **SCENARIO["streams"],
            "launch": {**SCENARIO["streams"]["launch"], "targets": {"frt": "1h"}},
        },
    }
    judged = dataclasses.replace(result, scenario=load_scenario(spec))
    text = report_module.render_html(judged, [])
    verdict = re.search(r'<pre class="verdict">(.*?)</pre>', text, re.S)
    assert verdict is not None
    lines = verdict.group(1).splitlines()
    assert lines[0] in ("meets target: yes", "meets target: no")
    assert lines[1].startswith("  stream launch: ") and "FRT within 1h" in lines[1]
    assert lines[2].startswith("  stream general: ") and "FRT within 2min" in lines[2]
    assert text.index('class="verdict"') < text.index("<h2>")
    assert "launch first reply 1h, follow-up 5min; general first reply 2min" in text
    assert "conversations first answered per agent-hour on shift" in text


def test_report_has_no_verdict_without_targets(result: RunResult) -> None:
    spec = {key: value for key, value in SCENARIO.items() if key != "targets"}
    text = report_module.render_html(dataclasses.replace(result, scenario=load_scenario(spec)), [])
    assert "verdict" not in text.split("<body>")[1]


def test_captions_describe_this_run(result: RunResult, made: list[ReportFigure]) -> None:
    """The FRT heatmap's caption names the hour whose p90 is worst in this run's
    hour-of-week table, on the clock of its one roster region (Dublin)."""
    caption = {item.name: item.caption for item in made}
    table = hourly_table(result)
    worst = int(table["frt_p90_s"].idxmax())
    day, hour = table.loc[worst, "day"], table.loc[worst, "hour"]
    assert f"worst hour {day} {hour:02d}:00" in caption["heatmap_frt_p90"]
    assert "Europe/Dublin (GMT) time" in caption["heatmap_frt_p90"]
    assert "for 2 teams" in caption["heatmap_frt_p90"]
    occupancy = {n: t["occupancy"]["value"] for n, t in result.summary["by_team"].items()}
    busiest = max(occupancy, key=occupancy.__getitem__)
    assert f"team {busiest} is busiest at {occupancy[busiest] * 100:.0f}%" in caption["occupancy"]


def test_matplotlib_loads_only_in_the_drawing_workers(tmp_path: Path) -> None:
    """The command line starts without matplotlib, and a run's folder with its
    report is written without the parent ever loading it."""
    script = f"""
import sys
import simulator.cli
import simulator.analysis.report as report
assert not [m for m in sys.modules if m.startswith("matplotlib")], "at import"
from simulator.experiment import run
from simulator.results_writer import write_results
from simulator.scenario.loader import load_scenario
report.FIGURES = report.FIGURES[:1]
report.drawing_workers = lambda: 2
result = run(load_scenario({RUN_SCENARIO!r}), replications=1, seed=1)
write_results(result, __import__("pathlib").Path({str(tmp_path / "out")!r}), report=True)
with report.drawing_zygote() as zygote:  # as staffsim run draws
    assert zygote is not None
    result = run(load_scenario({RUN_SCENARIO!r}), replications=1, seed=1)
    write_results(
        result, __import__("pathlib").Path({str(tmp_path / "out2")!r}), report=True, zygote=zygote
    )
assert not [m for m in sys.modules if m.startswith("matplotlib")], "after the report"
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert done.returncode == 0, done.stderr
    for out in ("out", "out2"):
        assert (tmp_path / out / "figures" / "headline.png").read_bytes().startswith(PNG_SIGNATURE)


def test_warming_up_changes_no_byte(result: RunResult, tmp_path: Path) -> None:
    """The drawing process warms its caches before the run ends; a figure drawn in a
    fresh interpreter (cold caches) and again after ``warm_up`` has the same bytes."""
    (tmp_path / "result.pickle").write_bytes(pickle.dumps(result))
    code = (
        "import pickle, sys\n"
        "from simulator.analysis import figures\n"
        "from simulator.analysis.report import ReportData, draw_figure\n"
        "result = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "cold = draw_figure(ReportData(result), 'headline').png\n"
        "figures.warm_up()\n"
        "warm = draw_figure(ReportData(result), 'headline').png\n"
        "print(cold == warm, len(cold))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "result.pickle")],
        capture_output=True,
        text=True,
        check=True,
    )
    same, size = done.stdout.split()
    assert same == "True" and int(size) > 1000


@pytest.mark.parametrize("ends", [32, 40, 60])
def test_shift_end_labels_neither_overlap_nor_leave_the_figure(ends: int) -> None:
    """However many shift ends a week has, their labels under the figure do not run
    into each other (past ``SHIFT_ENDS_FLAT`` they stand on end) and stay inside it."""
    table = pd.DataFrame(
        {
            "weekday": [k * 7 // ends for k in range(ends)],
            "clock": [f"{(k * 7 * 24 // ends) % 24:02d}:{k % 4 * 15:02d}" for k in range(ends)],
            "kind": "handed_back",
            "per_end": 2.0,
            "wait_mean_h": 0.5,
            "wait_p90_h": 1.0,
        }
    )
    figure = figures.shift_end_week_figure(table, "handback")
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    labels = figure.axes[1].get_xticklabels()
    boxes = [label.get_window_extent(renderer) for label in labels]
    assert len(boxes) == ends
    assert all(left.x1 < right.x0 for left, right in pairwise(boxes))
    assert min(box.y0 for box in boxes) >= 0
