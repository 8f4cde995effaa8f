"""backtest: a scenario fitted to a log, run over that log's period, shows no bias."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import Result
from scipy.special import stdtrit

from simulator.decisions.sizing.staffing import wait_law
from simulator.history.backtest import backtest
from simulator.history.fit import fit


@pytest.mark.slow
def test_the_fitted_scenario_is_unbiased_against_its_own_log(week_log: Path) -> None:
    fitted = fit(week_log, session_gap="1h")
    from simulator import load_scenario

    replications = 10
    result = backtest(load_scenario(fitted.scenario), week_log, replications=replications, seed=5)
    whole_week = result.tables["by_class"].set_index("class").loc["chat"]
    t975, t995 = stdtrit(replications - 1, 0.975), stdtrit(replications - 1, 0.995)
    for metric in ("abandon_share", "mean_wait_s", "share_waited", "served"):
        # The observed week is one more replication of the model it was fitted from:
        # it lies inside the 99% prediction interval of the simulated weeks (their
        # spread from the 95% interval of their mean). Hour-by-hour signed errors
        # are no test of bias: quiet hours with long waits dominate an unweighted
        # mean, and hours of one week are not independent.
        low, high = whole_week[f"simulated_{metric}_ci95"]
        spread = (high - low) / 2 * np.sqrt(replications) / t975
        limit = t995 * spread * np.sqrt(1 + 1 / replications)
        assert abs(whole_week[f"simulated_{metric}"] - whole_week[metric]) < limit, metric
    assert set(result.mae) == set(result.baseline_mae)


def test_backtest_runs_over_the_log_period_and_writes_its_folder(
    invoke: Callable[..., Result], week_run: Path, week_log: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bt"
    done = invoke(
        "backtest", week_run / "scenario.yaml", week_log, "-r", "2", "--seed", "1", "--out", out
    )
    assert done.exit_code == 0, done.stderr
    assert "Erlang A MAE" in done.stdout
    document = json.loads((out / "backtest.json").read_text())
    assert len(document["by_hour"]) == 24
    assert len(document["by_date_hour"]) == 7 * 24
    assert document["period"]["days"] == 7
    served = sum(row["served"] for row in document["by_hour"])
    assert served == sum(row["observed_reached"] for row in document["by_hour"]) - sum(
        round(row["abandon_share"] * row["observed_reached"]) for row in document["by_hour"]
    )
    assert (out / "backtest.png").stat().st_size > 0


def test_erlang_a_baseline_uses_the_formula_per_hour(week_run: Path, week_log: Path) -> None:
    result = backtest(week_run / "scenario.yaml", week_log, replications=2, seed=1)
    row = result.tables["by_date_hour"].iloc[10]  # Monday 10:00, 7 agents... on shift: 4
    law = wait_law(row["observed_reached"] / 3600, 4, 240 + 30, 300)
    assert row["erlang_a_abandon_share"] == pytest.approx(law.p_abandon)
    assert row["erlang_a_share_waited"] == pytest.approx(law.p_wait)
    assert row["erlang_a_mean_wait_s"] == pytest.approx(law.mean_wait_s)


def test_a_log_stream_missing_from_the_scenario_is_exit_2(
    invoke: Callable[..., Result], week_run: Path, tmp_path: Path
) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "arrived_at,outcome,stream\n2026-03-02T09:00:00Z,deflected,billing\n", encoding="utf-8"
    )
    done = invoke("backtest", week_run / "scenario.yaml", log, "--out", tmp_path / "bt")
    assert done.exit_code == 2
    assert "stream 'billing' is not in the scenario" in done.stderr
    assert not (tmp_path / "bt").exists()


def test_a_bad_warmup_is_exit_2(
    invoke: Callable[..., Result], week_run: Path, week_log: Path, tmp_path: Path
) -> None:
    done = invoke(
        "backtest", week_run / "scenario.yaml", week_log, "--warmup", "2", "--out", tmp_path / "bt"
    )
    assert done.exit_code == 2 and "--warmup" in done.stderr
    assert not (tmp_path / "bt").exists()
